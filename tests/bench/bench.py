#!/usr/bin/env python3
"""Writes BENCHMARKS.md at the repository root from one run of every benchmark.

Run by `make bench` (tests/make.mk, target `bench-report`), which first builds the npm package
and installs the e2e receiver. Sections, each measured on this machine in this run:

1. The core's criterion figures (verify per body size, plain and with a keyed `Verifier`;
   access-key parse) next to the physical references: the same core built with the software
   SHA-256 of `sha2` (`--cfg sha2_backend="soft"`, no SHA extensions) and OpenSSL's HMAC-SHA256
   (`openssl speed -hmac sha256`, SHA-NI assembly).
2. The npm package against Node's crypto, @octokit/webhooks-methods and @noble/hashes
   (`wasm/bench/verify.mjs --markdown`).
3. The sandbox binary's HTTP throughput on loopback (`wrk`) and its delivery throughput to a
   local receiver (`tests/bench/delivery.mjs`).
4. The desktop app's binary size, start time and idle memory (`make figures-desktop`), unless
   BENCH_DESKTOP=0.
5. Many Node receivers sharing one Redis guard (`tests/receivers/many.test.mjs`): events,
   copies, retries, double processing and deliveries/s of that suite's run.

Benchmarks are measurements, never assertions: a section that fails is reported as failed in
the file and the script exits non-zero at the end.

Env: BENCH_QUICK=1 (shorter criterion and wrk runs), BENCH_DESKTOP=0 (skip the desktop).
`bench.py --only receivers` reruns one section and replaces it in the existing file, saying
when and at which commit it was measured.
"""

import json
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "target"
OUT = ROOT / "BENCHMARKS.md"
LOGS = TARGET / "bench"
QUICK = os.environ.get("BENCH_QUICK") == "1"
SIZES = [256, 1024, 4096, 65536]
failures = []


def log(message):
    print(f"bench: {message}", flush=True)


def run(cmd, **kwargs):
    """Runs a command from the root, echoing it; returns its stdout (stderr passes through)."""
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True, **kwargs).stdout


def section(name, fn):
    try:
        return fn()
    except Exception as err:  # noqa: BLE001 - a failed section is reported, then the run fails
        log(f"{name} failed: {err}")
        failures.append(name)
        return f"_{name}: failed in this run ({type(err).__name__}: {err}); see the `make bench` output._\n"


# ---------------------------------------------------------------------------------------------
# 1. Core (criterion) and the physical references


def criterion_args():
    return ["--warm-up-time", "1", "--measurement-time", "2" if QUICK else "4"]


def criterion_mean_ns(target_dir, bench_id):
    path = target_dir / "criterion" / bench_id / "new" / "estimates.json"
    estimates = json.loads(path.read_text())
    return estimates["mean"]["point_estimate"], estimates["mean"]["confidence_interval"]


def openssl_hmac(size):
    out = run(["openssl", "speed", "-seconds", "1" if QUICK else "3", "-bytes", str(size), "-hmac", "sha256"],
              stderr=subprocess.DEVNULL)
    line = next(l for l in out.splitlines() if l.startswith("hmac(sha256)"))
    kbytes_per_s = float(line.split()[-1].rstrip("k"))
    return size / (kbytes_per_s * 1000) * 1e9  # ns per HMAC of `size` bytes


def mib_s(size, ns):
    return size / (ns * 1e-9) / (1024 * 1024)


