// The duplicate guard: two-phase claims (a renewed lease while the handler runs, `done` after
// success only), token-checked settling, NF-e state order, an unreachable store, and the same
// semantics through Express, Fastify and a web `Request` handler on real servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SECRET, listen, nfehook, pkgDir, require, specBody } from './helpers.mjs';

const { DuplicateGuard, MemoryDedupeStore, DedupeUnavailableError } = nfehook;
const express = require('express');
const Fastify = require('fastify');
const webhookMiddleware = require(join(pkgDir, 'lib', 'express.cjs'));
const nfehookPlugin = require(join(pkgDir, 'lib', 'fastify.cjs'));

const CHAVE = '35170608530528000184550000000154301000771561';

/** An event as `verify` gives it. */
function event(id, { at = new Date(), key = CHAVE, name = 'nfe.processada' } = {}) {
  return { id, event: name, timestamp: at.toISOString(), data: { nfeChave: key, status: name.slice(4) } };
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
function gate() {
  let open;
  const promise = new Promise((resolve) => { open = resolve; });
  return { promise, open };
}

/** A store whose every call fails, as a Redis client does while Redis is down. */
const downStore = Object.fromEntries(['begin', 'extend', 'complete', 'release', 'orderBegin', 'orderExtend', 'orderEnd']
  .map((name) => [name, async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:6379'); }]));

test('a claim is a lease first: a concurrent attempt is in_progress, success makes repeats duplicates', async () => {
  const guard = new DuplicateGuard();
  const first = await guard.claim(event('a'));
  assert.equal(first.status, 'claimed');
  assert.equal(first.granted, true);
  const during = await guard.claim(event('a'));
  assert.deepEqual([during.status, during.granted, during.retryAfterSeconds], ['in_progress', false, 60]);
  assert.equal(await first.complete(), true);
  assert.equal((await guard.claim('a')).status, 'duplicate');
  assert.equal(await first.complete(), false, 'a claim settles once');
  assert.equal((await guard.claim('b')).status, 'claimed', 'ids are independent');
  await assert.rejects(guard.claim({}), TypeError);
});

test('a failure frees the event so the next attempt processes it', async () => {
  const guard = new DuplicateGuard();
  const first = await guard.claim('x');
  assert.equal(await first.release(), true);
  const retry = await guard.claim('x');
  assert.equal(retry.status, 'claimed');
  await retry.complete();
  assert.equal((await guard.claim('x')).status, 'duplicate');
});

test('only the holder of a token completes or releases; a lapsed lease frees the event', async () => {
  const store = new MemoryDedupeStore();
  assert.equal(store.begin('e', 'token-1', 40), 'claimed');
  assert.equal(store.begin('e', 'token-2', 40), 'busy');
  assert.equal(store.complete('e', 'token-2', 1000), false);
  assert.equal(store.release('e', 'token-2'), false);
  assert.equal(store.extend('e', 'token-2', 1000), false);
  // A process killed mid-handler stops renewing: the lease lapses and the retry gets through.
  await sleep(60);
  assert.equal(store.begin('e', 'token-2', 1000), 'claimed');
  assert.equal(store.complete('e', 'token-1', 1000), false, 'the lapsed holder cannot complete over the new one');
  assert.equal(store.complete('e', 'token-2', 40), true);
  assert.equal(store.begin('e', 'token-3', 40), 'done');
  await sleep(60);
  assert.equal(store.begin('e', 'token-3', 40), 'claimed', 'done lasts its TTL');
  // A lapsed lease no one took since can still be completed: the work was done.
  assert.equal(store.begin('g', 'token-1', 20), 'claimed');
  await sleep(40);
  assert.equal(store.complete('g', 'token-1', 1000), true);
  assert.equal(store.begin('g', 'token-2', 20), 'done');
});

test('the lease is renewed while a slow handler runs, so no second attempt starts', async () => {
  const guard = new DuplicateGuard({ leaseSeconds: 0.06, ttlSeconds: 10 });
  const hold = gate();
  const running = guard.run(event('slow'), () => hold.promise.then(() => 'applied'));
  await sleep(200); // more than three lease lengths
  assert.equal((await guard.claim('slow')).status, 'in_progress');
  hold.open();
  assert.deepEqual(await running, { status: 'processed', value: 'applied' });
  assert.equal((await guard.claim('slow')).status, 'duplicate');
});

test('guard.run: processed with the value, a throw releases and rethrows, repeats skip the handler', async () => {
  const guard = new DuplicateGuard();
  let calls = 0;
  const apply = async (ev) => { calls += 1; if (calls === 1) throw new Error('database down'); return ev.id; };
  await assert.rejects(guard.run(event('r'), apply), /database down/);
  assert.deepEqual(await guard.run(event('r'), apply), { status: 'processed', value: 'r' });
  assert.deepEqual(await guard.run(event('r'), apply), { status: 'duplicate' });
  assert.equal(calls, 2);
  await assert.rejects(guard.run(event('r')), TypeError);
});

test('state order: an event older than the last applied one of its NF-e is stale, never applied', async () => {
  const guard = new DuplicateGuard({ stateOrder: true });
  const t = Date.now();
  const applied = [];
  const apply = (ev) => { applied.push(ev.event); };
  // The cancellation arrives first; the processada it cancels comes later, as a retry.
  assert.equal((await guard.run(event('c', { at: new Date(t), name: 'nfe.cancelada' }), apply)).status, 'processed');
  assert.deepEqual(await guard.run(event('p', { at: new Date(t - 5000) }), apply), { status: 'stale' });
  assert.deepEqual(await guard.run(event('p', { at: new Date(t - 5000) }), apply), { status: 'duplicate' },
    'a stale event is acknowledged once and remembered');
  assert.equal((await guard.run(event('later', { at: new Date(t + 1000), name: 'nfe.erro' }), apply)).status, 'processed');
  assert.equal((await guard.run(event('other-key', { at: new Date(t - 9000), key: 'k2' }), apply)).status, 'processed',
    'each NF-e has its own order');
  assert.deepEqual(applied, ['nfe.cancelada', 'nfe.erro', 'nfe.processada']);

  // Two events of one NF-e are never applied at once: the second waits (in_progress).
  const hold = gate();
  const first = guard.run(event('k3-a', { key: 'k3' }), () => hold.promise);
  await sleep(5);
  assert.equal((await guard.run(event('k3-b', { key: 'k3' }), apply)).status, 'in_progress');
  hold.open();
  await first;
  assert.equal((await guard.run(event('k3-b', { key: 'k3' }), apply)).status, 'processed');

  // A failed event records nothing: an older one of the same NF-e still applies.
  await assert.rejects(guard.run(event('k4-new', { key: 'k4', at: new Date(t) }), () => { throw new Error('no'); }));
  assert.equal((await guard.run(event('k4-old', { key: 'k4', at: new Date(t - 1000) }), apply)).status, 'processed');

  // Without the option, order is not checked.
  const plain = new DuplicateGuard();
  await plain.run(event('n1', { at: new Date(t) }), apply);
  assert.equal((await plain.run(event('n2', { at: new Date(t - 5000) }), apply)).status, 'processed');
});

test('an unreachable store refuses by default (503) and processes unguarded only when opted in', async () => {
  const guard = new DuplicateGuard({ store: downStore });
  await assert.rejects(guard.claim(event('u')), (error) => {
    assert.ok(error instanceof DedupeUnavailableError);
    assert.deepEqual([error.code, error.statusCode], ['dedupe_unavailable', 503]);
    assert.match(error.cause.message, /ECONNREFUSED/);
    return true;
  });
  const reported = [];
  const open = new DuplicateGuard({ store: downStore, failOpen: true, onError: (error) => reported.push(error.code) });
  assert.deepEqual(await open.run(event('u'), () => 'done anyway'), { status: 'processed', value: 'done anyway' });
  assert.deepEqual(reported, ['dedupe_unavailable']);
  assert.deepEqual(nfehook.replyFor(new DedupeUnavailableError(new Error('x'))).statusCode, 503);
});

test('options are checked: store methods, lease shorter than TTL, TTL covering the replay window', () => {
  assert.throws(() => new DuplicateGuard({ store: { add() {}, delete() {} } }), /needs begin, extend/);
  assert.throws(() => new DuplicateGuard({ ttlSeconds: 0 }), TypeError);
  assert.throws(() => new DuplicateGuard({ leaseSeconds: 100, ttlSeconds: 50 }), /shorter/);
  assert.throws(() => new DuplicateGuard({ onError: 'log' }), TypeError);
  assert.deepEqual([new DuplicateGuard().ttlSeconds, new DuplicateGuard().leaseSeconds], [86400, 60]);
  const short = new DuplicateGuard({ ttlSeconds: 600 });
  assert.throws(() => webhookMiddleware({ secret: SECRET, dedupe: short }), /less than the replay window/);
  assert.throws(() => nfehook.webhookHandler({ secret: SECRET, dedupe: short, handler() {} }), /less than the replay window/);
  assert.ok(webhookMiddleware({ secret: SECRET, toleranceSeconds: 300, dedupe: short }));
  assert.throws(() => webhookMiddleware({ secret: SECRET, dedupe: {} }), /DuplicateGuard/);
});

test('MemoryDedupeStore stays within maxEntries, dropping the oldest', () => {
  const store = new MemoryDedupeStore({ maxEntries: 3 });
  for (const id of ['a', 'b', 'c', 'd']) assert.equal(store.begin(id, 't', 60_000), 'claimed');
  assert.equal(store.size, 3);
  assert.equal(store.begin('a', 't2', 60_000), 'claimed', 'the oldest was dropped');
  assert.equal(store.begin('d', 't2', 60_000), 'busy');
  assert.throws(() => new MemoryDedupeStore({ maxEntries: 0 }), TypeError);
});

// ---------------------------------------------------------------------------------------------
// The same semantics through each framework helper, on real servers.


async function post(url, body, { signal } = {}) {
  const response = await fetch(url, {
    method: 'POST', body, signal, headers: { 'content-type': 'application/json', 'x-webhook-signature': nfehook.sign(body, SECRET) },
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : null };
}

/**
 * Runs the two-phase checks against one receiver at `url`, whose handler the test drives:
 * `behaviour.set(id, fn)` decides how the handler treats event `id`, `calls` counts them.
 */
async function twoPhase(url, behaviour, calls, retryAfter = '60') {
  // A concurrent attempt during the first is answered 409 (retried later), never 2xx.
  const hold = gate();
  behaviour.set('slow', () => hold.promise);
  const slowBody = specBody(new Date(), { id: 'slow' });
  const first = post(url, slowBody);
  while ((calls.get('slow') || 0) === 0) await sleep(2);
  // Longer than the lease: it is renewed while the handler runs.
  await sleep(400);
  const during = await post(url, slowBody);
  assert.deepEqual([during.status, during.body.error, during.retryAfter], [409, 'in_progress', retryAfter]);
  hold.open();
  assert.equal((await first).status, 200);
  assert.deepEqual((await post(url, slowBody)).body, { received: true, duplicate: true });
  assert.equal(calls.get('slow'), 1);

  // A non-2xx answer frees the event: the retry is processed.
  behaviour.set('fails-once', (n) => (n === 1 ? 503 : 200));
  const failsBody = specBody(new Date(), { id: 'fails-once' });
  assert.equal((await post(url, failsBody)).status, 503);
  assert.equal((await post(url, failsBody)).status, 200);
  assert.deepEqual((await post(url, failsBody)).body, { received: true, duplicate: true });
  assert.equal(calls.get('fails-once'), 2);

  // A thrown error frees it too.
  behaviour.set('throws-once', (n) => { if (n === 1) throw new Error('handler failed'); return 200; });
  const throwsBody = specBody(new Date(), { id: 'throws-once' });
  assert.equal((await post(url, throwsBody)).status, 500);
  assert.equal((await post(url, throwsBody)).status, 200);
  assert.equal(calls.get('throws-once'), 2);
}

/** Calls the behaviour set for the event, counting calls; resolves the status to answer. */
function driver() {
  const behaviour = new Map();
  const calls = new Map();
  const handle = async (event) => {
    const n = (calls.get(event.id) || 0) + 1;
    calls.set(event.id, n);
    const fn = behaviour.get(event.id);
    const result = fn === undefined ? 200 : await fn(n);
    return typeof result === 'number' ? result : 200;
  };
  return { behaviour, calls, handle };
}

/** Sends `body` and aborts once the handler has started it, as a sender whose timeout ran out. */
async function abandon(url, body, id, calls) {
  const controller = new AbortController();
  const attempt = post(url, body, { signal: controller.signal }).catch((error) => error);
  const before = calls.get(id) || 0;
  while ((calls.get(id) || 0) === before) await sleep(2);
  controller.abort();
  assert.equal((await attempt).name, 'AbortError');
}

/** Posts until the answer is not 409 (or gives up); resolves the last answer. */
async function untilNot409(url, body) {
  let answer;
  for (let i = 0; i < 200; i++) {
    answer = await post(url, body);
    if (answer.status !== 409) return answer;
    await sleep(10);
  }
  return answer;
}

test('Express: 409 during a claim, duplicate after success, freed by a non-2xx, an error or a lapsed lease', async () => {
  const { behaviour, calls, handle } = driver();
  const app = express();
  app.post('/hook', webhookMiddleware({ secret: SECRET, dedupe: new DuplicateGuard({ leaseSeconds: 1 }) }), (req, res, next) => {
    handle(req.nfehookEvent).then((status) => res.status(status).json({ status }), next);
  });
  app.use((error, req, res, next) => res.status(500).json({ error: error.message }));
  const base = await listen(createServer(app));
  await twoPhase(`${base}/hook`, behaviour, calls, '1');

  // The sender gives up (its timeout) while the handler runs, and the handler then succeeds:
  // the retry meanwhile is refused, and after the success it is a duplicate, processed once.
  const late = gate();
  behaviour.set('late-success', () => late.promise.then(() => 200));
  const lateBody = specBody(new Date(), { id: 'late-success' });
  await abandon(`${base}/hook`, lateBody, 'late-success', calls);
  assert.equal((await post(`${base}/hook`, lateBody)).status, 409);
  late.open();
  assert.deepEqual((await untilNot409(`${base}/hook`, lateBody)).body, { received: true, duplicate: true });
  assert.equal(calls.get('late-success'), 1);

  // The sender gives up and the handler never answers: the lease is no longer renewed, so it
  // lapses and the retry is processed; the event is not held for ever.
  behaviour.set('hangs', (n) => (n === 1 ? new Promise(() => {}) : 200));
  const hangsBody = specBody(new Date(), { id: 'hangs' });
  await abandon(`${base}/hook`, hangsBody, 'hangs', calls);
  const retry = await untilNot409(`${base}/hook`, hangsBody);
  assert.equal(retry.status, 200);
  assert.deepEqual(retry.body, { status: 200 });
  assert.equal(calls.get('hangs'), 2);

  // An unreachable store: 503, the handler never runs.
  const down = express();
  down.post('/hook', webhookMiddleware({ secret: SECRET, dedupe: new DuplicateGuard({ store: downStore }) }), () => assert.fail('ran unguarded'));
  const downBase = await listen(createServer(down));
  const refused = await post(`${downBase}/hook`, specBody());
  assert.deepEqual([refused.status, refused.body.error, refused.retryAfter], [503, 'dedupe_unavailable', '30']);
});

test('Fastify: the same semantics, with a reply code set by the handler', async (t) => {
  const { behaviour, calls, handle } = driver();
  const app = Fastify();
  await app.register(nfehookPlugin, {
    path: '/hook',
    secret: SECRET,
    dedupe: new DuplicateGuard({ stateOrder: true }),
    handler: async (event, request, reply) => {
      const status = await handle(event);
      reply.code(status);
      return { status };
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const url = `http://127.0.0.1:${app.server.address().port}/hook`;
  await twoPhase(url, behaviour, calls);

  const now = Date.now();
  const cancel = specBody(new Date(now), { id: 'cancel', event: 'nfe.cancelada' }).replace('"status":"processada"', '"status":"cancelada"');
  assert.equal((await post(url, cancel)).status, 200);
  const late = specBody(new Date(now - 60_000), { id: 'late-processada' });
  assert.deepEqual(await post(url, late), { status: 200, retryAfter: null, body: { received: true, stale: true } });
  assert.equal(calls.get('late-processada'), undefined, 'a stale event never reaches the handler');
});

test('web Request handler: webhookHandler gives the same answers', async () => {
  const { behaviour, calls, handle } = driver();
  const guard = new DuplicateGuard();
  const handler = nfehook.webhookHandler({
    secret: SECRET,
    dedupe: guard,
    handler: async (event) => {
      const status = await handle(event);
      return status === 200 ? undefined : Response.json({ status }, { status });
    },
  });
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers, body: Buffer.concat(chunks) });
    let response;
    try {
      response = await handler(request);
    } catch {
      response = Response.json({ error: 'handler failed' }, { status: 500 });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  const base = await listen(server);
  await twoPhase(`${base}/api/webhook`, behaviour, calls);
  const bad = await fetch(`${base}/api/webhook`, { method: 'POST', body: specBody(), headers: { 'x-webhook-signature': 'sha256=00' } });
  assert.deepEqual([bad.status, (await bad.json()).error], [400, 'malformed_signature']);
  const plain = specBody(new Date(), { id: 'plain' });
  const ok = await handler(new Request('http://x/', { method: 'POST', body: plain, headers: { 'x-webhook-signature': nfehook.sign(plain, SECRET) } }));
  assert.deepEqual([ok.status, await ok.json()], [200, { received: true }]);
  assert.throws(() => nfehook.webhookHandler({ secret: SECRET }), TypeError);
  assert.throws(() => nfehook.webhookHandler({ handler() {} }), TypeError);
});
