// Types of `nfehook/fastify`.
import type { DuplicateGuard, Webhook, WebhookEvent } from './index.js';

export interface NfehookFastifyOptions {
  /** Route path of the webhook (default '/', relative to the plugin's prefix). */
  path?: string;
  /**
   * Called with each verified event. Its return value is the reply (`{ received: true }` when it
   * returns nothing); if it throws, the delivery fails and the sender retries.
   */
  handler: (event: WebhookEvent, request: any, reply: any) => unknown;
  /** The subscription secret, or several while rotating. Give this or `webhook`. */
  secret?: string | readonly string[];
  /** A `Webhook` to reuse. */
  webhook?: Webhook;
  /** How old an event may be, in seconds (default 3600). */
  toleranceSeconds?: number;
  /** How far ahead an event may be, in seconds (default 300). */
  futureToleranceSeconds?: number;
  /** Largest body: bytes or a size such as `'1mb'` (default 1 MiB); larger is answered 413. */
  bodyLimit?: number | string;
  /**
   * Answers a repeat after success 200 without calling `handler`, one during another attempt
   * 409; completes the claim when the handler answers 2xx, releases it otherwise.
   */
  dedupe?: DuplicateGuard;
}

/** Registers the webhook route: `app.register(nfehookPlugin, { path, secret, handler })`. */
export declare function nfehookPlugin(fastify: any, options: NfehookFastifyOptions): Promise<void>;
export default nfehookPlugin;