def core_section():
    run(["cargo", "bench", "-p", "nfehook-core", "--bench", "core", "--", *criterion_args()])
    soft_dir = TARGET / "bench-soft"
    env = dict(os.environ, CARGO_TARGET_DIR=str(soft_dir),
               RUSTFLAGS=(os.environ.get("RUSTFLAGS", "") + ' --cfg sha2_backend="soft"').strip())
    run(["cargo", "bench", "-p", "nfehook-core", "--bench", "core", "--", *criterion_args(), "verify/"], env=env)

    rows = []
    for size in SIZES:
        plain, _ = criterion_mean_ns(TARGET, f"verify/plain/{size}")
        keyed, ci = criterion_mean_ns(TARGET, f"verify/keyed/{size}")
        soft, _ = criterion_mean_ns(soft_dir, f"verify/keyed/{size}")
        ossl = openssl_hmac(size)
        rows.append(
            f"| {size:,} B | {plain:,.0f} ns | {keyed:,.0f} ns ({ci['lower_bound']:,.0f}–{ci['upper_bound']:,.0f}) "
            f"| {mib_s(size, keyed):,.0f} MiB/s | {soft:,.0f} ns | {soft / keyed:.2f}× "
            f"| {ossl:,.0f} ns | {keyed / ossl:.2f}× |")
    parse, _ = criterion_mean_ns(TARGET, "chave/parse")
    grouped, _ = criterion_mean_ns(TARGET, "chave/parse_grouped")
    sha_ni = "sha_ni" in Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else False
    return f"""## 1. Core (`nfehook-core`, criterion)

`cargo bench -p nfehook-core --bench core` (means, 95 % interval for the keyed verifier). Verify =
HMAC-SHA256 of the body, hex decode of `sha256=<hex>`, constant-time compare. The `sha2` crate
picks the CPU's SHA extensions at run time (this CPU {'has' if sha_ni else 'does not have'}
`sha_ni`); the references are the same core built with the software SHA-256
(`RUSTFLAGS='--cfg sha2_backend="soft"'`) and OpenSSL {openssl_version()}'s HMAC-SHA256 in
assembly with SHA-NI (`openssl speed -hmac sha256 -bytes N`, which does not decode or compare).

| body | `verify` (secret per call) | `Verifier::verify` (keyed once) | keyed throughput | software SHA-256, keyed | time: software ÷ SHA-NI | OpenSSL HMAC | time: nfehook ÷ OpenSSL |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}

| access key | mean |
| --- | ---: |
| `ChaveAcesso::parse` (44 digits) | {parse:,.0f} ns |
| `ChaveAcesso::parse` (grouped, spaces) | {grouped:,.0f} ns |
"""


def openssl_version():
    return run(["openssl", "version"]).split()[1]


# ---------------------------------------------------------------------------------------------
# 2. npm package


def npm_section():
    out = run(["node", "wasm/bench/verify.mjs", "--markdown"] + (["--quick"] if QUICK else []))
    return f"""## 2. npm package `nfehook` (Node {run(['node', '--version']).strip()})

`node wasm/bench/verify.mjs --markdown`: one process, peers interleaved; ratio > 1 means nfehook
is faster.

{out.strip()}
"""


# ---------------------------------------------------------------------------------------------
# 3. Sandbox


class Proc:
    def __init__(self, name, cmd, ready, env=None, cwd=ROOT):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.stderr = open(LOGS / f"{name}.stderr", "w")
        self.p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=self.stderr, text=True)
        deadline = time.time() + 30
        while True:
            line = self.p.stdout.readline()
            if not line or time.time() > deadline:
                raise RuntimeError(f"{name} did not start (see {LOGS / (name + '.stderr')})")
            if line.startswith(ready):
                self.line = line[len(ready):].strip()
                break
        # Keep draining stdout (the receiver logs a line per request) so the child never blocks.
        self.stdout = open(LOGS / f"{name}.stdout", "w")
        threading.Thread(target=shutil.copyfileobj, args=(self.p.stdout, self.stdout), daemon=True).start()

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.stderr.close()


def wrk(url, key, path, seconds):
    out = run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"X-API-KEY: {key}", f"{url}{path}"])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, lat.get("50", "?"), lat.get("99", "?"), int(non2xx.group(1)) if non2xx else 0


