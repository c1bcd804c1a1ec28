'use strict';
// Express middleware: reads the raw body itself (bounded), verifies it, and sets
// `req.nfehookEvent` (and `req.body` to the event, `req.rawBody` to the bytes); answers 400 with
// a JSON error when verification fails, 413 past the limit.
const {
  Webhook, WebhookVerificationError, PayloadTooLargeError, DedupeUnavailableError, DuplicateGuard, parseLimit, replyFor,
} = require('./index.cjs');

function send(res, reply) {
  res.statusCode = reply.statusCode;
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(reply.body));
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
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new PayloadTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        // Drain (not keep) the rest, so the 413 reaches a client still sending.
        req.resume();
        reject(new PayloadTooLargeError(limit));
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
 * `Webhook`), `toleranceSeconds`, `futureToleranceSeconds`, `limit` (bytes or '1mb'-style,
 * default 1 MiB), `dedupe` (a DuplicateGuard, see the README: a repeat after success is answered
 * 200 `{"received":true,"duplicate":true}`, one during another attempt 409 so it is retried;
 * the claim is completed when the answer is a 2xx and released on any other answer, an error
 * or a closed connection).
 */
function webhookMiddleware(options) {
  if (!options || (options.secret === undefined && options.webhook === undefined)) {
    throw new TypeError('nfehook/express: pass { secret } or { webhook }');
  }
  const limit = parseLimit(options.limit);
  const webhook = options.webhook instanceof Webhook
    ? options.webhook
    : new Webhook(options.secret, {
      toleranceSeconds: options.toleranceSeconds, futureToleranceSeconds: options.futureToleranceSeconds, limit,
    });
  const guard = DuplicateGuard.check(options.dedupe, webhook);

  return function nfehookMiddleware(req, res, next) {
    rawBody(req, limit).then(async (body) => {
      const event = webhook.verify(body, req.headers);
      req.rawBody = body;
      req.body = event;
      req.nfehookEvent = event;
      if (guard !== undefined) {
        const claim = await guard.claim(event);
        if (!claim.granted) {
          send(res, replyFor(claim));
          return;
        }
        req.nfehookClaim = claim;
        // Settled when the handler answers, whether or not the sender still listens: a 2xx
        // means the work is done (a retry is then a duplicate), anything else frees the event.
        const end = res.end;
        res.end = function endAndSettle(...args) {
          res.end = end;
          if (res.statusCode >= 200 && res.statusCode < 300) claim.complete();
          else claim.release();
          return end.apply(this, args);
        };
        // The sender stopped waiting (its timeout) before any answer: its retry is refused
        // while the handler may still finish, and processed once the lease has lapsed.
        res.once('close', () => {
          if (!res.writableEnded) claim.letLapse();
        });
      }
      next();
    }).catch((error) => {
      if (error instanceof WebhookVerificationError || error instanceof DedupeUnavailableError) send(res, replyFor(error));
      else next(error);
    });
  };
}

module.exports = webhookMiddleware;
module.exports.webhookMiddleware = webhookMiddleware;
module.exports.default = webhookMiddleware;
