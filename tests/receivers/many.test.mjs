// Many receivers, one guard: four receiver processes (tests/receivers/receiver.mjs) share one
// real redis-server; a sender that behaves like ValidaNFe's (retry until 2xx with exponential
// backoff, a per-attempt timeout) delivers 1,000 distinct events, each sent to two or three
// processes at once; 10 % of handler calls fail; one receiver is killed with SIGKILL while it has
// events in flight. From the handlers' own logs: every event processed successfully exactly
// once, never two handlers of one event at the same time, nothing started after a success, and
// only the killed process's in-flight events ran again. Figures: target/receivers/figures.json.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nfehook, repoRoot } from '../../wasm/test/helpers.mjs';
import { freePort, startRedis } from '../../wasm/test/redis-server.mjs';

const EVENTS = 1000;
const RECEIVERS = 4;
const LEASE_SECONDS = 1.5;
const IN_FLIGHT = 48;
const ATTEMPT_TIMEOUT_MS = 5000;
const SECRET = 'whsec_many_receivers';
const out = join(repoRoot, 'target', 'receivers');
const logs = join(out, 'logs');

let redis;
const receivers = [];

/** Starts receiver `n` in its own process group, logging to files; resolves once it listens. */
async function startReceiver(n, handlerMs) {
  const port = await freePort();
  const eventsLog = join(logs, `receiver-${n}.events.jsonl`);
  const output = openSync(join(logs, `receiver-${n}.log`), 'w');
  const child = spawn(process.execPath, [join(repoRoot, 'tests', 'receivers', 'receiver.mjs')], {
    detached: true,
    stdio: ['ignore', output, output],
    env: { ...process.env, PORT: String(port), REDIS_URL: redis.url, SECRET, LEASE_SECONDS: String(LEASE_SECONDS), HANDLER_MS: String(handlerMs), EVENTS_LOG: eventsLog },
  });
  closeSync(output);
  const receiver = { n, port, child, eventsLog, exited: once(child, 'exit'), url: `http://127.0.0.1:${port}/webhook` };
  writeFileSync(eventsLog, '');
  receivers.push(receiver);
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) break;
    try {
      await fetch(receiver.url, { method: 'POST', body: '' });
      return receiver;
    } catch {
      await sleep(25);
    }
  }
  throw new Error(`receiver ${n} did not start; see ${join(logs, `receiver-${n}.log`)}`);
}

