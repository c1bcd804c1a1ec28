// The package's API: every verification error code, raw-body and header handling, rotation,
// the replay window, duplicate guard, redaction, test helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { SECRET, nfehook, specBody } from './helpers.mjs';

const { Webhook, WebhookVerificationError } = nfehook;

function rejects(fn, code, check = () => {}) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof WebhookVerificationError, `not a WebhookVerificationError: ${error}`);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'WebhookVerificationError');
    assert.equal(error.code, code, error.message);
    assert.equal(error.statusCode, 400);
    assert.ok(error.message.length > 10);
    assert.ok(!error.message.includes(SECRET), 'message shows the secret');
    check(error);
    return true;
  });
}

test('verify returns the typed event of the spec example, valor as exact text', () => {
  const body = specBody();
  const event = new Webhook(SECRET).verify(body, nfehook.sign(body, SECRET));
  assert.equal(event.id, 'delivery-uuid');
  assert.equal(event.event, 'nfe.processada');
  assert.match(event.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(event.data, {
    nfeChave: '35170608530528000184550000000154301000771561',
    status: 'processada',
    emitente: { cnpj: '12345678000195', razaoSocial: 'Empresa Exemplo LTDA' },
    valor: '1500.00',
    dataEmissao: '2024-03-10T15:30:45Z',
  });
});

test('every error code is reached, with its details', () => {
  const webhook = new Webhook(SECRET);
  const body = specBody();
  const header = nfehook.sign(body, SECRET);
  rejects(() => webhook.verify(body, undefined), 'missing_signature');
  rejects(() => webhook.verify(body, {}), 'missing_signature');
  rejects(() => webhook.verify(body, '   '), 'missing_signature');
  rejects(() => webhook.verify(body, 'sha256='), 'malformed_signature', (e) => assert.equal(e.reason, 'missing_value'));
  rejects(() => webhook.verify(body, 'sha256=abc'), 'malformed_signature', (e) => {
    assert.equal(e.reason, 'wrong_length');
    assert.equal(e.found, 3);
    assert.equal(e.expected, 64);
  });
  rejects(() => webhook.verify(body, `sha256=${'z'.repeat(64)}`), 'malformed_signature', (e) => assert.equal(e.reason, 'invalid_encoding'));
  rejects(() => webhook.verify(body, Array(9).fill(header).join(',')), 'malformed_signature', (e) => {
    assert.equal(e.reason, 'too_many_signatures');
    assert.equal(e.found, 9);
  });
  rejects(() => webhook.verify(body, nfehook.signNfeIo(body, SECRET)), 'malformed_signature', (e) => {
    assert.equal(e.reason, 'unsupported_algorithm');
    assert.equal(e.algorithm, 'sha1');
  });
  rejects(() => webhook.verify(`${body} `, header), 'signature_mismatch');
  rejects(() => new Webhook('whsec_other').verify(body, header), 'signature_mismatch');

  const t = Date.parse('2024-03-10T16:45:30Z');
  const old = specBody(new Date(t));
  const oldHeader = nfehook.sign(old, SECRET);
  rejects(() => webhook.verify(old, oldHeader, { now: t + 3601_000 }), 'timestamp_too_old', (e) => {
    assert.equal(e.ageSeconds, 3601);
    assert.equal(e.toleranceSeconds, 3600);
  });
  rejects(() => webhook.verify(old, oldHeader, { now: new Date(t - 400_000) }), 'timestamp_in_future', (e) => {
    assert.equal(e.aheadSeconds, 400);
  });
  for (const bad of ['', 'null', '[]', '{"id":"x"}', '{"id":1,"event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro"}}',
    specBody().replace(/"timestamp":"[^"]+"/, '"timestamp":"yesterday"'), specBody().replace('1500.00', '"mil"'), '\u00ff\u00fe']) {
    rejects(() => webhook.verify(bad, nfehook.sign(bad, SECRET)), 'invalid_payload');
  }
});

test('the replay window: an hour back for retries, five minutes ahead for skew, each side its own', () => {
  const t = Date.parse('2024-03-10T16:45:30Z');
  const body = specBody(new Date(t));
  const header = nfehook.sign(body, SECRET);
  const webhook = new Webhook(SECRET);
  assert.deepEqual([webhook.toleranceSeconds, webhook.futureToleranceSeconds], [3600, 300]);
  assert.equal(nfehook.DEFAULT_TOLERANCE_SECONDS, 3600);
  assert.equal(nfehook.DEFAULT_FUTURE_TOLERANCE_SECONDS, 300);
  // A retry 59 minutes after the event (the sender's backoff, a restart) is still accepted.
  assert.equal(webhook.verify(body, header, { now: t + 3600_000 }).id, 'delivery-uuid');
  assert.equal(webhook.verify(body, header, { now: t - 300_000 }).id, 'delivery-uuid');
  rejects(() => webhook.verify(body, header, { now: t - 301_000 }), 'timestamp_in_future', (e) => {
    assert.deepEqual([e.aheadSeconds, e.toleranceSeconds], [301, 300]);
  });
  rejects(() => new Webhook(SECRET, { toleranceSeconds: 10 }).verify(body, header, { now: t + 11_000 }), 'timestamp_too_old');
  // Either side may be the wider one.
  const wideFuture = new Webhook(SECRET, { toleranceSeconds: 10, futureToleranceSeconds: 7200 });
  assert.equal(wideFuture.verify(body, header, { now: t - 7000_000 }).id, 'delivery-uuid');
  rejects(() => wideFuture.verify(body, header, { now: t + 11_000 }), 'timestamp_too_old', (e) => {
    assert.equal(e.toleranceSeconds, 10);
  });
  assert.equal(new Webhook(SECRET, { toleranceSeconds: Infinity }).verify(body, header, { now: t + 1e12 }).id, 'delivery-uuid');
  assert.throws(() => new Webhook(SECRET, { toleranceSeconds: -1 }), TypeError);
  assert.throws(() => new Webhook(SECRET, { toleranceSeconds: '300' }), TypeError);
  assert.throws(() => new Webhook(SECRET, { futureToleranceSeconds: NaN }), TypeError);
  assert.throws(() => webhook.verify(body, header, { now: 'now' }), TypeError);
  // null options mean the defaults.
  assert.equal(new Webhook(SECRET, null).toleranceSeconds, 3600);
  rejects(() => webhook.verify(body, header, null), 'timestamp_too_old');
});

test('a parsed body is refused with an explanation of the raw-body requirement', () => {
  const webhook = new Webhook(SECRET);
  const body = specBody();
  for (const wrong of [JSON.parse(body), null, undefined, 42]) {
    assert.throws(() => webhook.verify(wrong, nfehook.sign(body, SECRET)), (error) => {
      assert.ok(error instanceof TypeError);
      assert.equal(error.code, 'raw_body_required');
      assert.match(error.message, /raw request body/);
      assert.match(error.message, /express\.raw/);
      assert.match(error.message, /Fastify/);
      assert.match(error.message, /Next\.js/);
      return true;
    });
  }
});

test('the signature is found in any kind of headers, any case, with the fallback name', () => {
  const body = specBody();
  const header = nfehook.sign(body, SECRET);
  const webhook = new Webhook(SECRET);
  const forms = [
    header,
    { 'x-webhook-signature': header },
    { 'X-Webhook-Signature': header, 'content-type': 'application/json' },
    { 'x-validanfe-signature': header },
    { 'X-VALIDANFE-SIGNATURE': header },
    { 'x-webhook-signature': [header] },
    new Headers({ 'X-Webhook-Signature': header }),
    new Headers({ 'x-validanfe-signature': header }),
    new Map([['X-Webhook-Signature', header]]),
    [header],
  ];
  for (const form of forms) {
    assert.equal(webhook.verify(body, form).id, 'delivery-uuid', inspect(form));
    assert.equal(webhook.verifySignature(body, form), true);
    assert.equal(nfehook.verifySignature(body, form, SECRET), true);
  }
  assert.equal(nfehook.verifyNfeIoSignature(body, { 'X-Hub-Signature': nfehook.signNfeIo(body, SECRET) }, SECRET), true);
  rejects(() => webhook.verify(body, { 'x-hub-signature': header }), 'missing_signature');
  assert.throws(() => webhook.verify(body, 42), TypeError);
});

test('secrets: rotation with several, bytes, and bad secrets refused', () => {
  const body = specBody();
  const ring = new Webhook(['whsec_new', 'whsec_old']);
  assert.equal(ring.verify(body, nfehook.sign(body, 'whsec_old')).id, 'delivery-uuid');
  assert.equal(ring.verify(body, nfehook.sign(body, 'whsec_new')).id, 'delivery-uuid');
  assert.equal(ring.sign(body), nfehook.sign(body, 'whsec_new'));
  rejects(() => ring.verify(body, nfehook.sign(body, 'whsec_other')), 'signature_mismatch');
  const bytes = new Webhook(new TextEncoder().encode('whsec_new'));
  assert.equal(bytes.sign(body), nfehook.sign(body, 'whsec_new'));
  for (const bad of ['', [], [''], 42, null, undefined, {}]) {
    assert.throws(() => new Webhook(bad), TypeError, inspect(bad));
  }
  assert.throws(() => nfehook.sign(body, ''), TypeError);
  assert.throws(() => nfehook.verifySignature(body, 'x', undefined), TypeError);
});

test('one-shot functions reuse keyed state across many secrets correctly', () => {
  const body = specBody();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 40; i++) {
      const secret = `whsec_${i}`;
      assert.equal(nfehook.verifySignature(body, nfehook.sign(body, secret), secret), true);
      assert.equal(nfehook.verifySignature(body, nfehook.sign(body, secret), `whsec_${i + 1}`), false);
    }
  }
});

