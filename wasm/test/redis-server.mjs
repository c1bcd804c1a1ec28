// A real `redis-server` (the Debian package) for a test: its own process group, on 127.0.0.1
// with a free port, no persistence, its output in a log file under target/node-tests/logs;
// `stop()` kills the group and waits for it, and an exiting test process kills it too.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from './helpers.mjs';

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Whether a Redis on `port` answers PING within `ms`. */
function pings(port, ms) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(ms, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** Starts redis-server; resolves `{ port, url, pause(), resume(), stop() }`. */
export async function startRedis(name = 'redis') {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'nfehook-redis-'));
  const logs = join(repoRoot, 'target', 'node-tests', 'logs');
  mkdirSync(logs, { recursive: true });
  const log = openSync(join(logs, `${name}-${port}.log`), 'w');
  const child = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
  ], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = once(child, 'exit');
  const kill = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', kill);
  const failed = await Promise.race([exited.then(() => true), (async () => {
    for (let i = 0; i < 200; i++) {
      if (await pings(port, 200)) return false;
      await sleep(25);
    }
    return true;
  })()]);
  if (failed) {
    kill();
    throw new Error(`redis-server did not start on port ${port}; see target/node-tests/logs/${name}-${port}.log`);
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    /** Freezes the server (SIGSTOP): connections stay open and nothing answers. */
    pause: () => process.kill(-child.pid, 'SIGSTOP'),
    resume: () => process.kill(-child.pid, 'SIGCONT'),
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
