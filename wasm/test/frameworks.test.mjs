// Express, Fastify and a web `Request` handler, each a real server on 127.0.0.1 (port 0)
// receiving real signed POSTs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { SECRET, listen, nfehook, pkgDir, require, specBody } from './helpers.mjs';

const express = require('express');
const Fastify = require('fastify');
const webhookMiddleware = require(join(pkgDir, 'lib', 'express.cjs'));
const nfehookPlugin = require(join(pkgDir, 'lib', 'fastify.cjs'));

/** POSTs `body` to `url`, signed with `secret` unless `headers` says otherwise. */
async function post(url, body, { secret = SECRET, headers = {} } = {}) {
  const response = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-webhook-signature': nfehook.sign(body, secret), ...headers },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

test('Express: the middleware verifies, hands over the event, and answers 400/413 itself', async () => {
  const received = [];
  const app = express();
  app.use(express.json()); // the application's parser for other routes must not break the webhook
  app.post('/other', (req, res) => res.json({ parsed: req.body }));
  const router = express();
  router.post('/webhooks/validanfe', webhookMiddleware({ secret: SECRET, limit: 64 * 1024 }), (req, res) => {
    received.push({ event: req.nfehookEvent, body: req.body, raw: req.rawBody.toString('utf8') });
    res.json({ received: true });
  });
  const strict = express();
  strict.post('/hook', webhookMiddleware({ secret: SECRET, dedupe: new nfehook.DuplicateGuard() }), (req, res) => {
    if (req.nfehookEvent.data.status === 'erro') return res.status(500).json({ failed: true });
    res.json({ ok: req.nfehookEvent.id });
  });
  const base = await listen(createServer(router));
  const strictBase = await listen(createServer(strict));
  const otherBase = await listen(createServer(app));

  const body = specBody();
  const ok = await post(`${base}/webhooks/validanfe`, body);
  assert.deepEqual(ok, { status: 200, body: { received: true } });
  assert.equal(received.length, 1);
  assert.equal(received[0].event.id, 'delivery-uuid');
  assert.equal(received[0].event.data.valor, '1500.00');
  assert.deepEqual(received[0].body, received[0].event);
  assert.equal(received[0].raw, body);

  const bad = await post(`${base}/webhooks/validanfe`, body, { secret: 'whsec_wrong' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'signature_mismatch');
  assert.match(bad.body.message, /mismatch/);
  const missing = await post(`${base}/webhooks/validanfe`, body, { headers: { 'x-webhook-signature': '' } });
  assert.equal(missing.body.error, 'missing_signature');
  const huge = await post(`${base}/webhooks/validanfe`, 'x'.repeat(70 * 1024));
  assert.deepEqual([huge.status, huge.body.error], [413, 'payload_too_large']);
  assert.equal(received.length, 1);

  // Dedupe: a repeat is acknowledged without the handler; a failed one is released for the retry.
  assert.deepEqual(await post(`${strictBase}/hook`, body), { status: 200, body: { ok: 'delivery-uuid' } });
  assert.deepEqual(await post(`${strictBase}/hook`, body), { status: 200, body: { received: true, duplicate: true } });
  const failing = specBody(new Date(), { id: 'failing' }).replace('"status":"processada"', '"status":"erro"');
  assert.equal((await post(`${strictBase}/hook`, failing)).status, 500);
  assert.equal((await post(`${strictBase}/hook`, failing)).status, 500, 'released after the failure, so processed again');

  // Mounted after express.json(): the parsed body is refused with an explanation (500).
  const afterJson = express();
  afterJson.use(express.json());
  afterJson.post('/hook', webhookMiddleware({ secret: SECRET }), (req, res) => res.json({}));
  afterJson.use((error, req, res, next) => res.status(500).json({ message: error.message }));
  const afterBase = await listen(createServer(afterJson));
  const refused = await post(`${afterBase}/hook`, body);
  assert.equal(refused.status, 500);
  assert.match(refused.body.message, /already parsed/);
  // With express.raw() first, the middleware uses the Buffer it left.
  const withRaw = express();
  withRaw.post('/hook', express.raw({ type: 'application/json' }), webhookMiddleware({ secret: SECRET }), (req, res) => res.json({ id: req.nfehookEvent.id }));
  const rawBase = await listen(createServer(withRaw));
  assert.deepEqual(await post(`${rawBase}/hook`, body), { status: 200, body: { id: 'delivery-uuid' } });
  assert.deepEqual((await post(`${otherBase}/other`, '{"a":1}')).body, { parsed: { a: 1 } });
  // Express 4's body-parser leaves `{}` when its type did not match, with the stream unread.
  const placeholder = express();
  placeholder.post('/hook', (req, res, next) => { req.body = {}; next(); }, webhookMiddleware({ secret: SECRET }), (req, res) => res.json({ id: req.nfehookEvent.id }));
  const placeholderBase = await listen(createServer(placeholder));
  assert.deepEqual(await post(`${placeholderBase}/hook`, body), { status: 200, body: { id: 'delivery-uuid' } });
  assert.throws(() => webhookMiddleware({}), TypeError);
});

test('Fastify: the plugin route verifies the raw body; other routes keep the JSON parser', async (t) => {
  const app = Fastify();
  const events = [];
  app.post('/other', async (request) => ({ parsed: request.body }));
  await app.register(nfehookPlugin, {
    path: '/webhooks/validanfe',
    secret: ['whsec_new', SECRET],
    dedupe: new nfehook.DuplicateGuard(),
    handler: async (event, request) => {
      events.push(event);
      assert.equal(request.nfehookEvent, event);
      if (event.id === 'boom') throw new Error('handler failed');
      if (event.id === 'custom') return { custom: true };
      return undefined;
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const base = `http://127.0.0.1:${app.server.address().port}`;

  const body = specBody();
  assert.deepEqual(await post(`${base}/webhooks/validanfe`, body), { status: 200, body: { received: true } });
  assert.equal(events[0].data.emitente.razaoSocial, 'Empresa Exemplo LTDA');
  assert.deepEqual(await post(`${base}/webhooks/validanfe`, body), { status: 200, body: { received: true, duplicate: true } });
  assert.equal(events.length, 1);
  const custom = specBody(new Date(), { id: 'custom' });
  assert.deepEqual(await post(`${base}/webhooks/validanfe`, custom, { secret: 'whsec_new' }), { status: 200, body: { custom: true } });

  const bad = await post(`${base}/webhooks/validanfe`, body, { secret: 'whsec_wrong' });
  assert.deepEqual([bad.status, bad.body.error], [400, 'signature_mismatch']);
  const stale = specBody(new Date(Date.now() - 7200_000), { id: 'stale' });
  const old = await post(`${base}/webhooks/validanfe`, stale);
  assert.deepEqual([old.status, old.body.error], [400, 'timestamp_too_old']);
  const textBody = await post(`${base}/webhooks/validanfe`, body, { headers: { 'content-type': 'text/plain' } });
  assert.equal(textBody.status, 200, 'any content type reaches the raw-body parser');

  const boom = specBody(new Date(), { id: 'boom' });
  assert.equal((await post(`${base}/webhooks/validanfe`, boom)).status, 500);
  assert.equal((await post(`${base}/webhooks/validanfe`, boom)).status, 500, 'released after the failure');
  assert.deepEqual((await post(`${base}/other`, '{"a":1}')).body, { parsed: { a: 1 } });
});

test('web Request handler: verifyRequest inside a fetch-style handler', async () => {
  // The shape of a Next.js route handler, Hono, Bun or Deno: Request in, Response out.
  const webhook = new nfehook.Webhook(SECRET);
  async function handle(request) {
    try {
      const event = await nfehook.verifyRequest(request, webhook);
      return Response.json({ received: event.id, valor: event.data.valor });
    } catch (error) {
      if (error instanceof nfehook.WebhookVerificationError) {
        return Response.json({ error: error.code }, { status: error.statusCode });
      }
      throw error;
    }
  }
  // A plain Node server adapting each request to a web Request, as those runtimes do.
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method, headers: req.headers, body: Buffer.concat(chunks),
    });
    const response = await handle(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  const base = await listen(server);

  const body = specBody();
  assert.deepEqual(await post(`${base}/api/webhook`, body), { status: 200, body: { received: 'delivery-uuid', valor: '1500.00' } });
  assert.deepEqual(await post(`${base}/api/webhook`, body, { secret: 'x' }), { status: 400, body: { error: 'signature_mismatch' } });
  const fallback = await post(`${base}/api/webhook`, body, {
    headers: { 'x-webhook-signature': '', 'x-validanfe-signature': nfehook.sign(body, SECRET) },
  });
  assert.equal(fallback.status, 400, 'an empty primary header is what was sent');
  const onlyFallback = await fetch(`${base}/api/webhook`, {
    method: 'POST', body, headers: { 'X-ValidaNFe-Signature': nfehook.sign(body, SECRET) },
  });
  assert.equal(onlyFallback.status, 200);
});
