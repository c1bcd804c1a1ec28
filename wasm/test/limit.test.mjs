// Bounded input: every body is measured against its limit before it is copied anywhere, a
// streamed body is cut off once past it, and nothing refused can hurt the next delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SECRET, listen, nfehook, pkgDir, require, specBody } from './helpers.mjs';

const { Webhook, PayloadTooLargeError, WebhookVerificationError, parseLimit } = nfehook;
const express = require('express');
const Fastify = require('fastify');
const webhookMiddleware = require(join(pkgDir, 'lib', 'express.cjs'));
const nfehookPlugin = require(join(pkgDir, 'lib', 'fastify.cjs'));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const MIB = 1024 * 1024;

function tooLarge(limit) {
  return (error) => {
    assert.ok(error instanceof PayloadTooLargeError);
    assert.ok(error instanceof WebhookVerificationError, 'caught where verification errors are');
    assert.deepEqual([error.code, error.statusCode, error.limit], ['payload_too_large', 413, limit]);
    return true;
  };
}

test('parseLimit reads bytes and the sizes body-parser users write, and refuses anything else', () => {
  assert.equal(parseLimit(undefined), MIB);
  assert.equal(nfehook.DEFAULT_BODY_LIMIT, MIB);
  assert.equal(parseLimit(0), 0);
  assert.equal(parseLimit(2048), 2048);
  assert.equal(parseLimit('1mb'), MIB);
  assert.equal(parseLimit('512kb'), 512 * 1024);
  assert.equal(parseLimit('100b'), 100);
  assert.equal(parseLimit('100'), 100);
  assert.equal(parseLimit(' 1.5 MB '), 1.5 * MIB);
  assert.equal(parseLimit('1gb'), 1024 * MIB);
  for (const bad of ['1 megabyte', '1m', '', 'mb', '-1kb', -1, 1.5, NaN, Infinity, null, {}, [1], true]) {
    assert.throws(() => parseLimit(bad), (error) => error instanceof TypeError && error.code === 'invalid_limit', String(bad));
  }
  assert.throws(() => new Webhook(SECRET, { limit: '1 mega' }), TypeError);
  assert.throws(() => webhookMiddleware({ secret: SECRET, limit: 'lots' }), TypeError);
});

test('verify refuses a body past the limit before reading it, for bytes and strings alike', () => {
  const webhook = new Webhook(SECRET, { limit: '1kb' });
  assert.equal(webhook.limit, 1024);
  const body = specBody();
  assert.equal(webhook.verify(body, nfehook.sign(body, SECRET)).id, 'delivery-uuid');
  assert.throws(() => webhook.verify('x'.repeat(1025), 'sha256=00'), tooLarge(1024));
  assert.throws(() => webhook.verify(new Uint8Array(1025), 'sha256=00'), tooLarge(1024));
  // 400 two-byte characters are 800 bytes of UTF-8; 600 of them are 1200.
  assert.throws(() => webhook.verify('ç'.repeat(400), 'sha256=00'), (error) => error.code === 'malformed_signature');
  assert.throws(() => webhook.verify('ç'.repeat(600), 'sha256=00'), tooLarge(1024));
  assert.throws(() => webhook.verifySignature('x'.repeat(2000), 'sha256=00'), tooLarge(1024));
  // A header past any sender's size is cut before it is copied, and still refused.
  assert.throws(() => webhook.verify(body, `sha256=${'0'.repeat(20000)}`), (error) => error.code === 'malformed_signature');
  // The same answer as for the header cut short: a valid signature beside junk passes.
  const valid = nfehook.sign(body, SECRET);
  assert.equal(webhook.verifySignature(body, `${valid},${'x'.repeat(100000)}`), webhook.verifySignature(body, `${valid},xx`));
  assert.equal(webhook.verifySignature(body, `sha256=${'0'.repeat(64)},${'x'.repeat(100000)}`), false);
});

