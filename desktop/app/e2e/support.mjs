// What both WebDriver suites share: starting tauri-driver (which starts Debian's WebKitWebDriver,
// which starts the app) and a session on the debug binary with a fresh profile, and stopping them.
//
// Every process a suite starts runs in a process group of its own (`detached: true`) with its
// output going to a log file under target/desktop-e2e/logs, never to the test runner's stdio: a
// child that outlives its parent then cannot keep `node --test` waiting on an open pipe, and
// `stop()` can end the whole group (tauri-driver, WebKitWebDriver and the app) and wait for it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import net from 'node:net';
import { Builder } from 'selenium-webdriver';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = process.env.NFEHOOK_DESKTOP_BIN ?? join(ROOT, 'target/debug/nfehook-desktop');
export const LOGS = join(ROOT, 'target/desktop-e2e/logs');

/** How long a group gets to exit after SIGTERM before it is sent SIGKILL. */
const GRACE_MS = 5_000;

function freePort() {
  return new Promise((res, rej) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}

async function waitForPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), res(true)));
      s.on('error', () => res(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/** Every live process as `{ pid, pgid, exe }`, read from /proc (Linux; the suite runs there). */
export function processes() {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // Fields after the command name, which is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue; // a zombie has already exited; only its parent's wait is due
      let exe = '';
      try {
        exe = readlinkSync(`/proc/${name}/exe`);
      } catch {
        // Kernel threads and other users' processes have no readable exe.
      }
      out.push({ pid: Number(name), pgid: Number(rest[2]), exe: exe.replace(/ \(deleted\)$/, '') });
    } catch {
      // The process ended while it was being read.
    }
  }
  return out;
}

/** The processes still running the app binary, whoever started them. */
export function appProcesses() {
  const bin = resolve(BIN);
  return processes().filter((p) => p.exe === bin);
}

function groupAlive(pgid) {
  return processes().some((p) => p.pgid === pgid);
}

/**
 * Starts `command` in a process group of its own, its stdout and stderr going to
 * `target/desktop-e2e/logs/<name>.log`. Returns `{ child, log, stop }`; `stop()` sends SIGTERM to
 * the whole group, SIGKILL after a grace period, and resolves once no process of the group is left.
 */
export function startGroup(name, command, args, options = {}) {
  mkdirSync(LOGS, { recursive: true });
  const log = join(LOGS, `${name}.log`);
  const fd = openSync(log, 'w');
  let child;
  try {
    child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', fd, fd] });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(fd);
  }
  let exited = child.exitCode !== null;
  child.once('exit', () => (exited = true));
  // A spawn failure (ENOENT) is reported on 'error'; keep it from crashing the runner, the caller
  // sees it as a process that never starts listening.
  child.once('error', () => (exited = true));
  const pgid = child.pid;
  const signal = (sig) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      // ESRCH: the group is already empty.
    }
  };
  const stop = async () => {
    if (pgid === undefined) return;
    signal('SIGTERM');
    const end = Date.now() + GRACE_MS;
    while (groupAlive(pgid) && Date.now() < end) await sleep(50);
    if (groupAlive(pgid)) signal('SIGKILL');
    while (groupAlive(pgid)) await sleep(50);
    // The leader's exit status is collected by Node; wait for it so no zombie is left either.
    while (!exited) await sleep(20);
  };
  return { child, log, stop };
}

/**
 * Starts tauri-driver and a session on the app with a fresh profile (the app's data and config
 * dirs follow XDG). `env(home)` adds variables that depend on the profile's folder.
 * Returns `{ driver, home, stop }`; `stop()` ends the session, the process group of tauri-driver
 * (WebKitWebDriver and the app with it) and removes the profile.
 */
export async function startApp(prefix, env = () => ({})) {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const nativePort = await freePort();
  const driverGroup = startGroup(prefix.replace(/-$/, ''), 'tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), ...env(home) },
  });
  let driver;
  const stop = async () => {
    // quit() can hang on a wedged WebKitWebDriver; the group is ended below in any case.
    await Promise.race([driver?.quit().catch(() => {}), sleep(GRACE_MS)]);
    await driverGroup.stop();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, 20_000);
    driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}/`)
      .withCapabilities({ browserName: 'wry', 'tauri:options': { application: BIN } })
      .build();
    await driver.manage().setTimeouts({ implicit: 0, script: 20_000 });
  } catch (e) {
    await stop();
    throw new Error(`${e.message} (see ${driverGroup.log})`, { cause: e });
  }
  return { driver, home, stop };
}