test('secrets never show in inspect, JSON, String or errors', () => {
  const webhook = new Webhook(['whsec_topsecret_1', 'whsec_topsecret_2']);
  for (const text of [inspect(webhook), JSON.stringify(webhook), String(webhook), inspect(webhook, { showHidden: true })]) {
    assert.ok(!text.includes('topsecret'), text);
    assert.match(text, /REDACTED/);
  }
  try {
    webhook.verify('{}', 'sha256=00');
  } catch (error) {
    assert.ok(!inspect(error).includes('topsecret'));
  }
});

test('dispose frees the keyed state; the object refuses further use', () => {
  const webhook = new Webhook(SECRET);
  webhook.dispose();
  assert.throws(() => webhook.sign('{}'));
});

test('verifyRequest reads a web Request', async () => {
  const body = specBody();
  const request = () => new Request('http://127.0.0.1/webhook', {
    method: 'POST', body, headers: { 'content-type': 'application/json', 'X-Webhook-Signature': nfehook.sign(body, SECRET) },
  });
  assert.equal((await nfehook.verifyRequest(request(), SECRET)).id, 'delivery-uuid');
  assert.equal((await new Webhook(SECRET).verifyRequest(request())).id, 'delivery-uuid');
  await assert.rejects(nfehook.verifyRequest(request(), 'whsec_other'), (e) => e.code === 'signature_mismatch');
});

