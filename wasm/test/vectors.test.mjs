// The shared vectors of tests/vectors, run through the package's public API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesOf, nfehook, vectors } from './helpers.mjs';

const { Webhook, WebhookVerificationError, ChaveError, DocumentError } = nfehook;

test('signatures.json: every case gives its outcome', () => {
  const { cases } = vectors('signatures');
  assert.ok(cases.length > 50);
  for (const c of cases) {
    // Text secrets as strings (keyed with their UTF-8 bytes), binary ones (RFC 4231) as bytes.
    const secret = c.secret !== undefined ? c.secret : new Uint8Array(bytesOf(c, 'secret'));
    const body = bytesOf(c, 'body');
    const webhook = new Webhook(secret);
    let outcome = 'ok';
    try {
      webhook.verifySignatureOrThrow(body, c.header);
    } catch (error) {
      assert.ok(error instanceof WebhookVerificationError, c.name);
      outcome = error.code;
    }
    assert.equal(outcome, c.expected, c.name);
    assert.equal(webhook.verifySignature(body, c.header), c.expected === 'ok', c.name);
    assert.equal(nfehook.verifySignature(body, c.header, secret), c.expected === 'ok', c.name);
    if (c.expected === 'ok' && /^sha256=[0-9a-f]{64}$/.test(c.header)) {
      assert.equal(nfehook.sign(body, secret), c.header, c.name);
    }
  }
});

test('nfeio.json: every case gives its outcome', () => {
  const { cases } = vectors('nfeio');
  assert.ok(cases.length > 3);
  for (const c of cases) {
    const body = bytesOf(c, 'body');
    assert.equal(nfehook.verifyNfeIoSignature(body, c.header, c.secret), c.expected === 'ok', c.name);
    if (c.expected === 'ok' && /^sha1=[0-9A-F]{40}$/.test(c.header)) {
      assert.equal(nfehook.signNfeIo(body, c.secret), c.header, c.name);
    }
  }
});

test('events.json: verify gives the event or the error code, in both dialects', () => {
  const { cases } = vectors('events');
  assert.ok(cases.filter((c) => c.name.startsWith('account-')).length >= 10);
  for (const c of cases) {
    const webhook = new Webhook(c.secret, { toleranceSeconds: c.tolerance });
    const now = c.now * 1000;
    // Account deliveries come with their own header, found by the core's rule.
    const signature = c.name.startsWith('account-') ? { 'X-ValidaNFe-Signature': c.header } : c.header;
    if (c.expected === 'ok') {
      const event = webhook.verify(c.body, signature, { now });
      if (c.event !== undefined) assert.equal(event.event, c.event, c.name);
      if (c.id !== undefined) assert.equal(event.id, c.id, c.name);
      if (c.valor !== undefined) assert.equal(event.data.valor, c.valor, c.name);
      if (c.nfeChave !== undefined) assert.equal(event.data.nfeChave, c.nfeChave, c.name);
      if (c.dialect !== undefined) assert.equal(event.dialect, c.dialect, c.name);
      if (c.status !== undefined) assert.equal(event.data.status, c.status, c.name);
      if (c.data !== undefined) assert.deepEqual(event.data, c.data, c.name);
    } else {
      assert.throws(() => webhook.verify(c.body, signature, { now }), (error) => {
        assert.ok(error instanceof WebhookVerificationError, c.name);
        assert.equal(error.code, c.expected, c.name);
        return true;
      });
    }
  }
});

test('chaves.json: valid keys decode to their fields', () => {
  const { valid } = vectors('chaves');
  assert.ok(valid.length > 3);
  for (const c of valid) {
    assert.ok(nfehook.isValidChave(c.input), c.name);
    const chave = nfehook.parseChave(c.input);
    assert.equal(chave.chave, c.normalized, c.name);
    const expect = (field, actual) => {
      if (c[field] !== undefined) assert.deepEqual(actual, c[field], `${c.name}: ${field}`);
    };
    expect('uf', chave.uf.sigla);
    expect('ufCode', chave.uf.code);
    expect('ano', chave.ano);
    expect('mes', chave.mes);
    expect('emitente', chave.emitente.value);
    expect('emitenteKind', chave.emitente.kind);
    expect('modelo', chave.modelo.code);
    expect('serie', chave.serie);
    expect('numero', chave.numero);
    expect('tipoEmissao', chave.tipoEmissao.code);
    expect('codigoNumerico', chave.codigoNumerico);
    expect('digito', chave.digitoVerificador);
    expect('legacy', chave.isLegacy);
  }
});

test('chaves.json: invalid keys throw ChaveError with code, position, expected and found', () => {
  const { invalid } = vectors('chaves');
  assert.ok(invalid.length > 10);
  for (const c of invalid) {
    assert.equal(nfehook.isValidChave(c.input), false, c.name);
    assert.throws(() => nfehook.parseChave(c.input), (error) => {
      assert.ok(error instanceof ChaveError, c.name);
      assert.ok(error.message.length > 10, c.name);
      if (c.error !== null) assert.equal(error.code, c.error, c.name);
      if (c.position !== undefined) assert.equal(error.position, c.position, c.name);
      if (c.expected !== undefined) assert.equal(error.expected, c.expected, c.name);
      // The machine form's `found` is the text written there (machine.json).
      if (c.found !== undefined) assert.equal(error.found, String(c.found), c.name);
      if (c.foundLength !== undefined) assert.equal(error.length, c.foundLength, c.name);
      return true;
    });
  }
});

test('machine.json: errors carry the core\'s machine form, field for field, and the event names', () => {
  const machine = vectors('machine');
  assert.deepEqual(nfehook.EVENT_NAMES, machine.eventNames);
  // Every own field of the error object but `name` (the class's), and its message.
  const fields = (error) => ({
    ...Object.fromEntries(Object.entries(error).filter(([key]) => key !== 'name')),
    message: error.message,
  });
  for (const c of machine.chaves) {
    const options = c.today ? { strict: true, today: c.today } : {};
    assert.throws(() => nfehook.parseChave(c.input, options), (error) => {
      assert.ok(error instanceof ChaveError, c.name);
      assert.deepEqual(fields(error), c.error, c.name);
      return true;
    });
  }
  const format = { cnpj: nfehook.formatCnpj, cpf: nfehook.formatCpf };
  for (const c of machine.documents) {
    assert.throws(() => format[c.kind](c.input), (error) => {
      assert.ok(error instanceof DocumentError, c.name);
      assert.deepEqual(fields(error), c.error, c.name);
      return true;
    });
  }
});

test('documents.json: CNPJ and CPF validate, format and fail with their codes', () => {
  const documents = vectors('documents');
  const api = {
    cnpj: [nfehook.isValidCnpj, nfehook.formatCnpj],
    cpf: [nfehook.isValidCpf, nfehook.formatCpf],
  };
  for (const kind of ['cnpj', 'cpf']) {
    const [isValid, format] = api[kind];
    assert.ok(documents[kind].valid.length > 0 && documents[kind].invalid.length > 0);
    for (const c of documents[kind].valid) {
      assert.ok(isValid(c.input), c.input);
      assert.equal(format(c.input), c.formatted, c.input);
    }
    for (const c of documents[kind].invalid) {
      assert.equal(isValid(c.input), false, c.input);
      assert.throws(() => format(c.input), (error) => {
        assert.ok(error instanceof DocumentError, c.input);
        assert.equal(error.code, c.error, c.input);
        assert.equal(error.kind, kind.toUpperCase());
        if (c.digit !== undefined) assert.equal(error.digit, c.digit, c.input);
        return true;
      });
    }
  }
});
