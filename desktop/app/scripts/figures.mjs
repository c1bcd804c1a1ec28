// Figures of the desktop app beside the floor of its stack (a measurement, not a test): release
// binary size, cold and warm spawn to first paint, idle memory of each one's processes, where the
// app's start-up time goes (its startup trace), and the list with 10,000 subscriptions.
// The floor is `nfehook-floor` (desktop/floor): a blank Tauri 2 window with one element, the same
// WebKitGTK and cargo profile (`desktop`), which reports its first paint the way the app's main.ts does.
// Run by desktop/scripts/figures.sh inside xvfb-run, after the release build. Writes
// target/figures-desktop/report.json (read by tests/bench/bench.py) and prints a summary.
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { By, until } from 'selenium-webdriver';
import { BIN, ROOT, startApp, startGroup } from '../e2e/support.mjs';

const FLOOR = process.env.NFEHOOK_FLOOR_BIN ?? join(ROOT, 'target/desktop/nfehook-floor');
const SANDBOX = process.env.NFEHOOK_SANDBOX_BIN ?? join(ROOT, 'target/desktop/nfehook-sandbox');
const OUT = join(ROOT, 'target/figures-desktop');
const IDENTIFIER = 'dev.nfehook.desktop';
const ROWS = Number(process.env.FIGURES_ROWS ?? 10_000);
const COLD_RUNS = Number(process.env.FIGURES_COLD_RUNS ?? 3);
const WARM_RUNS = Number(process.env.FIGURES_WARM_RUNS ?? 5);
const REFRESHES = Number(process.env.FIGURES_REFRESHES ?? 5);
/** How long after its first paint a window is left alone before its memory is read. */
const IDLE_MS = 5_000;
const TRACE = /^nfehook-(?:desktop|floor): (.+) (\d+) ms after start$/gm;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function descendants(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue; // Gone meanwhile.
    }
    for (const task of tasks) {
      try {
        const kids = readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (kids) out.push(...kids.split(/\s+/).map(Number));
      } catch {
        // The task ended meanwhile.
      }
    }
  }
  return out;
}

/** Proportional set size (KiB) of a process tree, so shared pages are not counted twice. */
function pss(pid) {
  let total = 0;
  const each = {};
  for (const p of descendants(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const kb = Number(/^Pss:\s+(\d+)/m.exec(rollup)[1]);
      const name = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      total += kb;
      each[name] = (each[name] ?? 0) + kb;
    } catch {
      // Gone, or a kernel thread without smaps.
    }
  }
  return { totalKib: total, byProcessKib: each };
}

