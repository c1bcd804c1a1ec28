// Types of `nfehook/express`.
import type { Claim, DuplicateGuard, Webhook, WebhookEvent } from './index.js';

export interface WebhookMiddlewareOptions {
  /** The subscription secret, or several while rotating. Give this or `webhook`. */
  secret?: string | readonly string[];
  /** A `Webhook` to reuse. */
  webhook?: Webhook;
  /** How old an event may be, in seconds (default 3600). */
  toleranceSeconds?: number;
  /** How far ahead an event may be, in seconds (default 300). */
  futureToleranceSeconds?: number;
  /** Largest body read: bytes or a size such as `'1mb'` (default 1 MiB); larger is answered 413. */
  limit?: number | string;
  /**
   * Answers a repeat after success 200 without calling the next handler, and one during another
   * attempt 409; completes the claim on a 2xx answer, releases it on any other answer, an error
   * or a closed connection.
   */
  dedupe?: DuplicateGuard;
}

/** An Express (or Connect) middleware. */
export type NfehookMiddleware = (req: any, res: any, next: (error?: unknown) => void) => void;

/**
 * Verifies the delivery and sets `req.nfehookEvent` (and `req.body`) to the event; answers 400
 * `{ error, message }` when verification fails. Mount it before any body parser on its route.
 */
export declare function webhookMiddleware(options: WebhookMiddlewareOptions): NfehookMiddleware;
export default webhookMiddleware;

declare global {
  namespace Express {
    interface Request {
      /** The verified event, set by `nfehook/express`. */
      nfehookEvent?: WebhookEvent;
      /** The exact bytes received, set by `nfehook/express`. */
      rawBody?: Uint8Array;
      /** This attempt's claim when `dedupe` is set (settled by the middleware from the answer). */
      nfehookClaim?: Claim;
    }
  }
}