async function stopReceiver(receiver) {
  if (receiver.child.exitCode === null && receiver.child.signalCode === null) {
    try {
      process.kill(-receiver.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await receiver.exited;
  }
}

before(async () => {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  redis = await startRedis('receivers-redis');
  // The receiver to be killed (0) is slower, so that it is inside a handler when killed.
  await Promise.all(Array.from({ length: RECEIVERS }, (_, n) => startReceiver(n, n === 0 ? 150 : 16)));
});

after(async () => {
  await Promise.all(receivers.map(stopReceiver));
  if (redis) await redis.stop();
});

/** The handler calls every receiver logged: `{ id, kind, pid, t }` with `t` a bigint. */
function readEvents() {
  const entries = [];
  for (const receiver of receivers) {
    let text = '';
    try {
      text = readFileSync(receiver.eventsLog, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line) {
        const entry = JSON.parse(line);
        entries.push({ ...entry, t: BigInt(entry.t), receiver: receiver.n });
      }
    }
  }
  return entries;
}

test('1,000 events through four receivers sharing Redis: nothing lost, nothing applied twice', { timeout: 150_000 }, async () => {
  const figures = { events: EVENTS, receivers: RECEIVERS, copiesSent: 0, attempts: 0, retries: 0, statuses: {}, connectionErrors: 0 };
  const count = (key) => { figures.statuses[key] = (figures.statuses[key] || 0) + 1; };
  const victim = receivers[0];
  let killedAt = null;

  /** One copy of a delivery to `first`, retried (on any receiver) until a 2xx. */
  async function deliver(body, header, first) {
    let target = first;
    for (let attempt = 0; ; attempt++) {
      figures.attempts += 1;
      if (attempt > 0) figures.retries += 1;
      try {
        const response = await fetch(target.url, {
          method: 'POST', body, headers: { 'content-type': 'application/json', 'x-webhook-signature': header },
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        const reply = await response.json();
        count(response.status === 200 && reply.duplicate ? '200 duplicate' : String(response.status));
        if (response.ok) return;
      } catch {
        figures.connectionErrors += 1;
      }
      // Exponential backoff, as ValidaNFe's (scaled down), then any receiver: the balancer's pick.
      await sleep(Math.min(20 * 2 ** attempt, 400) * (0.5 + Math.random()));
      target = receivers[Math.floor(Math.random() * receivers.length)];
    }
  }

  const started = process.hrtime.bigint();
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < EVENTS) {
      const i = next++;
      const body = JSON.stringify({
        id: `evt-${String(i).padStart(4, '0')}`, event: i % 3 === 0 ? 'nfe.cancelada' : 'nfe.processada',
        timestamp: new Date().toISOString(),
        data: { nfeChave: '35170608530528000184550000000154301000771561', status: i % 3 === 0 ? 'cancelada' : 'processada' },
      });
      const header = nfehook.sign(body, SECRET);
      // Two or three copies at once, to different receivers.
      const copies = 2 + (i % 2);
      const offset = Math.floor(Math.random() * RECEIVERS);
      figures.copiesSent += copies;
      await Promise.all(Array.from({ length: copies }, (_, c) => deliver(body, header, receivers[(offset + c) % RECEIVERS])));
      sent += 1;
    }
  };

  // Kill the victim once a third of the events are out and it is inside a handler.
  const killer = (async () => {
    while (sent < EVENTS / 3) await sleep(5);
    for (;;) {
      const open = new Set();
      for (const line of readFileSync(victim.eventsLog, 'utf8').split('\n')) {
        if (!line) continue;
        const e = JSON.parse(line);
        if (e.kind === 'start') open.add(e.id);
        else open.delete(e.id);
      }
      if (open.size > 0) break;
      await sleep(1);
    }
    process.kill(-victim.child.pid, 'SIGKILL');
    await victim.exited;
    killedAt = process.hrtime.bigint();
  })();

  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  await killer;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  // Every handler call, per event, in start order.
  const byId = new Map();
  const entries = readEvents().sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  for (const entry of entries) {
    if (!byId.has(entry.id)) byId.set(entry.id, []);
    const calls = byId.get(entry.id);
    if (entry.kind === 'start') calls.push({ receiver: entry.receiver, start: entry.t, end: null, kind: null });
    else {
      const call = calls.find((c) => c.receiver === entry.receiver && c.end === null);
      call.end = entry.t;
      call.kind = entry.kind;
    }
  }

  // A call the SIGKILL cut short: it never ended, or it ended but its success was not yet
  // recorded (the process died between the handler's return and the answer).
  const cutShort = (call, nextCall) => call.receiver === victim.n && nextCall.start > killedAt
    && (call.end === null || call.kind === 'ok');
  let killedInFlight = 0;
  let failedCalls = 0;
  const show = (calls) => JSON.stringify(calls, (k, v) => (typeof v === 'bigint' ? String(v) : v));
  for (let i = 0; i < EVENTS; i++) {
    const id = `evt-${String(i).padStart(4, '0')}`;
    const calls = byId.get(id) || [];
    assert.ok(calls.some((c) => c.kind === 'ok'), `${id} was never processed successfully: ${show(calls)}`);
    failedCalls += calls.filter((c) => c.kind === 'fail').length;
    let again = false;
    for (let k = 1; k < calls.length; k++) {
      const previous = calls[k - 1];
      assert.ok(previous.end !== null || previous.receiver === victim.n, `${id}: a call never ended outside the killed receiver`);
      const previousEnd = previous.end === null ? killedAt : previous.end;
      assert.ok(calls[k].start > previousEnd, `${id}: two handlers ran at the same time: ${show(calls)}`);
      if (previous.kind !== 'fail') {
        assert.ok(cutShort(previous, calls[k]), `${id}: processed again after a success: ${show(calls)}`);
        again = true;
      }
    }
    if (again) killedInFlight += 1;
  }
  assert.ok(killedInFlight >= 1, 'the victim was killed inside a handler, and that event was processed again');
  assert.ok(failedCalls > EVENTS * 0.05, `the handlers failed ${failedCalls} times`);

  Object.assign(figures, {
    seconds: Number(seconds.toFixed(2)),
    attemptsPerSecond: Math.round(figures.attempts / seconds),
    eventsPerSecond: Math.round(EVENTS / seconds),
    handlerCalls: entries.filter((e) => e.kind === 'start').length,
    failedHandlerCalls: failedCalls,
    processedTwice: killedInFlight,
    processedTwiceOutsideTheKilledProcess: 0,
    concurrentHandlersOfOneEvent: 0,
  });
  writeFileSync(join(out, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(JSON.stringify(figures));
});
