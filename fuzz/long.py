#!/usr/bin/env python3
"""Fuzzing at depth: each target until RUNS executions or CAP seconds, then its corpus minimised.

`make fuzz-long` runs it (fuzz/make.mk); `fuzz/long.py chave_parse documents` runs some targets
only. Per target it records executions, wall time, peak RSS, crash artifacts and the corpus size
before and after `cargo fuzz cmin` in fuzz/target/long/figures.json (rows of earlier runs of
other targets are kept, each with its commit and date), then has tests/bench/bench.py write the
table into BENCHMARKS.md. A target that crashes is reported and the script exits non-zero once
every target has run; the artifact is under fuzz/artifacts/<target>/.

Env: FUZZ_LONG_RUNS (default 10,000,000), FUZZ_LONG_CAP (seconds per target, default 600; a
target with its own cap in TARGET_CAPS has that one), FUZZ_LONG_CAP_<TARGET> (one target's cap),
FUZZ_LONG_TIMEOUT (seconds one input may take before libFuzzer calls it a hang, default 60).
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
LOGS = FUZZ / "target" / "long"
FIGURES = LOGS / "figures.json"
RUNS = int(os.environ.get("FUZZ_LONG_RUNS", "10000000"))
CAP = int(os.environ.get("FUZZ_LONG_CAP", "600"))
TIMEOUT = int(os.environ.get("FUZZ_LONG_TIMEOUT", "60"))
# cargo-fuzz needs nightly flags (-Z sanitizer); stable Rust accepts them with this.
ENV = dict(os.environ, RUSTC_BOOTSTRAP="1")
# libFuzzer's names of what it writes when a target fails.
FAILURES = ("crash-", "leak-", "timeout-", "oom-")
# Options of one target, with the time cap it needs to reach RUNS. import_parse reads whole
# files: each byte goes through several scanners whose every compare is instrumented, so an
# input costs in proportion to its length, and at libFuzzer's 4,096-byte limit it ran 1,900
# inputs/s (the others, of a key or a header, 22,000 to 150,000). Side by side for 20 s from the
# same seeds: 1,876/s at the default limit, 3,055/s at 512 bytes, the same coverage (2,528 and
# 2,538 edges). 512 bytes still hold every structure the parser reads (quoted and multi-line
# cells, the delimiter sniff over many lines, NF-e XML); the bounds of large inputs (rows,
# columns, bytes, the sniff's 16 KiB) are unit-tested in nfehook-keys.
# A target's cap here replaces FUZZ_LONG_CAP; FUZZ_LONG_CAP_<TARGET> (say
# FUZZ_LONG_CAP_IMPORT_PARSE=60) replaces both.
TARGET_OPTIONS = {"import_parse": ["-max_len=512"]}
TARGET_CAPS = {"import_parse": 3600}


def log(message):
    print(f"fuzz-long: {message}", flush=True)


def cargo_fuzz(args, log_file):
    with open(log_file, "w") as out:
        return subprocess.run(["cargo", "fuzz", *args], cwd=FUZZ, env=ENV, stdin=subprocess.DEVNULL,
                              stdout=out, stderr=subprocess.STDOUT, check=False).returncode


def corpus_size(target):
    files = [p for p in (FUZZ / "corpus" / target).iterdir() if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def artifacts(target):
    folder = FUZZ / "artifacts" / target
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def stat(text, name):
    found = re.findall(rf"^stat::{name}:\s+(\d+)", text, re.M)
    return int(found[-1]) if found else None


def run_target(target):
    build_log = LOGS / f"{target}.build.log"
    if cargo_fuzz(["build", target], build_log) != 0:
        raise RuntimeError(f"cargo fuzz build {target} failed (see {build_log})")
    before_files, _ = corpus_size(target)
    known = artifacts(target)
    run_log = LOGS / f"{target}.log"
    cap = int(os.environ.get(f"FUZZ_LONG_CAP_{target.upper()}", TARGET_CAPS.get(target, CAP)))
    options = TARGET_OPTIONS.get(target, [])
    log(f"{target}: up to {RUNS:,} executions or {cap} s {' '.join(options)} (log: {run_log})")
    started = time.monotonic()
    code = cargo_fuzz(["run", target, f"corpus/{target}", "--", f"-runs={RUNS}", f"-max_total_time={cap}",
                       f"-timeout={TIMEOUT}", "-print_final_stats=1", *options], run_log)
    seconds = time.monotonic() - started
    text = run_log.read_text(errors="replace")
    new = sorted(artifacts(target) - known)
    found = [name for name in new if name.startswith(FAILURES)]
    executions = stat(text, "number_of_executed_units")
    if code != 0 and not found:
        raise RuntimeError(f"cargo fuzz run {target} exited {code} without an artifact (see {run_log})")
    grown_files, grown_bytes = corpus_size(target)
    cmin_log = LOGS / f"{target}.cmin.log"
    if cargo_fuzz(["cmin", target, f"corpus/{target}"], cmin_log) != 0:
        raise RuntimeError(f"cargo fuzz cmin {target} failed (see {cmin_log})")
    files, size = corpus_size(target)
    row = {
        "executions": executions,
        "seconds": round(seconds, 1),
        "execsPerSecond": round(executions / seconds) if executions else None,
        "peakRssMb": stat(text, "peak_rss_mb"),
        "crashes": len(found),
        "artifacts": found,
        "corpusBefore": before_files,
        "corpusGrown": grown_files,
        "corpusGrownBytes": grown_bytes,
        "corpusFiles": files,
        "corpusBytes": size,
        "runs": RUNS,
        "cap": cap,
        "options": options,
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout.strip(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    log(f"{target}: {row}")
    return row


def main():
    targets = sys.argv[1:] or os.environ["FUZZ_TARGETS"].split()
    LOGS.mkdir(parents=True, exist_ok=True)
    failed = []
    for target in targets:
        try:
            row = run_target(target)
        except RuntimeError as err:
            log(str(err))
            failed.append(target)
            continue
        if row["crashes"]:
            failed.append(target)
        # Read again: another run (of other targets) may have written its rows meanwhile.
        figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        figures[target] = row
        FIGURES.write_text(json.dumps(figures, indent=2) + "\n")
    subprocess.run([sys.executable, str(ROOT / "tests" / "bench" / "bench.py"), "--only", "fuzz"], cwd=ROOT,
                   check=True)
    if failed:
        log("failed or crashed: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
