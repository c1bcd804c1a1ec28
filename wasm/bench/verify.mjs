// Benchmark of the npm package `nfehook` (a benchmark, not a test: it asserts nothing).
//
//   node wasm/bench/verify.mjs [--quick] [--markdown]
//
// Measures in one process, in operations per second, ValidaNFe signature verification of
// bodies of 256 B, 1 KiB, 4 KiB and 64 KiB and of the spec's example event (about 400 B),
// with nfehook against Node's crypto (the usual createHmac + timingSafeEqual receiver),
// @octokit/webhooks-methods (Web Crypto, async) and @noble/hashes (pure JS); then verify +
// parse (signature, JSON, replay window) against Node's crypto + JSON.parse + a timestamp
// check. Prints each peer's ops/s and nfehook's ratio to it (> 1: nfehook is faster).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { verify as octokitVerify } from '@octokit/webhooks-methods';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const nfehook = require(join(here, '..', 'pkg', 'lib', 'index.cjs'));

const quick = process.argv.includes('--quick');
const markdown = process.argv.includes('--markdown');
const TARGET_MS = quick ? 60 : 250;
const ROUNDS = quick ? 3 : 9;

const SECRET = 'whsec_1234567890abcdef';

/**
 * The spec's example event (pretty-printed as in the documentation) or, given `size`, a compact
 * event of exactly `size` bytes, padded with an unknown field.
 */
function eventBody(size) {
  const timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  if (size === undefined) {
    const event = {
      id: 'delivery-uuid',
      event: 'nfe.processada',
      timestamp,
      data: {
        nfeChave: '35170608530528000184550000000154301000771561',
        status: 'processada',
        emitente: { cnpj: '12345678000195', razaoSocial: 'Empresa Exemplo LTDA' },
        valor: 1500,
        dataEmissao: '2024-03-10T15:30:45Z',
      },
    };
    return Buffer.from(JSON.stringify(event, null, 2).replace('"valor": 1500', '"valor": 1500.00'));
  }
  const head = `{"id":"delivery-uuid","event":"nfe.processada","timestamp":"${timestamp}",` +
    '"data":{"nfeChave":"35170608530528000184550000000154301000771561","status":"processada","valor":1500.00},"padding":"';
  const tail = '"}';
  const pad = size - head.length - tail.length;
  if (pad < 0) throw new Error(`an event does not fit ${size} bytes`);
  return Buffer.from(head + 'x'.repeat(pad) + tail);
}

// Node's crypto as receivers write it (and as ValidaNFe's documentation shows): HMAC the raw
// body, hex-encode, compare in constant time.
function cryptoVerify(body, header, secret) {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const nobleKey = new TextEncoder().encode(SECRET);
function nobleVerify(body, header) {
  const mac = hmac(sha256, nobleKey, body);
  const given = Buffer.from(header.slice(7), 'hex');
  return given.length === 32 && timingSafeEqual(given, mac);
}

function cryptoVerifyEvent(body, header, secret, toleranceSeconds) {
  if (!cryptoVerify(body, header, secret)) throw new Error('signature');
  const event = JSON.parse(body.toString('utf8'));
  const age = Date.now() / 1000 - Date.parse(event.timestamp) / 1000;
  if (Math.abs(age) > toleranceSeconds) throw new Error('timestamp');
  return event;
}

/** Calls per timed batch so that one batch takes a few milliseconds. */
function batchSize(fn) {
  let batch = 1;
  for (;;) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    if (Number(process.hrtime.bigint() - start) / 1e6 > 5) return batch;
    batch *= 2;
  }
}