def sandbox_section():
    run(["cargo", "build", "--release", "-p", "nfehook-sandbox", "--bin", "nfehook-sandbox"])
    key = "sbx_bench_" + secrets.token_hex(8)
    secret = "whsec_bench_" + secrets.token_hex(8)
    sandbox = Proc("sandbox", [str(TARGET / "release/nfehook-sandbox"), "--in-memory", "--listen", "127.0.0.1:0",
                               "--api-key", key, "--log", "warn"], "nfehook-sandbox listening on ")
    url = sandbox.line
    receiver = None
    try:
        import urllib.request

        def call(method, path, body=None):
            req = urllib.request.Request(f"{url}{path}", method=method, headers={
                "X-API-KEY": key, "Content-Type": "application/json"},
                data=None if body is None else json.dumps(body).encode())
            with urllib.request.urlopen(req) as resp:
                return json.loads(resp.read())["data"]

        first = None
        for i in range(10):
            sub = call("POST", "/Webhooks/Subscriptions", {
                "name": f"wrk {i}", "url": f"http://127.0.0.1:9/wrk/{i}", "events": ["nfe.erro"],
                "isActive": False})
            first = first or sub["id"]
        seconds = 3 if QUICK else 10
        rows = []
        for label, path in [("`GET /Webhooks/Subscriptions` (10 subscriptions)", "/Webhooks/Subscriptions"),
                            ("`GET /Webhooks/Subscriptions/{id}` (detail with keys)", f"/Webhooks/Subscriptions/{first}"),
                            ("`GET /openapi.json` (no database)", "/openapi.json")]:
            rps, p50, p99, non2xx = wrk(url, key, path, seconds)
            rows.append(f"| {label} | {rps:,.0f} | {p50} | {p99} | {non2xx} |")
        for sub in call("GET", "/Webhooks/Subscriptions"):
            call("DELETE", f"/Webhooks/Subscriptions/{sub['id']}")

        receiver_dir = TARGET / "e2e" / "receiver"
        receiver = Proc("receiver", ["node", "receiver.mjs"], "receiver listening on ",
                        env=dict(os.environ, PORT="0", WEBHOOK_SECRET=secret, SLOW_FIRST_ERRO_MS="0"),
                        cwd=receiver_dir)
        receiver_url = f"http://127.0.0.1:{receiver.line}"
        events = 100 if QUICK else 300
        out = run(["node", "tests/bench/delivery.mjs"], env=dict(
            os.environ, SANDBOX_URL=url, API_KEY=key, RECEIVER_URL=receiver_url, WEBHOOK_SECRET=secret,
            SUBS="10", EVENTS=str(events)))
        d = json.loads(out.strip().splitlines()[-1])
        if d["distinctIds"] != d["deliveries"]:
            raise RuntimeError(f"{d['deliveries']} deliveries but {d['distinctIds']} distinct ids")
    finally:
        if receiver:
            receiver.stop()
        sandbox.stop()
    return f"""## 3. Sandbox (`nfehook-sandbox`, release binary, in-memory SQLite)

HTTP throughput: `wrk -t2 -c32 -d{seconds}s --latency` on loopback, with the key; wrk and the
sandbox share the machine's {os.cpu_count()} cores.

| request | requests/s | p50 | p99 | non-2xx |
| --- | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}

Delivery throughput (`tests/bench/delivery.mjs`): {d['subscriptions']} subscriptions on one local
receiver (the e2e receiver: Express 5 + `nfehook/express`, verifying and deduplicating every
delivery), {d['events']} events triggered over HTTP (8 in flight), timed from the first trigger to
the last delivery accepted; default dispatcher concurrency (16).

| deliveries | distinct ids | time | deliveries/s | triggers/s (each: 10 signed deliveries stored) |
| ---: | ---: | ---: | ---: | ---: |
| {d['deliveries']:,} | {d['distinctIds']:,} | {d['seconds']:.2f} s | {d['deliveriesPerSecond']:,.0f} | {d['triggersPerSecond']:,.0f} |
"""


# ---------------------------------------------------------------------------------------------
# 4. Desktop


def desktop_section():
    if os.environ.get("BENCH_DESKTOP") == "0":
        return "## 4. Desktop app\n\n_Skipped in this run (BENCH_DESKTOP=0); `make figures-desktop` measures it._\n"
    out = run(["make", "--no-print-directory", "figures-desktop"])
    lines = out.splitlines()
    # The figures script prints its report after the build output, from "release binary:" on.
    start = next((i for i, l in enumerate(lines) if l.startswith("release binary:")), 0)
    figures = "\n".join(lines[start:]).strip()
    return f"""## 4. Desktop app (`nfehook-desktop`, release)

`make figures-desktop` (`desktop/scripts/figures.sh`): binary size, spawn to first paint under
Xvfb, idle memory, a long subscription list.

```text
{figures}
```
"""