test('generateTestHeader signs strings, bytes and objects as JSON.stringify gives them', () => {
  const event = JSON.parse(specBody());
  const header = nfehook.generateTestHeader(event, SECRET);
  assert.equal(header, nfehook.sign(JSON.stringify(event), SECRET));
  assert.equal(nfehook.generateTestHeader('{}', SECRET), nfehook.sign('{}', SECRET));
  assert.equal(nfehook.generateTestHeader(Buffer.from('{}'), SECRET), nfehook.sign('{}', SECRET));
  assert.equal(new Webhook(SECRET).verify(JSON.stringify(event), header).id, 'delivery-uuid');
});

test('unknown events are kept with their name and data', () => {
  const body = specBody(new Date(), { event: 'nfe.denegada' }).replace('"status":"processada"', '"status":"denegada"');
  const event = new Webhook(SECRET).verify(body, nfehook.sign(body, SECRET));
  assert.equal(event.event, 'nfe.denegada');
  assert.equal(event.data.status, 'denegada');
  assert.deepEqual(nfehook.EVENT_NAMES, [
    'nfe.processada', 'nfe.cancelada', 'nfe.erro', 'nfe.consulta.concluida', 'nfe.consulta.erro', 'guarda.upload.concluido',
  ]);
});

test('access keys: lenient input, every field, and typed errors', () => {
  const chave = nfehook.parseChave('NFe 5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615');
  assert.equal(chave.chave, '52060433009911002506550120000007800267301615');
  assert.equal(chave.grouped, '5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615');
  assert.deepEqual(chave.uf, { code: 52, sigla: 'GO', nome: 'Goiás' });
  assert.deepEqual(chave.modelo, { code: 55, nome: 'NF-e' });
  assert.equal(chave.emitente.formatted, '33.009.911/0025-06');
  assert.equal(chave.isNfe, true);
  assert.throws(() => nfehook.parseChave('35170608530528000184550000000154301000771561'), (error) => {
    assert.ok(error instanceof nfehook.ChaveError);
    assert.equal(error.name, 'ChaveError');
    assert.equal(error.code, 'check_digit');
    assert.equal(error.position, 44);
    assert.equal(error.expected, 9);
    assert.equal(error.found, '1');
    assert.match(error.message, /expected 9, found 1/);
    return true;
  });
  assert.throws(() => nfehook.parseChave('35260508530528000185550010000123451000771563'), (error) => {
    assert.equal(error.code, 'invalid_emitente');
    assert.equal(error.documentKind, 'CNPJ');
    assert.equal(error.documentCode, 'check_digit');
    assert.equal(error.digit, 2);
    return true;
  });
  assert.throws(() => nfehook.parseChave(44), TypeError);
  assert.equal(nfehook.isValidChave(44), false);
  assert.equal(nfehook.isValidCnpj('12.ABC.345/01DE-35'), true);
  assert.equal(nfehook.formatCnpj('12abc34501de35'), '12.ABC.345/01DE-35');
  assert.equal(nfehook.formatCpf('52998224725'), '529.982.247-25');
});

