// The public API of the npm package `nfehook`, written once for every entry.
//
// This file has no `import` or `export`: wasm/build/assemble.mjs wraps it into lib/index.cjs
// (Node, `require`; lib/index.mjs re-exports it for `import`) and lib/web.mjs (Workers and edge
// runtimes), each of which binds `glue` to wasm-bindgen's generated functions first. Only
// standard APIs are used here (TextEncoder, Uint8Array, JSON), never Node's.

// ---------------------------------------------------------------------------------------------
// Inputs go straight into one scratch buffer in the module's linear memory (see
// wasm/src/scratch.rs): Uint8Array#set for bytes, TextEncoder#encodeInto for strings, and only
// lengths cross the boundary. The secret's keyed HMAC state lives in a Receiver made once.

const memory = glue.linearMemory();
let heap = new Uint8Array(memory.buffer);
let scratch = 0;
let capacity = 0;
const encoder = new TextEncoder();

// A scratch buffer grown past this for one large input is given back after the call, so one
// large body does not keep its size of the module's memory taken for good.
const SCRATCH_KEEP = 64 * 1024;

/** Makes sure the scratch buffer holds `len` bytes and `heap` views the current memory. */
function room(len) {
  if (len > capacity) {
    scratch = glue.scratchReserve(len) >>> 0;
    capacity = len;
  }
  // Growing the memory (by any call) detaches the old ArrayBuffer.
  if (heap.byteLength === 0) heap = new Uint8Array(memory.buffer);
}

/** Gives a scratch buffer grown for a large input back to the module's allocator. */
function shrinkScratch() {
  if (capacity > SCRATCH_KEEP) {
    glue.scratchShrink(SCRATCH_KEEP);
    capacity = 0;
  }
}

const RAW_BODY_HELP =
  'the webhook signature covers the exact bytes received, so pass the raw request body ' +
  '(Buffer, Uint8Array, ArrayBuffer or string), not parsed JSON: re-serializing an object ' +
  'does not give back the same bytes. Express: use `express.raw({ type: "application/json" })` ' +
  'on the webhook route, or the `nfehook/express` middleware. Fastify: use the `nfehook/fastify` ' +
  'plugin (or a content-type parser with `parseAs: "buffer"`). Next.js route handlers, Hono, ' +
  'Bun, Deno: `await request.text()` or `verifyRequest(request, secret)`.';

/** The raw body as a string or a Uint8Array view, or a TypeError explaining what to pass. */
function rawBytes(body) {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const got = body === null ? 'null' : typeof body === 'object' ? 'an object' : typeof body;
  const error = new TypeError(`nfehook: got ${got} as the body; ${RAW_BODY_HELP}`);
  error.code = 'raw_body_required';
  throw error;
}

/** Writes short ASCII in a loop, anything else through TextEncoder; returns the bytes written. */
function writeText(at, text) {
  const length = text.length;
  if (length > 96) return encoder.encodeInto(text, heap.subarray(at, at + length * 3)).written;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return encoder.encodeInto(text, heap.subarray(at, at + length * 3)).written;
    heap[at + i] = c;
  }
  return length;
}

// Lengths of the parts the last writeInputs call wrote, in order after `scratch`.
let bodyLen = 0;
let headerLen = 0;
let secretLen = 0;

// The most any call copies into the module's memory, whatever limit the caller set: far above
// any webhook body, far below what would exhaust a 32-bit module's memory.
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/** Writes body, header and (for one-shot schemes) secret back to back into the scratch buffer. */
function writeInputs(body, header, secret) {
  const bytes = rawBytes(body);
  checkSize(bytes, MAX_INPUT_BYTES);
  if (secret.length > MAX_HEADER_BYTES) throw new TypeError(`nfehook: a secret longer than ${MAX_HEADER_BYTES} characters is not a sender's`);
  // No sender's header is this long; what is cut off cannot make a forged one valid (a valid
  // signature in what is kept is the HMAC of this body), and the core reports the rest.
  if (header.length > MAX_HEADER_BYTES) header = header.slice(0, MAX_HEADER_BYTES);
  const secretRoom = typeof secret === 'string' ? secret.length * 3 : secret.length;
  const textRoom = header.length * 3 + secretRoom;
  if (typeof bytes === 'string') {
    room(bytes.length * 3 + textRoom);
    bodyLen = writeText(scratch, bytes);
  } else {
    room(bytes.length + textRoom);
    heap.set(bytes, scratch);
    bodyLen = bytes.length;
  }
  headerLen = header.length === 0 ? 0 : writeText(scratch + bodyLen, header);
  if (typeof secret === 'string') {
    secretLen = secret.length === 0 ? 0 : writeText(scratch + bodyLen + headerLen, secret);
  } else {
    heap.set(secret, scratch + bodyLen + headerLen);
    secretLen = secret.length;
  }
}

