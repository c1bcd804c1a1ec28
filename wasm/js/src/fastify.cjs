'use strict';
// Fastify plugin: declares the webhook route in its own encapsulated context, whose body parser
// keeps the raw bytes (other routes keep Fastify's JSON parser), verifies each delivery and
// calls `handler(event, request, reply)`; answers 400 with a JSON error when verification fails.
const {
  Webhook, WebhookVerificationError, PayloadTooLargeError, DedupeUnavailableError, DuplicateGuard, parseLimit, replyFor,
} = require('./index.cjs');

/**
 * Options: `path` (default '/'), `handler(event, request, reply)` (its return value is the
 * reply, `{ received: true }` when it returns nothing), `secret` (string or array) or `webhook`,
 * `toleranceSeconds`, `futureToleranceSeconds`, `bodyLimit` (bytes or '1mb'-style, default
 * 1 MiB), `dedupe` (a DuplicateGuard: the claim is completed when the handler answers 2xx and
 * released when it throws or answers anything else; a repeat after success is answered 200
 * `{"received":true,"duplicate":true}`, one during another attempt 409).
 */
async function nfehookPlugin(fastify, options) {
  if (!options || (options.secret === undefined && options.webhook === undefined)) {
    throw new TypeError('nfehook/fastify: pass { secret } or { webhook }');
  }
  if (typeof options.handler !== 'function') {
    throw new TypeError('nfehook/fastify: pass handler(event, request, reply)');
  }
  const bodyLimit = parseLimit(options.bodyLimit);
  const webhook = options.webhook instanceof Webhook
    ? options.webhook
    : new Webhook(options.secret, {
      toleranceSeconds: options.toleranceSeconds, futureToleranceSeconds: options.futureToleranceSeconds, limit: bodyLimit,
    });
  const guard = DuplicateGuard.check(options.dedupe, webhook);
  const handler = options.handler;

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => done(null, body));
  fastify.decorateRequest('nfehookEvent', null);
  const answer = (reply, body) => reply.code(body.statusCode).headers(body.headers).send(body.body);
  // Fastify's own 413 (FST_ERR_CTP_BODY_TOO_LARGE) in the package's JSON shape.
  fastify.setErrorHandler((error, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return answer(reply, replyFor(new PayloadTooLargeError(bodyLimit)));
    }
    return reply.send(error);
  });

  fastify.post(options.path === undefined ? '/' : options.path, async (request, reply) => {
    let event;
    let claim;
    try {
      event = webhook.verify(request.body === undefined || request.body === null ? '' : request.body, request.headers);
      request.nfehookEvent = event;
      if (guard !== undefined) claim = await guard.claim(event);
    } catch (error) {
      if (error instanceof WebhookVerificationError || error instanceof DedupeUnavailableError) return answer(reply, replyFor(error));
      throw error;
    }
    if (claim !== undefined && !claim.granted) return answer(reply, replyFor(claim));
    // The sender stopped waiting (its timeout) before the answer: let the lease lapse, so a
    // handler that never finishes cannot hold the event for ever.
    if (claim !== undefined) reply.raw.once('close', () => { if (!reply.raw.writableEnded) claim.letLapse(); });
    let result;
    try {
      result = await handler(event, request, reply);
    } catch (error) {
      if (claim !== undefined) await claim.release();
      throw error;
    }
    // Only a 2xx acknowledges the delivery; any other answer makes the sender retry, so the
    // retry must find the event free.
    if (claim !== undefined) {
      await (reply.statusCode >= 200 && reply.statusCode < 300 ? claim.complete() : claim.release());
    }
    return reply.sent ? reply : result === undefined ? { received: true } : result;
  });
}

module.exports = nfehookPlugin;
module.exports.nfehookPlugin = nfehookPlugin;
module.exports.default = nfehookPlugin;