test('the event holds only its own fields: timestamps in UTC, valor exact, defaults filled', () => {
  const t = Date.parse('2024-03-10T16:45:30Z');
  const body = JSON.stringify({
    extra: { nested: [1, 2] },
    id: 'ação-1',
    event: 'nfe.cancelada',
    timestamp: '2024-03-10T13:45:30-03:00',
    data: {
      status: 'cancelada', nfeChave: 'k', emitente: { cnpj: '08530528000184' }, valor: '12.30',
      dataEmissao: '2024-03-10T15:30:45.250+01:00', unknown: null,
    },
  });
  const event = new Webhook(SECRET).verify(Buffer.from(body), nfehook.sign(body, SECRET), { now: t });
  assert.deepEqual(event, {
    dialect: 'subscription',
    id: 'ação-1',
    event: 'nfe.cancelada',
    timestamp: '2024-03-10T16:45:30Z',
    data: {
      nfeChave: 'k', status: 'cancelada', emitente: { cnpj: '08530528000184', razaoSocial: '' }, valor: '12.30',
      dataEmissao: event.data.dataEmissao,
    },
  });
  assert.equal(Date.parse(event.data.dataEmissao), Date.parse('2024-03-10T14:30:45.250Z'));
  const minimal = '{"id":"m","event":"nfe.erro","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"k","status":"erro","emitente":null,"valor":null}}';
  assert.deepEqual(new Webhook(SECRET).verify(minimal, nfehook.sign(minimal, SECRET), { now: t }),
    { dialect: 'subscription', id: 'm', event: 'nfe.erro', timestamp: '2024-03-10T16:45:30Z', data: { nfeChave: 'k', status: 'erro' } });
});

test('parseChave strict mode applies the issue-time rules up to today', () => {
  const key = '52060433009911002506550120000007800267301615';
  assert.equal(nfehook.parseChave(key, { strict: true, today: '2026-11' }).ano, 2006);
  assert.equal(nfehook.parseChave(key, { strict: true }).mes, 4);
  const grouped = '5206 0433 0099 1100 2506 5501 2000 0007 8002 6730 1615';
  assert.equal(nfehook.parseChave(grouped).ano, 2006);
  assert.throws(() => nfehook.parseChave(grouped, { strict: true, today: new Date(Date.UTC(2026, 10, 1)) }),
    (error) => error instanceof nfehook.ChaveError && error.code === 'length');
  assert.throws(() => nfehook.parseChave(key, { strict: true, today: '2006-03' }), nfehook.ChaveError);
  assert.throws(() => nfehook.parseChave(key, { strict: true, today: '2026-13' }), TypeError);
});