// ---------------------------------------------------------------------------------------------
// Errors.

/**
 * A delivery failed verification. `code` is one of `missing_signature`, `malformed_signature`,
 * `signature_mismatch`, `timestamp_too_old`, `timestamp_in_future`, `invalid_payload`; other
 * fields (`reason`, `found`, `expected`, `algorithm`, `ageSeconds`, `aheadSeconds`,
 * `toleranceSeconds`) say more where they apply. Answer the sender with `statusCode` (400).
 */
class WebhookVerificationError extends Error {
  constructor(details) {
    super(details.message);
    this.name = 'WebhookVerificationError';
    this.statusCode = 400;
    for (const key of Object.keys(details)) {
      if (key !== 'message') this[key] = details[key];
    }
  }
}

/** An NF-e access key (chave de acesso) was rejected; `code` says why. */
class ChaveError extends Error {
  constructor(details) {
    super(details.message);
    this.name = 'ChaveError';
    for (const key of Object.keys(details)) {
      if (key !== 'message') this[key] = details[key];
    }
  }
}

/** A CNPJ or CPF was rejected; `code` says why. */
class DocumentError extends Error {
  constructor(details) {
    super(details.message);
    this.name = 'DocumentError';
    for (const key of Object.keys(details)) {
      if (key !== 'message') this[key] = details[key];
    }
  }
}

function lastVerificationError() {
  const details = JSON.parse(glue.takeOutput());
  if (details.code === 'invalid_input') throw new Error(`nfehook: internal error: ${details.message}`);
  return new WebhookVerificationError(details);
}

// ---------------------------------------------------------------------------------------------
// The verified event, built from the body text this side already holds: the module leaves
// where each field lies in it (wasm/src/fields.rs), so no JSON is written, copied and parsed
// again. Rare bodies come back as JSON instead (status 8).

const STATUS_OK_AS_JSON = 8;
const FIELD_NAMES = glue.fieldNames();
const FIELD_COUNT = FIELD_NAMES.length;
const F_ID = FIELD_NAMES.indexOf('id');
const F_EVENT = FIELD_NAMES.indexOf('event');
const F_TIMESTAMP = FIELD_NAMES.indexOf('timestamp');
const F_CHAVE = FIELD_NAMES.indexOf('nfeChave');
const F_CNPJ = FIELD_NAMES.indexOf('cnpj');
const F_RAZAO_SOCIAL = FIELD_NAMES.indexOf('razaoSocial');
const DIALECTS = ['subscription', 'account'];
const [SLOT_DIALECT, SLOT_KNOWN, SLOT_TEXT_BYTES, SLOT_FIELDS] = [0, 1, 2, 3];
const slotsAt = glue.fieldSlotsAddress() >>> 0;
let slots = new Uint32Array(memory.buffer, slotsAt, SLOT_FIELDS + 3 * FIELD_COUNT);
// The body's bytes as UTF-8 text; a leading BOM is text like any other (the module refuses it).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The body as the text the field positions are in: what the module read, as UTF-16. Of bytes,
 * only the start that holds every field is decoded.
 */
function bodyText(bytes) {
  if (typeof bytes !== 'string') return decoder.decode(bytes.subarray(0, slots[SLOT_TEXT_BYTES]));
  // encodeInto wrote a lone surrogate as U+FFFD, and that is what was verified and read.
  if (typeof bytes.isWellFormed === 'function') return bytes.isWellFormed() ? bytes : bytes.toWellFormed();
  if (heap.byteLength === 0) heap = new Uint8Array(memory.buffer);
  return decoder.decode(heap.subarray(scratch, scratch + slots[SLOT_TEXT_BYTES]));
}

