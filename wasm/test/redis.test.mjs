// `nfehook/redis` against a real redis-server started for this suite, with each client users
// run: node-redis (current and v4) and ioredis. Two clients stand for two receiver processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SECRET, nfehook, pkgDir, require, specBody } from './helpers.mjs';
import { startRedis } from './redis-server.mjs';

const { RedisDedupeStore, RedisTimeoutError } = require(join(pkgDir, 'lib', 'redis.cjs'));
const { DuplicateGuard, DedupeUnavailableError } = nfehook;
const express = require('express');
const webhookMiddleware = require(join(pkgDir, 'lib', 'express.cjs'));

let redis;
before(async () => {
  redis = await startRedis('redis-store');
});
after(async () => {
  await redis.stop();
});

const IoRedis = require('ioredis').Redis ?? require('ioredis');

const CLIENTS = {
  'node-redis': {
    connect: (url) => require('redis').createClient({ url }).connect(),
    close: (client) => client.destroy(),
  },
  'node-redis v4': {
    connect: async (url) => {
      const client = require('redis4').createClient({ url });
      await client.connect();
      return client;
    },
    close: (client) => client.disconnect(),
  },
  ioredis: {
    connect: async (url) => {
      const client = new IoRedis(url, { maxRetriesPerRequest: 1 });
      await once(client, 'ready');
      return client;
    },
    close: (client) => client.disconnect(),
  },
};

let prefixes = 0;

for (const [name, kind] of Object.entries(CLIENTS)) {
  describe(`RedisDedupeStore with ${name}`, () => {
    let one;
    let two;
    before(async () => {
      one = await kind.connect(redis.url);
      two = await kind.connect(redis.url);
    });
    after(async () => {
      await kind.close(one);
      await kind.close(two);
    });
    const stores = () => {
      const prefix = `t${(prefixes += 1)}:`;
      return [new RedisDedupeStore(one, { prefix }), new RedisDedupeStore(two, { prefix })];
    };

    test('begin, renew, complete and release are atomic and token-checked', async () => {
      const [a, b] = stores();
      assert.equal(await a.begin('e', 'token-1', 200), 'claimed');
      assert.equal(await b.begin('e', 'token-2', 200), 'busy', 'the other process sees the lease');
      assert.equal(await b.complete('e', 'token-2', 1000), false);
      assert.equal(await b.release('e', 'token-2'), false);
      assert.equal(await b.extend('e', 'token-2', 1000), false);
      assert.equal(await a.extend('e', 'token-1', 1000), true);
      assert.equal(await a.complete('e', 'token-1', 60_000), true);
      assert.equal(await b.begin('e', 'token-3', 200), 'done');
      assert.equal(await a.release('e', 'token-1'), false, 'a done mark is not a lease');

      assert.equal(await a.begin('f', 'token-1', 60), 'claimed');
      await sleep(120);
      assert.equal(await b.begin('f', 'token-2', 1000), 'claimed', 'a lapsed lease (dead process) frees the event');
      assert.equal(await a.complete('f', 'token-1', 1000), false);
      assert.equal(await b.release('f', 'token-2'), true);
      assert.equal(await a.begin('f', 'token-4', 1000), 'claimed');

      assert.equal(await a.begin('g', 'token-1', 30), 'claimed');
      await sleep(80);
      assert.equal(await a.complete('g', 'token-1', 1000), true, 'a lapsed lease no one took can be completed');
      assert.equal(await b.begin('g', 'token-2', 1000), 'done');
    });

    test('state order: stale, busy and the applied time that never moves back', async () => {
      const [a, b] = stores();
      const key = '35170608530528000184550000000154301000771561';
      assert.equal(await a.orderBegin(key, 't1', 2000, 1000), 'claimed');
      assert.equal(await b.orderBegin(key, 't2', 3000, 1000), 'busy');
      assert.equal(await a.orderExtend(key, 't1', 1000), true);
      assert.equal(await b.orderExtend(key, 't2', 1000), false);
      assert.equal(await a.orderEnd(key, 't1', 2000, 60_000), true);
      assert.equal(await b.orderBegin(key, 't2', 1000, 1000), 'stale');
      assert.equal(await b.orderBegin(key, 't2', 2500, 1000), 'claimed');
      assert.equal(await b.orderEnd(key, 't2', null, 60_000), true, 'a failure records nothing');
      assert.equal(await a.orderBegin(key, 't3', 2100, 1000), 'claimed');
      assert.equal(await a.orderEnd(key, 'lapsed-token', 5000, 60_000), false);
      assert.equal(await a.orderEnd(key, 't3', 2100, 60_000), true);
      assert.equal(await b.orderBegin(key, 't4', 4000, 1000), 'stale', '5000 was recorded and 2100 did not move it back');
    });

    test('two guards on two connections: one processes, the other waits, then sees the duplicate', async () => {
      const [a, b] = stores();
      const guardA = new DuplicateGuard({ store: a });
      const guardB = new DuplicateGuard({ store: b, stateOrder: true });
      const event = JSON.parse(specBody(new Date(), { id: `shared-${name}` }));
      const claim = await guardA.claim(event);
      assert.equal(claim.status, 'claimed');
      assert.equal((await guardB.claim(event)).status, 'in_progress');
      assert.equal(await claim.complete(), true);
      assert.deepEqual(await guardB.run(event, () => assert.fail('processed twice')), { status: 'duplicate' });
      const next = JSON.parse(specBody(new Date(), { id: `next-${name}` }));
      assert.deepEqual(await guardB.run(next, () => 'ok'), { status: 'processed', value: 'ok' });
      const older = JSON.parse(specBody(new Date(Date.now() - 60_000), { id: `older-${name}` }));
      assert.deepEqual(await guardB.run(older, () => assert.fail('stale applied')), { status: 'stale' });
    });
  });
}

