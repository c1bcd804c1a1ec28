// Figures of the desktop app (a measurement, not a test): release binary size, cold start to
// first paint, idle memory of the app's processes, and the list with 10,000 subscriptions.
// Run by desktop/scripts/figures.sh inside xvfb-run, after the release build.
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import net from 'node:net';
import { Builder, By, until } from 'selenium-webdriver';

const ROOT = resolve(import.meta.dirname, '../../..');
const APP = process.env.NFEHOOK_DESKTOP_BIN ?? join(ROOT, 'target/release/nfehook-desktop');
const SANDBOX = process.env.NFEHOOK_SANDBOX_BIN ?? join(ROOT, 'target/release/nfehook-sandbox');
const IDENTIFIER = 'dev.nfehook.desktop';
const ROWS = Number(process.env.FIGURES_ROWS ?? 10_000);
const RUNS = Number(process.env.FIGURES_RUNS ?? 3);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function profile() {
  const home = mkdtempSync(join(tmpdir(), 'nfehook-fig-'));
  return { home, env: { ...process.env, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config') } };
}

function descendants(pid) {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    for (const task of readdirSync(`/proc/${out[i]}/task`)) {
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

/** Proportional set size (kB) of a process tree, so shared pages are not counted twice. */
function pssKb(pid) {
  let total = 0;
  const names = [];
  const each = [];
  for (const p of descendants(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const kb = Number(/^Pss:\s+(\d+)/m.exec(rollup)[1]);
      const name = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      total += kb;
      names.push(name);
      each.push(`${name} ${(kb / 1024).toFixed(1)}`);
    } catch {
      // Gone.
    }
  }
  return { total, names, each };
}

function dropCaches() {
  try {
    execSync('sync; echo 3 > /proc/sys/vm/drop_caches', { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function startupRun() {
  const { home, env } = profile();
  const t0 = performance.now();
  const child = spawn(APP, [], { env: { ...env, NFEHOOK_STARTUP_TRACE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const internal = await new Promise((res, rej) => {
    let buf = '';
    const timer = setTimeout(() => rej(new Error('no first paint within 60 s')), 60_000);
    child.stderr.on('data', (d) => {
      buf += d;
      const m = /first paint (\d+) ms after start/.exec(buf);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    child.on('exit', (code) => rej(new Error(`app exited (${code}) before first paint: ${buf}`)));
  });
  const wall = performance.now() - t0;
  await sleep(5_000);
  const mem = pssKb(child.pid);
  child.removeAllListeners('exit');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(home, { recursive: true, force: true });
  return { wall, internal, mem };
}

async function seed(env, dataDir, n) {
  mkdirSync(dataDir, { recursive: true });
  const key = 'figures-key-0001';
  const proc = spawn(SANDBOX, ['--listen', '127.0.0.1:0', '--db', join(dataDir, 'sandbox.sqlite3'), '--api-key', key, '--log', 'error'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const base = await new Promise((res, rej) => {
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) res(m[1]);
    });
    proc.on('exit', (c) => rej(new Error(`sandbox exited ${c}`)));
  });
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
  const seconds = (performance.now() - t0) / 1000;
  proc.removeAllListeners('exit');
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  return seconds;
}

function freePort() {
  return new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function listFigures() {
  const { home, env } = profile();
  const seedSecs = await seed(env, join(home, 'data', IDENTIFIER), ROWS);
  const port = await freePort();
  const driverProc = spawn('tauri-driver', ['--port', String(port), '--native-port', String(await freePort())], {
    env,
    stdio: 'ignore',
  });
  await sleep(1_000);
  const driver = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: APP } })
    .build();
  try {
    const measures = async () =>
      driver.executeScript(
        "return performance.getEntriesByType('measure').map(m => [m.name, m.duration])",
      );
    const waitFor = async (count) => {
      await driver.wait(async () => (await measures()).filter(([n]) => n === 'list-load').length >= count, 120_000);
      return (await measures()).filter(([n]) => n === 'list-load' || n === 'list-render');
    };
    const first = await waitFor(1);
    const shown = await (await driver.wait(until.elementLocated(By.css('#list-count')), 10_000)).getText();
    const refreshes = [];
    for (let i = 0; i < RUNS; i++) {
      await (await driver.findElement(By.css('#refresh'))).click();
      const all = await waitFor(2 + i);
      const loads = all.filter(([n]) => n === 'list-load');
      const renders = all.filter(([n]) => n === 'list-render');
      refreshes.push({ load: loads.at(-1)[1], render: renders.at(-1)[1] });
    }
    const domRows = await driver.executeScript("return document.querySelectorAll('[data-row-name]').length");
    return { seedSecs, shown, first, refreshes, domRows };
  } finally {
    await driver.quit().catch(() => {});
    driverProc.kill();
    rmSync(home, { recursive: true, force: true });
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

const size = statSync(APP).size;
console.log(`release binary: ${APP}`);
console.log(`  size: ${(size / 1024 / 1024).toFixed(1)} MiB (${size} bytes)`);

const runs = [];
const dropped = dropCaches();
for (let i = 0; i < RUNS; i++) runs.push(await startupRun());
const warm = runs.slice(1);
console.log(`startup (${RUNS} runs, fresh profile each; the first after ${dropped ? 'dropping the page cache' : 'no cache drop (not permitted)'}):`);
console.log(`  cold, spawn to first paint (wall): ${runs[0].wall.toFixed(0)} ms (app's own clock from main: ${runs[0].internal} ms)`);
if (warm.length)
  console.log(`  warm, spawn to first paint (wall): median ${median(warm.map((r) => r.wall)).toFixed(0)} ms (app's own clock: ${median(warm.map((r) => r.internal))} ms)`);
const mem = runs.at(-1).mem;
console.log(`idle memory 5 s after first paint, PSS of the app's processes: ${(median(runs.map((r) => r.mem.total)) / 1024).toFixed(1)} MiB median (last run: ${mem.each.join(' + ')} MiB)`);

const list = await listFigures();
console.log(`list with ${ROWS} subscriptions in the sandbox (seeded in ${list.seedSecs.toFixed(1)} s):`);
console.log(`  shown: "${list.shown}", rows in the DOM (windowed): ${list.domRows}`);
const fmt = (xs) => xs.map(([n, d]) => `${n} ${d.toFixed(0)} ms`).join(', ');
console.log(`  first load at start: ${fmt(list.first)}`);
console.log(`  refresh (IPC + HTTP + JSON + render), median of ${RUNS}: ${median(list.refreshes.map((r) => r.load)).toFixed(0)} ms; render only: ${median(list.refreshes.map((r) => r.render)).toFixed(0)} ms`);