/** The text of field `index`, or undefined when it is absent. */
function fieldText(text, index) {
  const at = SLOT_FIELDS + 3 * index;
  const kind = slots[at];
  if (kind === 1) return text.slice(slots[at + 1], slots[at + 2]);
  if (kind === 0) return undefined;
  if (kind === 2) return JSON.parse(text.slice(slots[at + 1] - 1, slots[at + 2] + 1));
  // Made text is ASCII (timestamps, digests, numbers).
  const made = glue.madeTextAddress() >>> 0;
  if (heap.byteLength === 0) heap = new Uint8Array(memory.buffer);
  return String.fromCharCode.apply(null, heap.subarray(made + slots[at + 1], made + slots[at + 2]));
}

/** The event of the last successful verifyEvent of `bytes`, in the shape of wasm/src/event.rs. */
function eventFromFields(bytes) {
  if (slots.length === 0) slots = new Uint32Array(memory.buffer, slotsAt, SLOT_FIELDS + 3 * FIELD_COUNT);
  const text = bodyText(bytes);
  const known = slots[SLOT_KNOWN];
  const data = { nfeChave: fieldText(text, F_CHAVE) };
  for (let index = F_CHAVE + 1; index < FIELD_COUNT; index++) {
    if (slots[SLOT_FIELDS + 3 * index] === 0 || index === F_RAZAO_SOCIAL) continue;
    if (index === F_CNPJ) {
      data.emitente = { cnpj: fieldText(text, F_CNPJ), razaoSocial: fieldText(text, F_RAZAO_SOCIAL) };
    } else {
      data[FIELD_NAMES[index]] = fieldText(text, index);
    }
  }
  return {
    dialect: DIALECTS[slots[SLOT_DIALECT]],
    id: fieldText(text, F_ID),
    event: known < EVENT_NAMES.length ? EVENT_NAMES[known] : fieldText(text, F_EVENT),
    timestamp: fieldText(text, F_TIMESTAMP),
    data,
  };
}

// ---------------------------------------------------------------------------------------------
// Headers.

// The header rule is the core's (nfehook_core::signature_header): these names in order, the
// first one present wins (X-Webhook-Signature, else the account webhook's X-ValidaNFe-Signature).
const VALIDANFE_NAMES = glue.signatureHeaderNames();
const [SIGNATURE_HEADER, ACCOUNT_SIGNATURE_HEADER] = VALIDANFE_NAMES;
const NFEIO_SIGNATURE_HEADER = 'x-hub-signature';

function headerValue(value) {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(',');
  return undefined;
}

/** The value of header `name` (lowercase) in a Headers, Map or plain object, any case. */
function lookUp(headers, name) {
  if (typeof headers.get === 'function' && !(headers instanceof Map)) {
    const value = headers.get(name);
    return value === null ? undefined : headerValue(value);
  }
  if (headers instanceof Map) {
    for (const [key, value] of headers) {
      if (typeof key === 'string' && key.toLowerCase() === name) return headerValue(value);
    }
    return undefined;
  }
  const direct = headerValue(headers[name]);
  if (direct !== undefined) return direct;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return headerValue(headers[key]);
  }
  return undefined;
}

/** The signature from a header value or a headers object; '' when there is none. */
function signatureOf(signatureOrHeaders, names) {
  if (typeof signatureOrHeaders === 'string') return signatureOrHeaders;
  if (signatureOrHeaders === undefined || signatureOrHeaders === null) return '';
  if (Array.isArray(signatureOrHeaders)) return signatureOrHeaders.join(',');
  if (typeof signatureOrHeaders !== 'object') {
    throw new TypeError('nfehook: the signature must be the header value (a string) or the request headers');
  }
  for (const name of names) {
    const value = lookUp(signatureOrHeaders, name);
    if (value !== undefined) return value;
  }
  return '';
}

const MAX_HEADER_BYTES = 8 * 1024;
const NFEIO_NAMES = [NFEIO_SIGNATURE_HEADER];

