// Body size limits, shared by verify, verifyRequest and the framework helpers.
//
// Wrapped with api.js by wasm/build/assemble.mjs (no import or export here). Every input is
// measured before it is copied anywhere: a body past the limit never reaches the wasm memory.

const DEFAULT_BODY_LIMIT = 1024 * 1024;

const SIZE_UNITS = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const SIZE_TEXT = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i;

/**
 * A body limit in bytes from a number of bytes or the strings body-parser users write
 * (`'1mb'`, `'512kb'`, `'100b'`; 1kb = 1024 bytes); anything else is a TypeError.
 */
function parseLimit(limit) {
  if (limit === undefined) return DEFAULT_BODY_LIMIT;
  if (typeof limit === 'number') {
    if (Number.isSafeInteger(limit) && limit >= 0) return limit;
  } else if (typeof limit === 'string') {
    const match = SIZE_TEXT.exec(limit);
    if (match) {
      const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] || 'b').toLowerCase()]);
      if (Number.isSafeInteger(bytes)) return bytes;
    }
  }
  const error = new TypeError(
    `nfehook: limit must be a whole number of bytes or a size such as '1mb' or '512kb', got ${
      typeof limit === 'string' ? JSON.stringify(limit.slice(0, 40)) : String(limit)}`,
  );
  error.code = 'invalid_limit';
  throw error;
}

/** A body longer than the limit was refused before it was read further (HTTP 413). */
class PayloadTooLargeError extends WebhookVerificationError {
  constructor(limit) {
    super({ code: 'payload_too_large', message: `request body exceeds the limit of ${limit} bytes`, statusCode: 413, limit });
    this.name = 'PayloadTooLargeError';
  }
}

function tooLarge(limit) {
  return new PayloadTooLargeError(limit);
}

/** Throws payload_too_large when the raw body (string, bytes) is longer than `limit` bytes. */
function checkSize(bytes, limit) {
  // A string's UTF-8 form is at least as long as its UTF-16 length; the exact count is taken
  // only when the length alone cannot decide.
  const size = typeof bytes === 'string'
    ? (bytes.length > limit ? bytes.length : bytes.length * 3 <= limit ? 0 : encoder.encode(bytes).length)
    : bytes.length;
  if (size > limit) throw tooLarge(limit);
}

/**
 * The body of a web `Request` as bytes, refused past `limit`: by its Content-Length before
 * reading, then while streaming (the stream is cancelled, nothing more is read).
 */
async function readLimited(request, limit) {
  const declared = request.headers && typeof request.headers.get === 'function'
    ? request.headers.get('content-length')
    : null;
  if (declared !== null && declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const stream = request.body;
  if (stream === null || stream === undefined) return new Uint8Array(0);
  if (typeof stream.getReader !== 'function') {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.length > limit) throw tooLarge(limit);
    return bytes;
  }
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

// @exports parseLimit PayloadTooLargeError DEFAULT_BODY_LIMIT
