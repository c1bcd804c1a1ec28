// Both ValidaNFe delivery dialects on one endpoint (spec section 5): the subscription body with
// X-Webhook-Signature and the account webhook's (`evento`, `dados`) with X-ValidaNFe-Signature,
// through Webhook, verifyRequest, the Express and Fastify receivers and the test signer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { SECRET, listen, nfehook, pkgDir, require } from './helpers.mjs';

const { Webhook, WebhookVerificationError, DuplicateGuard, generateTestDelivery } = nfehook;
const express = require('express');
const Fastify = require('fastify');
const webhookMiddleware = require(join(pkgDir, 'lib', 'express.cjs'));
const nfehookPlugin = require(join(pkgDir, 'lib', 'fastify.cjs'));

const CHAVE = '52060433009911002506550120000007800267301615';

/** One test event of each of the six known events, in its own dialect. */
const SIX = [
  { event: 'nfe.processada', data: { nfeChave: CHAVE, valor: '1500.00' } },
  { event: 'nfe.cancelada', data: { nfeChave: CHAVE } },
  { event: 'nfe.erro', data: { nfeChave: CHAVE } },
  { event: 'nfe.consulta.concluida', data: { nfeChave: CHAVE, status: 'autorizada', tipoConsulta: 'completa' } },
  { event: 'nfe.consulta.erro', data: { nfeChave: CHAVE, erroCodigo: '404', erroMensagem: 'NF-e não encontrada' } },
  { event: 'guarda.upload.concluido', data: { nfeChave: CHAVE, arquivoId: 'f3', urlDownload: 'https://api.validanfe.com/f3' } },
];

test('generateTestDelivery writes each event in its dialect, and verify reads it back the same', () => {
  const webhook = new Webhook(SECRET);
  for (const input of SIX) {
    const { body, headers } = generateTestDelivery(input, SECRET);
    const account = nfehook.EVENT_NAMES.indexOf(input.event) >= 3;
    const parsed = JSON.parse(body);
    assert.equal(parsed[account ? 'evento' : 'event'], input.event);
    const name = account ? 'x-validanfe-signature' : 'x-webhook-signature';
    assert.deepEqual(Object.keys(headers), ['content-type', name]);
    assert.match(headers[name], account ? /^[0-9a-f]{64}$/ : /^sha256=[0-9a-f]{64}$/);
    const event = webhook.verify(body, headers);
    assert.equal(event.dialect, account ? 'account' : 'subscription');
    assert.equal(event.event, input.event);
    assert.equal(event.data.nfeChave, CHAVE);
    for (const [field, value] of Object.entries(input.data)) assert.equal(event.data[field], value, field);
    if (account) {
      assert.deepEqual(Object.keys(parsed.dados).sort(), Object.keys(input.data).map(snake).sort());
      assert.match(event.id, /^sha256:[0-9a-f]{64}$/);
    } else {
      assert.equal(event.data.status, input.event.slice('nfe.'.length));
      assert.equal(event.id, parsed.id);
    }
  }
  webhook.dispose();
});