/** ops/s of one run of about TARGET_MS. */
async function run({ fn, async: isAsync, batch }) {
  let ops = 0;
  let elapsed = 0;
  const start = process.hrtime.bigint();
  while (elapsed < TARGET_MS) {
    if (isAsync) {
      const pending = [];
      for (let i = 0; i < batch; i++) pending.push(fn());
      await Promise.all(pending);
    } else {
      for (let i = 0; i < batch; i++) fn();
    }
    ops += batch;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (ops * 1000) / elapsed;
}

/**
 * Best ops/s of each contender over ROUNDS rounds. Contenders take turns within each round, so
 * a burst of load on a shared machine hits them alike rather than one of them.
 */
async function measureAll(contenders) {
  const entries = Object.entries(contenders).map(([key, c]) => {
    const spec = typeof c === 'function' ? { fn: c, async: false } : c;
    return [key, { ...spec, batch: spec.async ? 64 : batchSize(spec.fn), best: 0 }];
  });
  for (let round = 0; round < ROUNDS; round++) {
    for (const [, c] of entries) c.best = Math.max(c.best, await run(c));
  }
  return Object.fromEntries(entries.map(([key, c]) => [key, c.best]));
}

/** ns per verification of 64 KiB in native Rust with software SHA-256, or null if not built. */
function nativeNs(size) {
  try {
    const out = execFileSync('cargo', [
      'run', '--quiet', '--release', '-p', 'nfehook-wasm', '--example', 'native_verify', '--', String(size),
    ], {
      cwd: join(here, '..', '..'),
      env: {
        ...process.env,
        CARGO_TARGET_DIR: join(here, '..', '..', 'target', 'native-soft-sha2'),
        RUSTFLAGS: '--cfg sha2_backend="soft"',
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return Number(out.trim());
  } catch {
    return null;
  }
}

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;

const cases = [
  ['spec event (%d B)', undefined],
  ['256 B', 256],
  ['1 KiB', 1024],
  ['4 KiB', 4096],
  ['64 KiB', 65536],
];

const webhook = new nfehook.Webhook(SECRET);
const rows = [];
for (const [label, size] of cases) {
  const body = eventBody(size);
  const header = nfehook.sign(body, SECRET);
  const name = label.replace('%d', String(body.length));
  // Every contender must accept the delivery before it is timed.
  if (!webhook.verifySignature(body, header) || !cryptoVerify(body, header, SECRET) ||
      !nobleVerify(body, header) || !(await octokitVerify(SECRET, body.toString('utf8'), header))) {
    throw new Error(`a contender rejects the ${name} delivery`);
  }
  webhook.verify(body, header);

  const text = body.toString('utf8');
  const row = {
    name,
    ...(await measureAll({
      nfehook: () => webhook.verifySignature(body, header),
      nfehookOneShot: () => nfehook.verifySignature(body, header, SECRET),
      nfehookString: () => webhook.verifySignature(text, header),
      crypto: () => cryptoVerify(body, header, SECRET),
      noble: () => nobleVerify(body, header),
      octokit: { fn: () => octokitVerify(SECRET, text, header), async: true },
      nfehookParse: () => webhook.verify(body, header),
      cryptoParse: () => cryptoVerifyEvent(body, header, SECRET, 300),
      // The floor of verify + parse: nfehook's signature check alone, then V8's own JSON.parse.
      floor: () => webhook.verifySignature(body, header) && JSON.parse(body.toString('utf8')),
    })),
  };
  rows.push(row);
  if (!markdown) {
    console.log(`${name}: nfehook ${fmt(row.nfehook)} ops/s (one-shot ${fmt(row.nfehookOneShot)}, string body ${fmt(row.nfehookString)}); ` +
      `crypto ${fmt(row.crypto)} [${ratio(row.nfehook, row.crypto)}]; noble ${fmt(row.noble)} [${ratio(row.nfehook, row.noble)}]; ` +
      `octokit ${fmt(row.octokit)} [${ratio(row.nfehook, row.octokit)}]; verify+parse nfehook ${fmt(row.nfehookParse)} vs crypto+JSON.parse ${fmt(row.cryptoParse)} [${ratio(row.nfehookParse, row.cryptoParse)}], ` +
      `floor ${fmt(row.floor)} [${ratio(row.floor, row.cryptoParse)}]`);
  }
}

// Native Rust (software SHA-256) against nfehook on 64 KiB, taking turns like the rest.
let native = null;
let wasmLarge = 0;
if (!quick) {
  const body = eventBody(65536);
  const header = nfehook.sign(body, SECRET);
  const contender = { fn: () => webhook.verifySignature(body, header), async: false, batch: batchSize(() => webhook.verifySignature(body, header)) };
  for (let round = 0; round < 3; round++) {
    const ns = nativeNs(65536);
    if (ns === null) break;
    native = native === null ? ns : Math.min(native, ns);
    wasmLarge = Math.max(wasmLarge, await run(contender));
  }
}
const large = rows[rows.length - 1];

const lines = [
  `Node ${process.version}, ${process.arch}; ops/s, best of ${ROUNDS} interleaved runs of ${TARGET_MS} ms; [nfehook ÷ peer].`,
  '',
  '| body | nfehook `Webhook` | node crypto | @noble/hashes | @octokit/webhooks-methods | verify + parse: nfehook | verify + parse: crypto + JSON.parse | floor: nfehook signature + JSON.parse |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) =>
    `| ${r.name} | ${fmt(r.nfehook)} | ${fmt(r.crypto)} [${ratio(r.nfehook, r.crypto)}] | ${fmt(r.noble)} [${ratio(r.nfehook, r.noble)}] | ` +
    `${fmt(r.octokit)} [${ratio(r.nfehook, r.octokit)}] | ${fmt(r.nfehookParse)} | ${fmt(r.cryptoParse)} [${ratio(r.nfehookParse, r.cryptoParse)}] | ` +
    `${fmt(r.floor)} [${ratio(r.floor, r.cryptoParse)}] |`),
  '',
  `One-shot \`verifySignature(body, header, secret)\` (keyed state cached per secret): ` +
    rows.map((r) => `${r.name} ${fmt(r.nfehookOneShot)}`).join(', ') + ' ops/s.',
  `String bodies (\`verifySignature(text, header)\`): ` + rows.map((r) => `${r.name} ${fmt(r.nfehookString)}`).join(', ') + ' ops/s.',
];
if (native !== null) {
  const wasmNs = 1e9 / Math.max(wasmLarge, large.nfehook);
  lines.push(`64 KiB: native Rust with software SHA-256 ${fmt(native / 1000)} µs per verify, nfehook ${fmt(wasmNs / 1000)} µs (${(wasmNs / native).toFixed(2)}x native).`);
}
// Module load: `require` of the package in a fresh process (compiling and instantiating the
// .wasm included), median of 9, and the size of the .wasm it loads.
const pkg = join(here, '..', 'pkg', 'lib');
const loadMs = Array.from({ length: 9 }, () => Number(execFileSync(process.execPath, ['-e',
  `const t = process.hrtime.bigint(); require(${JSON.stringify(join(pkg, 'index.cjs'))}); ` +
  'console.log(Number(process.hrtime.bigint() - t) / 1e6)'], { encoding: 'utf8' }))).sort((a, b) => a - b)[4];
lines.push(`Module load (\`require('nfehook')\` in a fresh process, median of 9): ${loadMs.toFixed(1)} ms; ` +
  `nfehook_bg.wasm ${fmt(statSync(join(pkg, 'nfehook_bg.wasm')).size / 1024)} KiB.`);
// The goal of verify + parse, beside its floor (nfehook's signature check + V8's JSON.parse).
const GOALS = { 'spec event': 1.3, '256 B': 1.3, '1 KiB': 1.0 };
const goalRows = rows.flatMap((r) => {
  const goal = Object.entries(GOALS).find(([prefix]) => r.name.startsWith(prefix));
  if (goal === undefined) return [];
  const got = r.nfehookParse / r.cryptoParse;
  return [`| ${r.name} | ≥ ${goal[1].toFixed(2)}x | ${got.toFixed(2)}x | ${(r.floor / r.cryptoParse).toFixed(2)}x | ` +
    `${got >= goal[1] ? 'yes' : 'no'} |`];
});
lines.push('', 'Verify + parse (`Webhook.verify`) ÷ crypto + JSON.parse, from the table above:', '',
  '| body | goal | verify + parse | floor | met |', '| --- | ---: | ---: | ---: | --- |', ...goalRows);
console.log(`\n${lines.join('\n')}`);