function dropCaches() {
  try {
    execSync('sync; echo 3 > /proc/sys/vm/drop_caches', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function traceSteps(text) {
  return [...text.matchAll(TRACE)].map((m) => ({ step: m[1], ms: Number(m[2]) }));
}

/**
 * Starts `bin` with a fresh profile and the startup trace on, times spawn to its "first paint"
 * line (read from its log file), optionally waits `idleMs` and reads its memory, then ends it.
 */
async function startupRun(name, bin, idleMs) {
  const home = mkdtempSync(join(tmpdir(), 'nfehook-fig-'));
  const env = {
    ...process.env,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    NFEHOOK_STARTUP_TRACE: '1',
  };
  const t0 = performance.now();
  const group = startGroup(`figures-${name}`, bin, [], { env });
  try {
    let wall;
    let text = '';
    while (wall === undefined) {
      text = readFileSync(group.log, 'utf8');
      if (/ first paint \d+ ms after start$/m.test(text)) wall = performance.now() - t0;
      else if (group.child.exitCode !== null) throw new Error(`${name} exited before its first paint: ${text}`);
      else if (performance.now() - t0 > 60_000) throw new Error(`${name}: no first paint within 60 s (see ${group.log})`);
      else await sleep(5);
    }
    let mem;
    if (idleMs) {
      await sleep(idleMs);
      mem = pss(group.child.pid);
      text = readFileSync(group.log, 'utf8');
    }
    return { wallMs: Math.round(wall), steps: traceSteps(text), mem };
  } finally {
    await group.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Fills a sandbox database with `n` subscriptions through the sandbox binary's API. */
async function seed(env, dataDir, n) {
  mkdirSync(dataDir, { recursive: true });
  const key = 'figures-key-0001';
  const group = startGroup(
    'figures-seed-sandbox',
    SANDBOX,
    ['--listen', '127.0.0.1:0', '--db', join(dataDir, 'sandbox.sqlite3'), '--api-key', key, '--log', 'error'],
    { env },
  );
  try {
    let base;
    for (const end = Date.now() + 20_000; !base; await sleep(50)) {
      base = /listening on (http:\/\/\S+)/.exec(readFileSync(group.log, 'utf8'))?.[1];
      if (Date.now() > end) throw new Error(`the sandbox did not start (see ${group.log})`);
    }
    const events = ['nfe.processada', 'nfe.cancelada', 'nfe.erro'];
    let next = 0;
    const t0 = performance.now();
    async function worker() {
      while (next < n) {
        const i = next++;
        const res = await fetch(`${base}/Webhooks/Subscriptions`, {
          method: 'POST',
          headers: { 'X-API-KEY': key, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({
            name: `Assinatura ${String(i).padStart(5, '0')}`,
            url: `https://cliente${i}.example.com/webhooks/nfe`,
            events: events.slice(0, 1 + (i % 3)),
            isActive: i % 4 !== 0,
          }),
        });
        if (res.status !== 201) throw new Error(`seed ${i}: HTTP ${res.status} ${await res.text()}`);
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker));
    return (performance.now() - t0) / 1000;
  } finally {
    await group.stop();
  }
}

/** The list at start and on refresh, with `ROWS` subscriptions in the embedded sandbox. */
async function listFigures() {
  const seedHome = mkdtempSync(join(tmpdir(), 'nfehook-fig-seed-'));
  const seedSecs = await seed(process.env, join(seedHome, IDENTIFIER), ROWS);
  const session = await startApp('nfehook-fig-list-', (home) => {
    // The app's profile gets the seeded database before the app starts.
    const dataDir = join(home, 'data', IDENTIFIER);
    mkdirSync(dataDir, { recursive: true });
    for (const f of readdirSync(join(seedHome, IDENTIFIER))) {
      writeFileSync(join(dataDir, f), readFileSync(join(seedHome, IDENTIFIER, f)));
    }
    rmSync(seedHome, { recursive: true, force: true });
    return {};
  });
  const { driver } = session;
  try {
    const measures = async () =>
      driver.executeScript("return performance.getEntriesByType('measure').map(m => [m.name, m.duration])");
    const waitFor = async (count) => {
      await driver.wait(async () => (await measures()).filter(([n]) => n === 'list-load').length >= count, 120_000);
      const all = await measures();
      return { loads: all.filter(([n]) => n === 'list-load').map(([, d]) => d), renders: all.filter(([n]) => n === 'list-render').map(([, d]) => d) };
    };
    const first = await waitFor(1);
    // Where the page's part of the start goes, on the page's own clock (ms after navigation
    // start): the document fetched, the module script evaluated and the app mounted
    // (DOMContentLoaded waits for module scripts), the first frame shown (main.ts's mark).
    const page = await driver.executeScript(`
      const nav = performance.getEntriesByType('navigation')[0];
      const mark = performance.getEntriesByName('first-paint', 'mark')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return nav && {
        responseEndMs: nav.responseEnd, domContentLoadedMs: nav.domContentLoadedEventEnd,
        loadEventMs: nav.loadEventEnd, firstPaintMarkMs: mark ? mark.startTime : null,
        firstContentfulPaintMs: fcp ? fcp.startTime : null,
      };`);
    const shown = await (await driver.wait(until.elementLocated(By.css('#list-count')), 10_000)).getText();
    const refreshes = [];
    for (let i = 0; i < REFRESHES; i++) {
      await (await driver.findElement(By.css('#refresh'))).click();
      const all = await waitFor(2 + i);
      refreshes.push({ loadMs: all.loads.at(-1), renderMs: all.renders.at(-1) });
    }
    const domRows = await driver.executeScript("return document.querySelectorAll('[data-row-name]').length");
    return {
      rows: ROWS,
      page,
      seedSeconds: Number(seedSecs.toFixed(1)),
      shown,
      domRows,
      firstLoadMs: Math.round(first.loads[0]),
      firstRenderMs: Math.round(first.renders[0]),
      refreshLoadMs: Math.round(median(refreshes.map((r) => r.loadMs))),
      refreshRenderMs: Math.round(median(refreshes.map((r) => r.renderMs))),
      refreshes: refreshes.map((r) => ({ loadMs: Math.round(r.loadMs), renderMs: Math.round(r.renderMs) })),
    };
  } finally {
    await session.stop();
  }
}

// Make sure the virtual display answers before the first timed launch.
for (let i = 0; ; i++) {
  try {
    execSync('xdpyinfo', { stdio: 'ignore' });
    break;
  } catch (e) {
    if (i > 50) throw new Error(`no X display at ${process.env.DISPLAY}: ${e}`);
    await sleep(100);
  }
}

const subjects = { app: BIN, floor: FLOOR };
// The machine's load average before and after (a shared machine inflates every time; the floor,
// measured in the same run, is what the app is compared with).
const result = {
  measuredAt: new Date().toISOString(),
  display: process.env.DISPLAY,
  idleMs: IDLE_MS,
  loadAverage: { before: loadavg()[0] },
};
for (const [name, bin] of Object.entries(subjects)) {
  result[name] = { binary: bin, sizeBytes: statSync(bin).size, cold: [], coldInternal: [], warm: [], internal: [], pss: [] };
}

// Cold: the page cache dropped before each launch (app and floor alternate, so both see the
// same machine); warm: the next launches, after one unmeasured launch of each.
const dropped = dropCaches();
result.cacheDropped = dropped;
const coldTraces = [];
for (let i = 0; i < COLD_RUNS; i++) {
  for (const [name, bin] of Object.entries(subjects)) {
    if (dropped) dropCaches();
    const run = await startupRun(name, bin, 0);
    result[name].cold.push(run.wallMs);
    result[name].coldInternal.push(run.steps.find((s) => s.step === 'first paint')?.ms);
    if (name === 'app') coldTraces.push(run.steps);
  }
}
for (const [name, bin] of Object.entries(subjects)) await startupRun(name, bin, 0);
const traces = [];
for (let i = 0; i < WARM_RUNS; i++) {
  for (const [name, bin] of Object.entries(subjects)) {
    const run = await startupRun(name, bin, IDLE_MS);
    result[name].warm.push(run.wallMs);
    result[name].pss.push(run.mem.totalKib);
    result[name].processesKib = run.mem.byProcessKib;
    result[name].internal.push(run.steps.find((s) => s.step === 'first paint')?.ms);
    if (name === 'app') traces.push(run.steps);
  }
}
for (const name of Object.keys(subjects)) {
  const s = result[name];
  s.coldMs = Math.round(median(s.cold));
  s.warmMs = Math.round(median(s.warm));
  s.idlePssKib = Math.round(median(s.pss));
  // The same moment on the process's own clock, from main: the rest of the wall time is
  // loading the binary and its libraries.
  s.firstPaintFromMainMs = Math.round(median(s.internal));
  // Cold, the same split: what the dropped cache costs before main (the loader reading the
  // binary and its libraries) and after it (files, the bundle, WebKit's own start).
  s.coldFirstPaintFromMainMs = Math.round(median(s.coldInternal));
}
// The app's startup trace: each step's median time since main over the launches.
const medianTrace = (runs) =>
  [...new Set(runs.flatMap((t) => t.map((s) => s.step)))]
    .map((step) => ({
      step,
      ms: Math.round(median(runs.map((t) => t.find((s) => s.step === step)?.ms).filter((x) => x !== undefined))),
    }))
    .sort((a, b) => a.ms - b.ms);
result.app.trace = medianTrace(traces);
result.app.coldTrace = medianTrace(coldTraces);

result.list = await listFigures();

result.loadAverage.after = loadavg()[0];

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'report.json'), `${JSON.stringify(result, null, 2)}\n`);

const mib = (kib) => (kib / 1024).toFixed(1);
console.log(`desktop figures (report: ${join(OUT, 'report.json')})`);
for (const name of Object.keys(subjects)) {
  const s = result[name];
  console.log(`${name}: ${s.binary}`);
  console.log(`  size ${(s.sizeBytes / 1024 / 1024).toFixed(2)} MiB; cold first paint ${s.coldMs} ms (${s.cold.join(', ')}); warm ${s.warmMs} ms (${s.warm.join(', ')}; ${s.firstPaintFromMainMs} ms from main)`);
  console.log(`  idle PSS ${mib(s.idlePssKib)} MiB (${Object.entries(s.processesKib).map(([p, k]) => `${p} ${mib(k)}`).join(' + ')})`);
}
console.log(`app startup trace (median of ${WARM_RUNS} warm launches, ms after main): ${result.app.trace.map((s) => `${s.step} ${s.ms}`).join(' > ')}`);
console.log(`cold (median of ${COLD_RUNS}): ${result.app.coldTrace.map((s) => `${s.step} ${s.ms}`).join(' > ')}; floor first paint ${result.floor.coldFirstPaintFromMainMs} ms after main`);
const l = result.list;
console.log(`list of ${l.rows} (${l.shown}; ${l.domRows} rows in the DOM): first load ${l.firstLoadMs} ms (render ${l.firstRenderMs}); refresh median ${l.refreshLoadMs} ms (render ${l.refreshRenderMs})`);
