'use strict';
// Express middleware: reads the raw body itself, verifies it, and sets `req.nfehookEvent`
// (and `req.body` to the event, `req.rawBody` to the bytes); answers 400 with a JSON error
// when verification fails.
const { Webhook, WebhookVerificationError } = require('./index.cjs');

const DEFAULT_LIMIT = 1024 * 1024;

function sendJson(res, status, body) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

class BodyError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The exact bytes of the request body: from an earlier `express.raw()`, or read here. */
function rawBody(req, limit) {
  if (Buffer.isBuffer(req.body)) return Promise.resolve(req.body);
  if (typeof req.body === 'string') return Promise.resolve(Buffer.from(req.body, 'utf8'));
  if (Buffer.isBuffer(req.rawBody)) return Promise.resolve(req.rawBody);
  // body-parser marks what it consumed with `_body`; Express 4 leaves `{}` in `req.body` when
  // no parser matched, with the stream still unread.
  if (req.readableEnded || req._body === true) {
    return Promise.reject(new Error(
      'nfehook/express: the request body was already parsed (express.json() or another body parser ran ' +
      'before this middleware), so its exact bytes are gone and the signature cannot be checked. Mount ' +
      'nfehook before any body parser on the webhook route, or use express.raw({ type: "application/json" }).',
    ));
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new BodyError(413, 'payload_too_large', `request body exceeds ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/**
 * Builds the middleware. Options: `secret` (string or array, for rotation) or `webhook` (a
 * `Webhook`), `toleranceSeconds`, `limit` (bytes, default 1 MiB), `dedupe` (a DuplicateGuard:
 * a repeated delivery is answered 200 `{"received":true,"duplicate":true}` without reaching
 * the handler, and released again if the handler answers with a non-2xx status).
 */
function webhookMiddleware(options) {
  if (!options || (options.secret === undefined && options.webhook === undefined)) {
    throw new TypeError('nfehook/express: pass { secret } or { webhook }');
  }
  const webhook = options.webhook instanceof Webhook
    ? options.webhook
    : new Webhook(options.secret, { toleranceSeconds: options.toleranceSeconds });
  const limit = options.limit === undefined ? DEFAULT_LIMIT : options.limit;
  const guard = options.dedupe;

  return function nfehookMiddleware(req, res, next) {
    rawBody(req, limit).then(async (body) => {
      let event;
      try {
        event = webhook.verify(body, req.headers);
      } catch (error) {
        if (error instanceof WebhookVerificationError) {
          sendJson(res, 400, { error: error.code, message: error.message });
          return;
        }
        throw error;
      }
      req.rawBody = body;
      req.body = event;
      req.nfehookEvent = event;
      if (guard) {
        if (!(await guard.claim(event))) {
          sendJson(res, 200, { received: true, duplicate: true });
          return;
        }
        res.once('finish', () => {
          if (res.statusCode < 200 || res.statusCode >= 300) guard.release(event).catch(() => {});
        });
      }
      next();
    }).catch((error) => {
      if (error instanceof BodyError) sendJson(res, error.status, { error: error.code, message: error.message });
      else next(error);
    });
  };
}

module.exports = webhookMiddleware;
module.exports.webhookMiddleware = webhookMiddleware;
module.exports.default = webhookMiddleware;