// ---------------------------------------------------------------------------------------------
// Secrets and options.

function checkSecret(secret) {
  if ((typeof secret !== 'string' && !(secret instanceof Uint8Array)) || secret.length === 0) {
    throw new TypeError('nfehook: a secret must be a non-empty string (the subscription secret, e.g. "whsec_...") or Uint8Array');
  }
  return secret;
}

/** Keys a Receiver with the UTF-8 bytes of each secret (or the bytes given). */
function keyed(secrets) {
  const encoded = secrets.map((secret) => (typeof checkSecret(secret) === 'string' ? encoder.encode(secret) : secret));
  const lengths = new Uint32Array(encoded.length);
  let total = 0;
  encoded.forEach((bytes, i) => {
    lengths[i] = bytes.length;
    total += bytes.length;
  });
  const all = new Uint8Array(total);
  let at = 0;
  for (const bytes of encoded) {
    all.set(bytes, at);
    at += bytes.length;
  }
  const receiver = new glue.Receiver(all, lengths);
  all.fill(0);
  return receiver;
}

function secondsOf(tolerance, fallback, name) {
  if (tolerance === undefined) return fallback;
  if (typeof tolerance !== 'number' || Number.isNaN(tolerance) || tolerance < 0) {
    throw new TypeError(`nfehook: ${name} must be a number >= 0 (Infinity turns that side of the replay check off)`);
  }
  return tolerance;
}

/** `now` as seconds since the epoch: a Date, or milliseconds as Date.now() gives. */
function nowSeconds(options) {
  const now = options == null ? undefined : options.now;
  if (now === undefined) return Date.now() / 1000;
  const millis = now instanceof Date ? now.getTime() : now;
  if (typeof millis !== 'number' || !Number.isFinite(millis)) {
    throw new TypeError('nfehook: options.now must be a Date or a number of milliseconds since the epoch');
  }
  return millis / 1000;
}

// The replay window is the core's (nfehook_core::Window::RECEIVER): its past side covers the
// sender's retry horizon (every attempt repeats the event's `timestamp`), so a genuine retry is
// never refused as stale; the duplicate guard remembers ids for longer (24 h), so a captured
// delivery replayed inside the window is a duplicate and one replayed after it is refused.
// Clocks only drift a little ahead.
const [DEFAULT_TOLERANCE_SECONDS, DEFAULT_FUTURE_TOLERANCE_SECONDS] = glue.receiverWindow();

// One-shot functions reuse the keyed state of the last secrets they met (the first 16 distinct
// ones stay until a 17th arrives; then the oldest is dropped).
const MAX_CACHED_SECRETS = 16;
const receivers = new Map();

function receiverFor(secret) {
  let receiver = receivers.get(checkSecret(secret));
  if (receiver === undefined) {
    if (receivers.size >= MAX_CACHED_SECRETS) {
      const [oldest, old] = receivers.entries().next().value;
      receivers.delete(oldest);
      old.free();
    }
    receiver = keyed([secret]);
    receivers.set(secret, receiver);
  }
  return receiver;
}

// ---------------------------------------------------------------------------------------------
// ValidaNFe deliveries.

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * The receiver of one subscription or account webhook: its secret (or several, while rotating)
 * keyed once, and the replay window. `verify` checks the signature over the raw body, parses the
 * event of either dialect and checks its timestamp.
 */
class Webhook {
  #receiver;
  #tolerance;
  #future;
  #limit;
  #count;

  constructor(secret, options) {
    const secrets = Array.isArray(secret) ? secret : [secret];
    if (secrets.length === 0) throw new TypeError('nfehook: give at least one secret');
    const opts = options == null ? {} : options;
    this.#tolerance = secondsOf(opts.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS, 'toleranceSeconds');
    this.#future = secondsOf(opts.futureToleranceSeconds, DEFAULT_FUTURE_TOLERANCE_SECONDS, 'futureToleranceSeconds');
    this.#limit = parseLimit(opts.limit);
    this.#receiver = keyed(secrets);
    this.#count = secrets.length;
  }

