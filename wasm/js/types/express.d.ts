// Types of `nfehook/express`.
import type { DuplicateGuard, Webhook, WebhookEvent } from './index.js';

export interface WebhookMiddlewareOptions {
  /** The subscription secret, or several while rotating. Give this or `webhook`. */
  secret?: string | readonly string[];
  /** A `Webhook` to reuse. */
  webhook?: Webhook;
  /** Replay window in seconds (default 300). */
  toleranceSeconds?: number;
  /** Largest body read, in bytes (default 1 MiB); larger is answered 413. */
  limit?: number;
  /** Answers repeats of a delivery 200 without calling the next handler. */
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
    }
  }
}