describe('an unreachable Redis', () => {
  let client;
  before(async () => {
    client = await CLIENTS['node-redis'].connect(redis.url);
  });
  after(async () => {
    redis.resume();
    await CLIENTS['node-redis'].close(client);
  });

  test('answers 503 in the middleware and processes nothing, then recovers', async (t) => {
    const store = new RedisDedupeStore(client, { prefix: 'down:', commandTimeoutMs: 200 });
    const guard = new DuplicateGuard({ store });
    let handled = 0;
    const app = express();
    app.post('/hook', webhookMiddleware({ secret: SECRET, dedupe: guard }), (req, res) => {
      handled += 1;
      res.json({ received: true });
    });
    const server = createServer(app);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => {
      server.closeAllConnections();
      server.close();
    });
    const url = `http://127.0.0.1:${server.address().port}/hook`;
    const body = specBody(new Date(), { id: 'while-down' });
    const send = async () => {
      const response = await fetch(url, { method: 'POST', body, headers: { 'x-webhook-signature': nfehook.sign(body, SECRET) } });
      return { status: response.status, body: await response.json() };
    };

    redis.pause();
    await assert.rejects(store.begin('x', 't', 1000), RedisTimeoutError);
    await assert.rejects(guard.claim('x'), DedupeUnavailableError);
    const refused = await send();
    assert.deepEqual([refused.status, refused.body.error], [503, 'dedupe_unavailable']);
    assert.equal(handled, 0, 'nothing is processed unguarded');
    redis.resume();

    let accepted;
    for (let i = 0; i < 50; i++) {
      accepted = await send();
      if (accepted.status === 200) break;
      await sleep(50);
    }
    assert.deepEqual(accepted, { status: 200, body: { received: true } });
    assert.equal(handled, 1);
    assert.deepEqual((await send()).body, { received: true, duplicate: true });
  });

  test('a client that is not a Redis client is refused at once', () => {
    assert.throws(() => new RedisDedupeStore({}), TypeError);
    assert.throws(() => new RedisDedupeStore(client, { commandTimeoutMs: 0 }), TypeError);
    assert.throws(() => new RedisDedupeStore(client, { prefix: 1 }), TypeError);
  });
});