def receivers_section():
    run(["node", "--test", "tests/receivers/many.test.mjs"])
    f = json.loads((TARGET / "receivers" / "figures.json").read_text())
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(f["statuses"].items()))
    return f"""## 5. Many receivers, one Redis guard (`tests/receivers/many.test.mjs`)

{f['receivers']} Node receiver processes (Fastify + `nfehook/fastify` + `RedisDedupeStore` on
node-redis, one local `redis-server`) behind a sender that retries until 2xx with backoff;
each event sent to 2–3 receivers at once, 10 % of handler calls failing, one receiver killed
with SIGKILL inside a handler. All on this machine's {os.cpu_count()} cores, sender included.

| figure | value |
| --- | --- |
| distinct events | {f['events']} |
| copies sent (duplicates included) | {f['copiesSent']} |
| attempts (HTTP requests) | {f['attempts']} |
| retries | {f['retries']} |
| answers | {statuses}; connection errors: {f['connectionErrors']} |
| handler calls | {f['handlerCalls']} ({f['failedHandlerCalls']} failed on purpose) |
| events processed twice | {f['processedTwice']} (all in flight in the killed receiver) |
| processed twice elsewhere / two handlers of one event at once | {f['processedTwiceOutsideTheKilledProcess']} / {f['concurrentHandlersOfOneEvent']} |
| wall time | {f['seconds']} s |
| deliveries/s (attempts) | {f['attemptsPerSecond']} |
| events/s | {f['eventsPerSecond']} |

Ratio to the floor: each event costs {f['attempts'] / f['events']:.2f} HTTP attempts against
the {f['copiesSent'] / f['events']:.2f} copies sent, and {f['handlerCalls'] / f['events']:.3f}
handler calls against the 1 a perfect guard would make (failures and the kill included).
"""


# ---------------------------------------------------------------------------------------------
# 6. Bulk-import preview (criterion, desktop/keys/benches/preview.rs)

IMPORT_KINDS = [("text", "pasted text, one key per line"), ("txt", "`.txt` list, CRLF"),
                ("csv", "`.csv` export, `chave;emissao;valor`, header"),
                ("xml", "NF-e batch `.xml`, `infNFe/@Id`")]


def import_section():
    run(["cargo", "bench", "-p", "nfehook-keys", "--bench", "preview", "--", *criterion_args()])
    floor, _ = criterion_mean_ns(TARGET, "preview/floor_parse")
    rows = []
    for kind, what in IMPORT_KINDS:
        mean, ci = criterion_mean_ns(TARGET, f"preview/build/{kind}")
        rows.append(f"| {what} | {mean / 1e6:,.1f} ms ({ci['lower_bound'] / 1e6:,.1f}–{ci['upper_bound'] / 1e6:,.1f}) "
                    f"| {mean / 50_000:,.0f} ns | {mean / floor:.1f}× |")
    return f"""## 6. Bulk-import preview (`nfehook-keys`, criterion)

`cargo bench -p nfehook-keys --bench preview` (means, 95 % interval): `Preview::build` on one source
of 50,000 distinct valid keys, for each kind of source the importer reads (it reads no
spreadsheet formats: XLSX/ODS are exported to CSV first). The floor is what every preview must
do at least: the core's `ChaveAcesso::parse` of the same 50,000 keys, already split
({floor / 1e6:,.1f} ms, {floor / 50_000:,.0f} ns a key).

| source (50,000 keys) | preview | per key | time: preview ÷ floor |
| --- | ---: | ---: | ---: |
{chr(10).join(rows)}

Where the time above the floor goes: decoding the file to text, sniffing the delimiter (the
first 64 lines split with each of 4 candidates), splitting into cells with their lines, finding
the key attempts in each cell, then the duplicate check and the decoded fields of every valid
row (the `ChaveInfo` the UI shows). Cutting a cell into 44-character keys used to re-join and
re-measure the growing run at each space-separated group: linear work per group, quadratic on a
cell of many separator-only groups (40 kB of `- ` before a digit took 4.3 s); each group is now
measured once (`candidates::cut_into_keys`, regression test
`separator_only_groups_are_measured_once`).
"""


# ---------------------------------------------------------------------------------------------
# 7. Fuzzing at depth (`make fuzz-long`, fuzz/long.py)

