// What both WebDriver suites share: starting tauri-driver (which starts Debian's WebKitWebDriver)
// and a session on the debug binary with a fresh profile, and stopping them.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import net from 'node:net';
import { Builder } from 'selenium-webdriver';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = process.env.NFEHOOK_DESKTOP_BIN ?? join(ROOT, 'target/debug/nfehook-desktop');

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

/**
 * Starts tauri-driver and a session on the app with a fresh profile (the app's data and config
 * dirs follow XDG). `env(home)` adds variables that depend on the profile's folder.
 * Returns `{ driver, stop }`; `stop()` ends the session and the driver and removes the profile.
 */
export async function startApp(prefix, env = () => ({})) {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  const nativePort = await freePort();
  const driverProc = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config'), ...env(home) },
  });
  let driver;
  const stop = async () => {
    await driver?.quit().catch(() => {});
    driverProc.kill();
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
    throw e;
  }
  return { driver, stop };
}
