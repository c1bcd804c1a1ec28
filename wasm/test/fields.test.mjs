// The event `Webhook.verify` builds from the field positions the module leaves (wasm/src/fields.rs):
// the same object, fields in the same order, as the core's own reading of the body, for bodies
// of every form the in-place reader takes (non-ASCII text, escapes, timestamps with offsets,
// numbers kept as text, string bodies with lone surrogates) and those it leaves to the owned
// reader (which come back as JSON).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SECRET, nfehook } from './helpers.mjs';

const { Webhook, sign } = nfehook;
const webhook = new Webhook(SECRET, { toleranceSeconds: Infinity, futureToleranceSeconds: Infinity });
const TS = '2024-03-10T16:45:30Z';
const CHAVE = '52060433009911002506550120000007800267301615';

/** `verify` of `body` as bytes and as a string, both written out as JSON text. */
function verified(body) {
  const bytes = Buffer.from(body);
  const header = sign(bytes, SECRET);
  const fromBytes = JSON.stringify(webhook.verify(bytes, header));
  const fromView = JSON.stringify(webhook.verify(new Uint8Array(bytes), header));
  assert.equal(fromView, fromBytes);
  if (body === bytes.toString('utf8')) assert.equal(JSON.stringify(webhook.verify(body, header)), fromBytes);
  return fromBytes;
}

test('subscription bodies build the event of the core, in its field order', () => {
  const body = `{"id":"d-1","novo":{"x":[1,{"y":"ação"}]},"event":"nfe.processada","timestamp":"${TS}",` +
    `"data":{"status":"processada","nfeChave":"${CHAVE}","valor":1500.00,` +
    '"emitente":{"razaoSocial":"Casa S\\u00e3o Jo\\u00e3o \\"Ltda\\" 𝄞","cnpj":"33009911002506"},' +
    '"dataEmissao":"2024-03-10T12:30:45-03:00"}}';
  assert.equal(verified(body), JSON.stringify({
    dialect: 'subscription',
    id: 'd-1',
    event: 'nfe.processada',
    timestamp: TS,
    data: {
      nfeChave: CHAVE,
      status: 'processada',
      emitente: { cnpj: '33009911002506', razaoSocial: 'Casa São João "Ltda" 𝄞' },
      valor: '1500.00',
      dataEmissao: '2024-03-10T15:30:45Z',
    },
  }));
  // An unknown event keeps its name; an emitente without a name has an empty one; null is absent.
  const other = `{"id":"ã","event":"nfe.denegada","timestamp":"2024-03-10T16:45:30.250+00:00",` +
    `"data":{"nfeChave":"${CHAVE}","status":"denegada","emitente":{"cnpj":"1"},"valor":"10.5","dataEmissao":null}}`;
  assert.equal(verified(other), JSON.stringify({
    dialect: 'subscription',
    id: 'ã',
    event: 'nfe.denegada',
    timestamp: '2024-03-10T16:45:30.25Z',
    data: { nfeChave: CHAVE, status: 'denegada', emitente: { cnpj: '1', razaoSocial: '' }, valor: '10.5' },
  }));
});

test('account bodies: digest ids and numbers kept as their text', () => {
  const body = `{"evento":"nfe.consulta.erro","timestamp":"${TS}",` +
    `"dados":{"chave_nfe":"${CHAVE}","erro_codigo":404.50,"erro_mensagem":"NF-e não encontrada","arquivo_id":7}}`;
  const event = JSON.parse(verified(body));
  assert.match(event.id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(JSON.stringify(event), JSON.stringify({
    dialect: 'account',
    id: event.id,
    event: 'nfe.consulta.erro',
    timestamp: TS,
    data: { nfeChave: CHAVE, erroCodigo: '404.5', erroMensagem: 'NF-e não encontrada', arquivoId: '7' },
  }));
  const stored = `{"evento":"guarda.upload.concluido","timestamp":"${TS}","dados":{"chave_nfe":"${CHAVE}",` +
    '"status":"s","tipo_consulta":"t","arquivo_id":"a-9","url_download":"https://api.validanfe.com/x"}}';
  assert.deepEqual(Object.keys(JSON.parse(verified(stored)).data),
    ['nfeChave', 'status', 'tipoConsulta', 'arquivoId', 'urlDownload']);
});

test('a string body with a lone surrogate reads as the bytes that were verified', () => {
  const body = `{"id":"d","event":"nfe.erro","timestamp":"${TS}","data":{"nfeChave":"k\uD800","status":"erro"}}`;
  const header = sign(body, SECRET);
  assert.equal(webhook.verify(body, header).data.nfeChave, 'k\uFFFD');
});

test('forms left to the owned reader come back the same, and refusals say why', () => {
  const escapedName = `{"id":"d","event":"nfe.erro","timestamp":"${TS}","data":{"nfe\\u0043have":"k","status":"erro"}}`;
  assert.equal(verified(escapedName), JSON.stringify({
    dialect: 'subscription', id: 'd', event: 'nfe.erro', timestamp: TS, data: { nfeChave: 'k', status: 'erro' },
  }));
  const missing = Buffer.from(`{"id":"d","event":"nfe.erro","timestamp":"${TS}","data":{"status":"erro"}}`);
  assert.throws(() => webhook.verify(missing, sign(missing, SECRET)),
    (error) => error.code === 'invalid_payload' && /missing field `nfeChave`/.test(error.message));
  const repeated = Buffer.from(`{"id":"d","id":"e","event":"nfe.erro","timestamp":"${TS}","data":{"nfeChave":"k","status":"erro"}}`);
  assert.throws(() => webhook.verify(repeated, sign(repeated, SECRET)),
    (error) => error.code === 'invalid_payload' && /duplicate field `id`/.test(error.message));
});

test('memory growth between calls does not leave stale field slots', () => {
  const small = Buffer.from(`{"id":"a","event":"nfe.erro","timestamp":"${TS}","data":{"nfeChave":"k","status":"erro"}}`);
  const big = Buffer.from(`{"id":"b","event":"nfe.erro","timestamp":"${TS}","pad":"${'x'.repeat(8 << 20)}","data":{"nfeChave":"q","status":"erro"}}`);
  const large = new Webhook(SECRET, { toleranceSeconds: Infinity, futureToleranceSeconds: Infinity, limit: 16 << 20 });
  assert.equal(large.verify(small, sign(small, SECRET)).id, 'a');
  assert.equal(large.verify(big, sign(big, SECRET)).data.nfeChave, 'q');
  assert.equal(large.verify(small, sign(small, SECRET)).id, 'a');
});

test('fields before a long tail of unknown text read the same as the whole body', () => {
  const head = `{"id":"d-9","event":"nfe.cancelada","timestamp":"${TS}","data":{"nfeChave":"${CHAVE}",` +
    '"status":"cancelada","emitente":{"cnpj":"1","razaoSocial":"S\\u00e3o \\"J\\""}}';
  for (const tail of ['', ',"padding":"' + 'x'.repeat(4096) + '"', ',"padding":"ç𝄞' + 'ã'.repeat(700) + '"']) {
    assert.equal(verified(`${head}${tail}}`), JSON.stringify({
      dialect: 'subscription',
      id: 'd-9',
      event: 'nfe.cancelada',
      timestamp: TS,
      data: { nfeChave: CHAVE, status: 'cancelada', emitente: { cnpj: '1', razaoSocial: 'São "J"' } },
    }));
  }
});
