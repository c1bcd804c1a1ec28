'use strict';
// Fastify plugin: declares the webhook route in its own encapsulated context, whose body parser
// keeps the raw bytes (other routes keep Fastify's JSON parser), verifies each delivery and
// calls `handler(event, request, reply)`; answers 400 with a JSON error when verification fails.
const { Webhook, WebhookVerificationError } = require('./index.cjs');

/**
 * Options: `path` (default '/'), `handler(event, request, reply)` (its return value is the
 * reply, `{ received: true }` when it returns nothing), `secret` (string or array) or `webhook`,
 * `toleranceSeconds`, `bodyLimit` (bytes, default Fastify's), `dedupe` (a DuplicateGuard: a
 * repeated delivery is answered 200 `{"received":true,"duplicate":true}` without calling the
 * handler, and released again if the handler throws).
 */
async function nfehookPlugin(fastify, options) {
  if (!options || (options.secret === undefined && options.webhook === undefined)) {
    throw new TypeError('nfehook/fastify: pass { secret } or { webhook }');
  }
  if (typeof options.handler !== 'function') {
    throw new TypeError('nfehook/fastify: pass handler(event, request, reply)');
  }
  const webhook = options.webhook instanceof Webhook
    ? options.webhook
    : new Webhook(options.secret, { toleranceSeconds: options.toleranceSeconds });
  const guard = options.dedupe;
  const handler = options.handler;

  fastify.removeAllContentTypeParsers();
  const parserOptions = { parseAs: 'buffer' };
  if (options.bodyLimit !== undefined) parserOptions.bodyLimit = options.bodyLimit;
  fastify.addContentTypeParser('*', parserOptions, (request, body, done) => done(null, body));
  fastify.decorateRequest('nfehookEvent', null);

  fastify.post(options.path === undefined ? '/' : options.path, async (request, reply) => {
    let event;
    try {
      event = webhook.verify(request.body === undefined || request.body === null ? '' : request.body, request.headers);
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        return reply.code(400).send({ error: error.code, message: error.message });
      }
      throw error;
    }
    request.nfehookEvent = event;
    if (guard && !(await guard.claim(event))) return { received: true, duplicate: true };
    try {
      const result = await handler(event, request, reply);
      return reply.sent ? reply : result === undefined ? { received: true } : result;
    } catch (error) {
      if (guard) await guard.release(event);
      throw error;
    }
  });
}

module.exports = nfehookPlugin;
module.exports.nfehookPlugin = nfehookPlugin;
module.exports.default = nfehookPlugin;
