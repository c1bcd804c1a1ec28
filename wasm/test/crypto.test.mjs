// Agreement with Node's crypto (an independent HMAC-SHA256) on random secrets and bodies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { nfehook } from './helpers.mjs';

const { Webhook } = nfehook;

const nodeHeader = (secret, body) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** A random string of `length` code points, mixing ASCII, Latin-1, BMP and astral characters. */
function randomText(length) {
  const pools = [[0x20, 0x7e], [0xa0, 0xff], [0x100, 0xd7ff], [0xe000, 0xfffd], [0x10000, 0x10ffff]];
  let text = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = pools[randomInt(pools.length)];
    text += String.fromCodePoint(randomInt(lo, hi + 1));
  }
  return text;
}

const SIZES = [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 255, 256, 1000, 1024, 4096, 65536];

test('sign and verify agree with createHmac on 3000 random secrets and bodies', () => {
  for (let i = 0; i < 3000; i++) {
    const secret = i % 3 === 0 ? randomText(randomInt(1, 80)) : `whsec_${randomBytes(randomInt(1, 40)).toString('hex')}`;
    const size = i < SIZES.length * 4 ? SIZES[i % SIZES.length] : randomInt(0, i % 50 === 0 ? 70000 : 2048);
    const body = i % 2 === 0 ? randomBytes(size) : randomText(size);
    const expected = nodeHeader(secret, body);
    assert.equal(nfehook.sign(body, secret), expected);
    assert.equal(nfehook.verifySignature(body, expected, secret), true);
    const webhook = new Webhook(secret);
    assert.equal(webhook.sign(body), expected);
    assert.equal(webhook.verifySignature(body, expected), true);
    // A different secret never verifies.
    assert.equal(webhook.verifySignature(body, nodeHeader(`${secret}x`, body)), false);
    webhook.dispose();
  }
});

test('the same bytes as Buffer, Uint8Array, ArrayBuffer, DataView and string verify alike', () => {
  const secret = 'whsec_ação_🔑';
  for (const text of ['', '{"a":1}', randomText(500), 'ç'.repeat(3000)]) {
    const header = nodeHeader(secret, text);
    const buffer = Buffer.from(text, 'utf8');
    const copy = new Uint8Array(buffer);
    const offset = new Uint8Array(buffer.length + 7);
    offset.set(buffer, 3);
    for (const body of [text, buffer, copy, copy.buffer, new DataView(offset.buffer, 3, buffer.length),
      offset.subarray(3, 3 + buffer.length)]) {
      assert.equal(nfehook.verifySignature(body, header, secret), true);
    }
  }
});

test('every single-byte tamper of the body is rejected', () => {
  const secret = 'whsec_1234567890abcdef';
  const webhook = new Webhook(secret);
  for (const size of [1, 64, 300, 1100]) {
    const body = randomBytes(size);
    const header = nodeHeader(secret, body);
    for (let at = 0; at < size; at++) {
      const tampered = Buffer.from(body);
      tampered[at] ^= 1 << randomInt(8);
      assert.equal(webhook.verifySignature(tampered, header), false, `byte ${at} of ${size}`);
    }
    assert.equal(webhook.verifySignature(body.subarray(1), header), false);
    assert.equal(webhook.verifySignature(Buffer.concat([body, Buffer.from(' ')]), header), false);
    assert.equal(webhook.verifySignature(body, header), true);
  }
});

test('every single-character change of the header is rejected, never thrown', () => {
  const secret = 'whsec_1234567890abcdef';
  const body = '{"id":"delivery-uuid"}';
  const header = nodeHeader(secret, body);
  const webhook = new Webhook(secret);
  for (let at = 7; at < header.length; at++) {
    for (const c of '0123456789abcdefg') {
      if (c === header[at]) continue;
      const changed = header.slice(0, at) + c + header.slice(at + 1);
      assert.equal(webhook.verifySignature(body, changed), false, changed);
    }
  }
  // Case of the prefix and of the hex does not matter.
  assert.equal(webhook.verifySignature(body, header.toUpperCase()), true);
});

test('random and hostile headers never crash: each is a false or a typed error', () => {
  const secret = 'whsec_1234567890abcdef';
  const webhook = new Webhook(secret);
  const body = '{}';
  const valid = nodeHeader(secret, body);
  const hostile = [
    '', ' ', '=', '==', 'sha256', 'sha256=', '=abc', 'sha256==', ',,,,', ' , , ', '\u0000', '\uffff',
    '\ud800', 'sha256=\ud800'.padEnd(71, 'a'), 'sha256=' + 'é'.repeat(64), 'x'.repeat(100000),
    Array(1000).fill(valid).join(','), `${'a'.repeat(5000)}`, 'sha1=' + 'a'.repeat(40),
    'sha256=' + 'A'.repeat(44), 'sha256=' + '/'.repeat(43), 'SHA256=' + '+'.repeat(44),
  ];
  for (let i = 0; i < 2000; i++) hostile.push(randomText(randomInt(0, 120)));
  for (let i = 0; i < 1000; i++) hostile.push(`sha256=${randomBytes(randomInt(0, 48)).toString(i % 2 ? 'base64' : 'hex')}`);
  for (const header of hostile) {
    assert.equal(webhook.verifySignature(body, header), false);
    assert.equal(nfehook.verifySignature(body, header, secret), false);
    assert.equal(nfehook.verifyNfeIoSignature(body, header, secret), false);
    assert.throws(() => webhook.verify(body, header), (error) => error instanceof nfehook.WebhookVerificationError &&
      ['missing_signature', 'malformed_signature', 'signature_mismatch'].includes(error.code));
  }
  assert.equal(webhook.verifySignature(body, valid), true);
  // Several signatures (during a rotation) pass when any one matches.
  assert.equal(webhook.verifySignature(body, `sha256=${'0'.repeat(64)}, ${valid}`), true);
});

test('NFE.io signatures agree with createHmac sha1 (uppercase hex) on random inputs', () => {
  for (let i = 0; i < 500; i++) {
    const secret = randomText(randomInt(1, 40));
    const body = i % 2 ? randomBytes(randomInt(0, 3000)) : randomText(randomInt(0, 500));
    const expected = `sha1=${createHmac('sha1', secret).update(body).digest('hex').toUpperCase()}`;
    assert.equal(nfehook.signNfeIo(body, secret), expected);
    assert.equal(nfehook.verifyNfeIoSignature(body, expected, secret), true);
    assert.equal(nfehook.verifyNfeIoSignature(body, expected.toLowerCase(), secret), true);
    // The two schemes never stand in for each other.
    assert.equal(nfehook.verifySignature(body, expected, secret), false);
    assert.equal(nfehook.verifyNfeIoSignature(body, nodeHeader(secret, body), secret), false);
  }
});