test('after a refused 100 MB body, a normal verify still works and memory returns near its start', async () => {
  const webhook = new Webhook(SECRET);
  const body = specBody();
  const header = nfehook.sign(body, SECRET);
  webhook.verify(body, header);
  gc();
  const before = process.memoryUsage();

  // Streamed with no Content-Length: cut off just past the limit; the rest is never produced.
  let produced = 0;
  const chunk = new Uint8Array(64 * 1024);
  const stream = new ReadableStream({
    pull(controller) {
      produced += chunk.length;
      if (produced > 100 * MIB) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const streamed = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half', headers: { 'x-webhook-signature': header } });
  await assert.rejects(webhook.verifyRequest(streamed), tooLarge(MIB));
  assert.ok(produced < 2 * MIB, `read ${produced} bytes of a 100 MB stream`);

  // Declared too large: refused by Content-Length, the body is never read.
  const declared = { headers: new Headers({ 'content-length': String(100 * MIB) }), body: { getReader() { assert.fail('read'); } } };
  await assert.rejects(webhook.verifyRequest(declared), tooLarge(MIB));
  await assert.rejects(nfehook.verifyRequest(declared, SECRET, { limit: '2mb' }), tooLarge(2 * MIB));

  // Given whole: refused before anything is copied into the module's memory.
  let whole = Buffer.alloc(100 * MIB, 0x7b);
  assert.throws(() => webhook.verify(whole, header), tooLarge(MIB));
  assert.throws(() => new Webhook(SECRET, { limit: '1gb' }).verify(whole, header), tooLarge(32 * MIB),
    'no limit lifts the ceiling that keeps the module alive');
  whole = null;

  assert.equal(webhook.verify(body, header).id, 'delivery-uuid');
  assert.equal(nfehook.verifySignature(body, header, SECRET), true);
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  const now = process.memoryUsage();
  const grown = (now.arrayBuffers + now.external - before.arrayBuffers - before.external) / MIB;
  assert.ok(grown < 8, `external memory grew by ${grown.toFixed(1)} MiB`);
});

test('a large accepted body does not keep the scratch buffer large, and later bodies still verify', () => {
  const webhook = new Webhook(SECRET, { limit: '8mb' });
  const large = specBody(new Date(), { id: 'x'.repeat(6 * MIB) });
  assert.equal(webhook.verify(large, nfehook.sign(large, SECRET)).id.length, 6 * MIB);
  for (let i = 0; i < 50; i++) {
    const body = specBody(new Date(), { id: `small-${i}` });
    assert.equal(webhook.verify(body, nfehook.sign(body, SECRET)).id, `small-${i}`);
  }
});


async function send(url, body, headers = {}) {
  const response = await fetch(url, { method: 'POST', body, headers: { 'x-webhook-signature': nfehook.sign(body, SECRET), ...headers } });
  return { status: response.status, body: await response.json() };
}

test('Express and Fastify take the same size strings and answer 413 in the same JSON', async (t) => {
  const app = express();
  app.post('/hook', webhookMiddleware({ secret: SECRET, limit: '2kb' }), (req, res) => res.json({ received: true }));
  const expressUrl = `${await listen(createServer(app))}/hook`;

  const fastify = Fastify();
  await fastify.register(nfehookPlugin, { path: '/hook', secret: SECRET, bodyLimit: '2kb', handler: () => undefined });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => fastify.close());
  const fastifyUrl = `http://127.0.0.1:${fastify.server.address().port}/hook`;

  const refusal = { error: 'payload_too_large', message: 'request body exceeds the limit of 2048 bytes' };
  for (const url of [expressUrl, fastifyUrl]) {
    assert.deepEqual(await send(url, specBody()), { status: 200, body: { received: true } });
    assert.deepEqual(await send(url, 'x'.repeat(3000)), { status: 413, body: refusal }, url);
  }
  const wrong = Fastify();
  await assert.rejects(async () => {
    await wrong.register(nfehookPlugin, { secret: SECRET, bodyLimit: 'big', handler() {} });
    await wrong.ready();
  }, (error) => error.code === 'invalid_limit');
  await wrong.close();
});
