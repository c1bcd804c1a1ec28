// One receiver process of the many-receivers suite: Fastify with the `nfehook/fastify` plugin,
// a DuplicateGuard shared through Redis (`nfehook/redis` on node-redis), and a handler that
// takes a few milliseconds, fails 10 % of the time, and logs when each call starts and ends.
// Environment: PORT, REDIS_URL, SECRET, LEASE_SECONDS, HANDLER_MS (the longest a call takes),
// EVENTS_LOG (a JSON-lines file).
import { createRequire } from 'node:module';
import { openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const repoRoot = join(fileURLToPath(import.meta.url), '..', '..', '..');
const require = createRequire(join(repoRoot, 'wasm', 'package.json'));
const { DuplicateGuard } = require(join(repoRoot, 'wasm', 'pkg', 'lib', 'index.cjs'));
const { RedisDedupeStore } = require(join(repoRoot, 'wasm', 'pkg', 'lib', 'redis.cjs'));
const nfehookPlugin = require(join(repoRoot, 'wasm', 'pkg', 'lib', 'fastify.cjs'));
const Fastify = require('fastify');
const { createClient } = require('redis');

const log = openSync(process.env.EVENTS_LOG, 'a');
// Written synchronously, so a line is on disk before the handler goes on: a SIGKILL loses
// nothing that happened.
const record = (entry) => writeSync(log, `${JSON.stringify({ ...entry, pid: process.pid, t: String(process.hrtime.bigint()) })}\n`);

const redis = await createClient({ url: process.env.REDIS_URL }).connect();
const guard = new DuplicateGuard({
  store: new RedisDedupeStore(redis),
  leaseSeconds: Number(process.env.LEASE_SECONDS),
  onError: (error) => console.error(error.message),
});

const app = Fastify();
await app.register(nfehookPlugin, {
  path: '/webhook',
  secret: process.env.SECRET,
  dedupe: guard,
  handler: async (event) => {
    record({ id: event.id, kind: 'start' });
    await sleep(1 + Math.random() * (Number(process.env.HANDLER_MS) - 1));
    const failed = Math.random() < 0.1;
    record({ id: event.id, kind: failed ? 'fail' : 'ok' });
    if (failed) throw new Error('simulated handler failure');
  },
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log(`listening on ${process.env.PORT}`);