FUZZ_FIGURES = ROOT / "fuzz" / "target" / "long" / "figures.json"


def fuzz_section():
    """The table of the last `make fuzz-long` runs (fuzz/long.py writes the figures)."""
    figures = json.loads(FUZZ_FIGURES.read_text())
    rows = []
    for target, f in figures.items():
        executions = f["executions"] or 0
        reached = "yes" if executions >= f["runs"] else f"no (cap {f['cap']} s)"
        rows.append(
            f"| `{target}` | {executions:,} | {reached} | {f['seconds']:,.0f} s | {f['execsPerSecond'] or 0:,} "
            f"| {f['peakRssMb']} MiB | {f['crashes']} | {f['corpusGrown']:,} → {f['corpusFiles']:,} files "
            f"({f['corpusBytes'] / 1024:,.0f} KiB) | `{f['commit']}`, {f['date']} |")
    return f"""## 7. Fuzzing at depth (`make fuzz-long`)

`make fuzz-long` (fuzz/long.py, run under `nice -n 19` on this shared machine): every cargo-fuzz
target (libFuzzer, AddressSanitizer, debug assertions) until {next(iter(figures.values()))['runs']:,}
executions or its time cap, one process per target, then `cargo fuzz cmin` on its corpus.
Executions and peak RSS are libFuzzer's own `stat::` lines; crashes count the crash, leak,
timeout and out-of-memory artifacts the run wrote (each would be a regression test first).
Corpus: files after the run → after minimisation.

| target | executions | reached 10 M | time | executions/s | peak RSS | crashes | corpus | run at |
| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |
{chr(10).join(rows)}
"""


def kept(heading, note):
    """A section measured by its own target, kept as the last run wrote it."""
    old = OUT.read_text() if OUT.exists() else ""
    start = old.find(heading)
    if start < 0:
        return note
    end = old.find("\n## ", start + 1)
    return old[start:] if end < 0 else old[start:end]


SECTIONS = {"receivers": ("## 5.", lambda: receivers_section()), "import": ("## 6.", lambda: import_section()),
            "fuzz": ("## 7.", lambda: fuzz_section())}


def only(name):
    """Reruns one section and puts it in place of its old text in BENCHMARKS.md."""
    heading, fn = SECTIONS[name]
    commit = run(["git", "rev-parse", "--short", "HEAD"]).strip()
    text = fn().rstrip("\n") + (f"\n\n_This section: measured on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
                                f" at commit `{commit}` (`bench.py --only {name}`)._\n")
    old = OUT.read_text()
    start = old.find(heading)
    if start < 0:
        OUT.write_text(old.rstrip("\n") + "\n\n" + text)
    else:
        end = old.find("\n## ", start + 1)
        OUT.write_text(old[:start] + text + ("" if end < 0 else old[end:]))
    log(f"replaced section {name} of {OUT}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--only":
        only(sys.argv[2])
        return
    started = time.time()
    sections = [
        section("core", core_section),
        section("npm package", npm_section),
        section("sandbox", sandbox_section),
        section("desktop", desktop_section),
        section("receivers", receivers_section),
        section("import preview", import_section),
        # Hours of fuzzing are not part of `make bench`: its table stays as `make fuzz-long` wrote it.
        kept("## 7.", "## 7. Fuzzing at depth\n\n_Not measured yet: `make fuzz-long` writes this table._\n"),
    ]
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    commit = run(["git", "rev-parse", "--short", "HEAD"]).strip()
    header = f"""# NFeHook benchmarks

Produced by `make bench` (`tests/bench/bench.py`) at commit `{commit}` on
{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {cpu}, {os.cpu_count()} cores,
{platform.system()} {platform.release()}, {run(['rustc', '--version']).strip()}{' (BENCH_QUICK=1: short runs)' if QUICK else ''}.
Figures are from one run on this machine; compare ratios within a table, not across machines.
The timing-leak report of `verify` (dudect-style) is printed by `cargo bench -p nfehook-core --bench timing`.

"""
    OUT.write_text(header + "\n".join(sections))
    log(f"wrote {OUT} in {time.time() - started:.0f} s")
    if failures:
        log("failed sections: " + ", ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