function snake(name) {
  return name === 'nfeChave' ? 'chave_nfe' : name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

test('the account id is a stable digest of the signed body: the same body, the same id', () => {
  const webhook = new Webhook(SECRET);
  const timestamp = new Date();
  const first = generateTestDelivery({ ...SIX[3], timestamp }, SECRET);
  const again = generateTestDelivery({ ...SIX[3], timestamp }, SECRET);
  assert.equal(first.body, again.body);
  assert.equal(webhook.verify(first.body, first.headers).id, webhook.verify(again.body, again.headers).id);
  const other = generateTestDelivery({ ...SIX[4], timestamp }, SECRET);
  assert.notEqual(webhook.verify(other.body, other.headers).id, webhook.verify(first.body, first.headers).id);
});

test('typed errors in the account dialect: wrong secret, sha1=, stale, not an event', () => {
  const webhook = new Webhook(SECRET);
  const old = new Date(Date.now() - 7200 * 1000);
  const { body, headers } = generateTestDelivery({ ...SIX[4], timestamp: old }, SECRET);
  const code = (bodyText, signature) => {
    try {
      webhook.verify(bodyText, signature);
      return 'ok';
    } catch (error) {
      assert.ok(error instanceof WebhookVerificationError);
      return error.code;
    }
  };
  const fresh = generateTestDelivery(SIX[4], SECRET);
  assert.equal(code(fresh.body, { 'x-validanfe-signature': nfehook.sign(fresh.body, 'whsec_other') }), 'signature_mismatch');
  assert.equal(code(fresh.body, { 'x-validanfe-signature': 'sha1=' + 'a'.repeat(40) }), 'malformed_signature');
  assert.equal(code(body, headers), 'timestamp_too_old');
  const notEvent = '{"evento":"nfe.consulta.erro","timestamp":"2024-03-10T16:45:30Z"}';
  assert.equal(code(notEvent, { 'x-validanfe-signature': nfehook.sign(notEvent, SECRET) }), 'invalid_payload');
  assert.throws(() => generateTestDelivery({ dialect: 'conta', event: 'x', data: { nfeChave: 'k' } }, SECRET), /unknown dialect/);
});

test('the header names and event names come from the core, subscription first', () => {
  assert.equal(nfehook.SIGNATURE_HEADER, 'x-webhook-signature');
  assert.equal(nfehook.ACCOUNT_SIGNATURE_HEADER, 'x-validanfe-signature');
  assert.deepEqual(nfehook.EVENT_NAMES, SIX.map((input) => input.event));
  assert.ok(Object.isFrozen(nfehook.EVENT_NAMES));
  // Both headers present: X-Webhook-Signature is the one read.
  const { body, headers } = generateTestDelivery(SIX[3], SECRET);
  const both = { 'x-webhook-signature': 'sha256=' + '0'.repeat(64), ...headers };
  assert.throws(() => new Webhook(SECRET).verify(body, both), (error) => error.code === 'signature_mismatch');
});

test('verifyRequest takes the account header', async () => {
  const { body, headers } = generateTestDelivery(SIX[5], SECRET);
  const request = new Request('https://example.test/hook', { method: 'POST', body, headers });
  const event = await nfehook.verifyRequest(request, SECRET);
  assert.equal(event.dialect, 'account');
  assert.equal(event.data.urlDownload, 'https://api.validanfe.com/f3');
});


test('Express and Fastify receive both dialects on one endpoint, repeats dropped by id', async () => {
  const seen = [];
  const app = express();
  app.post('/hook', webhookMiddleware({ secret: SECRET, dedupe: new DuplicateGuard() }), (req, res) => {
    seen.push(['express', req.nfehookEvent.dialect, req.nfehookEvent.event]);
    res.json({ ok: true });
  });
  const fastify = Fastify();
  await fastify.register(nfehookPlugin, {
    secret: SECRET,
    path: '/hook',
    handler: (event) => {
      seen.push(['fastify', event.dialect, event.event]);
    },
  });
  const expressBase = await listen(createServer(app));
  const fastifyBase = await fastify.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (const input of [SIX[0], SIX[3]]) {
      const { body, headers } = generateTestDelivery(input, SECRET);
      for (const base of [expressBase, fastifyBase]) {
        const response = await fetch(`${base}/hook`, { method: 'POST', body, headers });
        assert.equal(response.status, 200, await response.text());
      }
      // A repeat of the same bytes: the Express guard answers it without the handler.
      const repeat = await fetch(`${expressBase}/hook`, { method: 'POST', body, headers });
      assert.deepEqual(await repeat.json(), { received: true, duplicate: true });
    }
  } finally {
    await fastify.close();
  }
  assert.deepEqual(seen, [
    ['express', 'subscription', 'nfe.processada'],
    ['fastify', 'subscription', 'nfe.processada'],
    ['express', 'account', 'nfe.consulta.concluida'],
    ['fastify', 'account', 'nfe.consulta.concluida'],
  ]);
});