  /** Verifies and parses a delivery; throws WebhookVerificationError. */
  verify(rawBody, signatureOrHeaders, options) {
    const bytes = this.#write(rawBody, signatureOrHeaders);
    const status = this.#receiver.verifyEvent(bodyLen, headerLen, nowSeconds(options), this.#tolerance, this.#future);
    if (status === 0) {
      const event = eventFromFields(bytes);
      shrinkScratch();
      return event;
    }
    shrinkScratch();
    if (status === STATUS_OK_AS_JSON) return JSON.parse(glue.takeOutput());
    throw lastVerificationError();
  }

  /** Checks only the signature; throws WebhookVerificationError. */
  verifySignatureOrThrow(rawBody, signatureOrHeaders) {
    this.#write(rawBody, signatureOrHeaders);
    const status = this.#receiver.verifySignature(bodyLen, headerLen);
    shrinkScratch();
    if (status !== 0) throw lastVerificationError();
  }

  /** Whether the signature is valid; never throws on a malformed header (a body past the limit still throws). */
  verifySignature(rawBody, signatureOrHeaders) {
    this.#write(rawBody, signatureOrHeaders);
    const status = this.#receiver.verifySignature(bodyLen, headerLen);
    shrinkScratch();
    return status === 0;
  }

  /**
   * Reads a web `Request`'s body, refusing it past the limit (by Content-Length, then while
   * streaming), and verifies it with its headers.
   */
  async verifyRequest(request, options) {
    const body = await readLimited(request, this.#limit);
    return this.verify(body, request.headers, options);
  }

  /** The `X-Webhook-Signature` value for `rawBody` under the first secret. */
  sign(rawBody) {
    writeInputs(rawBody, '', '');
    const header = this.#receiver.sign(bodyLen);
    shrinkScratch();
    return header;
  }

  /** How far in the past an event's timestamp may lie, in seconds. */
  get toleranceSeconds() {
    return this.#tolerance;
  }

  /** How far ahead of this clock an event's timestamp may lie, in seconds. */
  get futureToleranceSeconds() {
    return this.#future;
  }

  /** The largest body accepted, in bytes. */
  get limit() {
    return this.#limit;
  }

  /** Writes the delivery into the scratch buffer; returns the body as a string or bytes. */
  #write(rawBody, signatureOrHeaders) {
    const header = signatureOf(signatureOrHeaders, VALIDANFE_NAMES);
    const bytes = rawBytes(rawBody);
    checkSize(bytes, this.#limit);
    writeInputs(bytes, header, '');
    return bytes;
  }

  /** Frees the keyed state now instead of at garbage collection; the object is unusable after. */
  dispose() {
    if (this.#receiver !== undefined) this.#receiver.free();
    this.#receiver = undefined;
  }

  toString() {
    return `Webhook { secrets: ${this.#count} [REDACTED], toleranceSeconds: ${this.#tolerance}, ` +
      `futureToleranceSeconds: ${this.#future}, limit: ${this.#limit} }`;
  }

  toJSON() {
    return { secrets: '[REDACTED]', toleranceSeconds: this.#tolerance, futureToleranceSeconds: this.#future, limit: this.#limit };
  }

  [inspectSymbol]() {
    return this.toString();
  }
}

/** Whether `header` is a valid ValidaNFe signature of `rawBody` under `secret`; never throws on a bad header. */
function verifySignature(rawBody, header, secret) {
  const receiver = receiverFor(secret);
  writeInputs(rawBody, signatureOf(header, VALIDANFE_NAMES), '');
  const status = receiver.verifySignature(bodyLen, headerLen);
  shrinkScratch();
  return status === 0;
}

/** The `X-Webhook-Signature` value (`sha256=<hex>`) for `rawBody` under `secret`. */
function sign(rawBody, secret) {
  const receiver = receiverFor(secret);
  writeInputs(rawBody, '', '');
  const header = receiver.sign(bodyLen);
  shrinkScratch();
  return header;
}

/** The header value a ValidaNFe delivery of `payload` would carry; objects are JSON.stringify'd. */
function generateTestHeader(payload, secret) {
  const body = typeof payload === 'string' || payload instanceof Uint8Array || payload instanceof ArrayBuffer ||
    ArrayBuffer.isView(payload) ? payload : JSON.stringify(payload);
  return sign(body, secret);
}

/** `timestamp` of a test event: a Date or RFC 3339 text; now (whole seconds) when absent. */
function testTimestamp(timestamp) {
  if (typeof timestamp === 'string') return timestamp;
  const date = timestamp === undefined ? new Date() : timestamp;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError('nfehook: a test event\'s timestamp must be a Date or an RFC 3339 string');
  }
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

let testDeliveries = 0;

/**
 * A signed test delivery of `event` (the shape `verify` returns; `id`, `timestamp`, `dialect`
 * and the subscription dialect's `data.status` may be left out) in its dialect's body and
 * header: `{ body, headers }`, ready for `fetch(url, { method: 'POST', body, headers })`.
 */
function generateTestDelivery(event, secret) {
  if (event === null || typeof event !== 'object') throw new TypeError('nfehook: a test event must be an object');
  const id = event.id !== undefined ? event.id : `test-${Date.now().toString(36)}-${(testDeliveries++).toString(36)}`;
  const input = { ...event, id, timestamp: testTimestamp(event.timestamp) };
  const result = JSON.parse(glue.testDeliveryBody(JSON.stringify(input)));
  if (result.error !== undefined) throw new TypeError(`nfehook: ${result.error}`);
  const signature = sign(result.body, secret);
  // The account webhook's published sample compares the bare hex digest; receivers take both.
  const value = result.dialect === 'account' ? signature.slice('sha256='.length) : signature;
  return { body: result.body, headers: { 'content-type': 'application/json', [result.header]: value } };
}

/** Reads a web `Request` (Next.js route handlers, Hono, Bun, Deno, Workers) and verifies it. */
async function verifyRequest(request, secretOrWebhook, options) {
  const webhook = secretOrWebhook instanceof Webhook ? secretOrWebhook : new Webhook(secretOrWebhook, options);
  try {
    return await webhook.verifyRequest(request, options);
  } finally {
    if (webhook !== secretOrWebhook) webhook.dispose();
  }
}

/**
 * A web `Request` handler (Next.js route handlers, Hono, Bun, Deno, Workers): verifies each
 * delivery, runs `handler(event, request)` under the `dedupe` guard when one is given, and
 * answers as the Express and Fastify helpers do. The handler may return a `Response`; anything
 * else is answered 200 `{"received":true}`.
 */
function webhookHandler(options) {
  if (!options || (options.secret === undefined && options.webhook === undefined)) {
    throw new TypeError('nfehook: webhookHandler needs { secret } or { webhook }');
  }
  if (typeof options.handler !== 'function') throw new TypeError('nfehook: webhookHandler needs handler(event, request)');
  const webhook = options.webhook instanceof Webhook ? options.webhook : new Webhook(options.secret, options);
  const guard = DuplicateGuard.check(options.dedupe, webhook);
  const handler = options.handler;
  const answer = (reply) => new Response(JSON.stringify(reply.body), { status: reply.statusCode, headers: reply.headers });

  return async function nfehookHandler(request) {
    let event;
    try {
      event = await webhook.verifyRequest(request);
    } catch (error) {
      if (error instanceof WebhookVerificationError) return answer(replyFor(error));
      throw error;
    }
    let claim;
    if (guard !== undefined) {
      try {
        claim = await guard.claim(event);
      } catch (error) {
        if (error instanceof DedupeUnavailableError) return answer(replyFor(error));
        throw error;
      }
      if (!claim.granted) return answer(replyFor(claim));
      // Runtimes abort the request's signal when the sender goes away: let the lease lapse.
      const signal = request.signal;
      if (signal) signal.addEventListener('abort', () => claim.letLapse(), { once: true });
    }
    let value;
    try {
      value = await handler(event, request);
    } catch (error) {
      if (claim !== undefined) await claim.release();
      throw error;
    }
    const response = value instanceof Response
      ? value
      : answer({ statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { received: true } });
    // Only a 2xx acknowledges the delivery; any other answer makes the sender retry, so the
    // retry must find the event free.
    if (claim !== undefined) await (response.ok ? claim.complete() : claim.release());
    return response;
  };
}

// ---------------------------------------------------------------------------------------------
// NFE.io deliveries (X-Hub-Signature: sha1=<HEX>).

/** Whether `header` is a valid NFE.io `X-Hub-Signature` of `rawBody` under `secret`; never throws on a bad header. */
function verifyNfeIoSignature(rawBody, header, secret) {
  writeInputs(rawBody, signatureOf(header, NFEIO_NAMES), checkSecret(secret));
  const status = glue.nfeioVerify(bodyLen, headerLen, secretLen);
  shrinkScratch();
  return status === 0;
}

/** The `X-Hub-Signature` value (`sha1=<HEX>`) NFE.io would send for `rawBody`. */
function signNfeIo(rawBody, secret) {
  writeInputs(rawBody, '', checkSecret(secret));
  const header = glue.nfeioSign(bodyLen, secretLen);
  shrinkScratch();
  return header;
}

// ---------------------------------------------------------------------------------------------
// NF-e access keys and documents.

function checkText(value, what) {
  if (typeof value !== 'string') throw new TypeError(`nfehook: ${what} must be a string`);
  return value;
}

const YEAR_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `today` of the strict mode: a `YYYY-MM` string or a Date (its UTC month); the current month when absent. */
function strictMonth(today) {
  if (today === undefined) today = new Date();
  if (today instanceof Date && !Number.isNaN(today.getTime())) {
    return [today.getUTCFullYear(), today.getUTCMonth() + 1];
  }
  const match = typeof today === 'string' ? YEAR_MONTH.exec(today) : null;
  if (!match) throw new TypeError('nfehook: options.today must be a Date or a "YYYY-MM" string');
  return [Number(match[1]), Number(match[2])];
}

/**
 * Decodes an NF-e access key; throws ChaveError. Spaces, dots, dashes and an `NFe` prefix are
 * accepted unless `options.strict`, which applies the tax authority's issue-time rules
 * (exactly 44 characters, AAMM up to `options.today`, …).
 */
function parseChave(key, options = {}) {
  checkText(key, 'the access key');
  const text = options.strict
    ? glue.parseChaveStrict(key, ...strictMonth(options.today))
    : glue.parseChave(key);
  const result = JSON.parse(text);
  if (result.error) throw new ChaveError(result.error);
  return result.chave;
}

/** Whether `key` is a valid NF-e access key. */
function isValidChave(key) {
  return typeof key === 'string' && glue.isValidChave(key);
}

function parseDocument(kind, value) {
  const result = JSON.parse(glue.parseDocument(kind, checkText(value, `the ${kind}`)));
  if (result.error) throw new DocumentError(result.error);
  return result.document;
}

/** Whether `cnpj` (numeric or alphanumeric, formatted or not) is valid. */
function isValidCnpj(cnpj) {
  return typeof cnpj === 'string' && glue.isValidDocument('cnpj', cnpj);
}

/** `cnpj` as `12.ABC.345/01DE-35`; throws DocumentError when it is invalid. */
function formatCnpj(cnpj) {
  return parseDocument('cnpj', cnpj).formatted;
}

/** Whether `cpf` (formatted or not) is valid. */
function isValidCpf(cpf) {
  return typeof cpf === 'string' && glue.isValidDocument('cpf', cpf);
}

/** `cpf` as `123.456.789-09`; throws DocumentError when it is invalid. */
function formatCpf(cpf) {
  return parseDocument('cpf', cpf).formatted;
}

const EVENT_NAMES = Object.freeze(glue.eventNames());

// @exports Webhook WebhookVerificationError ChaveError DocumentError verifySignature sign generateTestHeader generateTestDelivery verifyRequest webhookHandler verifyNfeIoSignature signNfeIo parseChave isValidChave isValidCnpj formatCnpj isValidCpf formatCpf EVENT_NAMES DEFAULT_TOLERANCE_SECONDS DEFAULT_FUTURE_TOLERANCE_SECONDS SIGNATURE_HEADER ACCOUNT_SIGNATURE_HEADER NFEIO_SIGNATURE_HEADER
