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
  /** Replay window in seconds (default 300). */
  toleranceSeconds?: number;
  /** Largest body, in bytes (default Fastify's). */
  bodyLimit?: number;
  /** Answers repeats of a delivery 200 without calling `handler`. */
  dedupe?: DuplicateGuard;
}

/** Registers the webhook route: `app.register(nfehookPlugin, { path, secret, handler })`. */
export declare function nfehookPlugin(fastify: any, options: NfehookFastifyOptions): Promise<void>;
export default nfehookPlugin;
