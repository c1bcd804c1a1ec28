// How a command error is presented: a message key by kind, an action, a countdown.
import type { CommandError } from './api';

export type ErrorAction = 'connectionSettings' | 'retry' | null;

export interface ErrorPresentation {
  key: string; // i18n key of the headline
  params: Record<string, string | number>;
  detail: string | null; // the server's own message, shown under the headline
  action: ErrorAction;
  retryAfter: number | null;
  /** A validation error's first problem code (`no_secret`, `count`, …), to say it in the
   *  user's language (`problem.<code>`), or null. */
  code: string | null;
}

/** The codes the tool commands give in a validation error's fields, each with a
 *  `problem.<code>` message in both locales (a test checks). */
export const TOOL_PROBLEM_CODES = [
  'invalid_url',
  'no_secret',
  'not_text',
  'count',
  'no_proposal',
  'nothing_to_import',
  'unknown_event',
] as const;

const KNOWN = new Set([
  'unauthorized',
  'conflict',
  'rateLimited',
  'offline',
  'validation',
  'notFound',
  'server',
  'connection',
  'keychain',
  'storage',
  'sandbox',
  'clipboard',
]);

export function presentError(e: CommandError): ErrorPresentation {
  const kind = KNOWN.has(e.kind) ? e.kind : 'unknown';
  const detail = e.serverMessage ?? (kind === 'unknown' || kind === 'connection' || kind === 'sandbox' ? e.message : null);
  let key = `error.${kind}`;
  if (kind === 'unauthorized' && e.missingKey) key = 'error.missingKey';
  if (kind === 'rateLimited' && e.retryAfter == null) key = 'error.rateLimitedNoWait';
  const action: ErrorAction =
    kind === 'unauthorized' || kind === 'connection' ? 'connectionSettings' : kind === 'validation' ? null : 'retry';
  return {
    key,
    params: { status: e.status ?? 0 },
    detail,
    action,
    retryAfter: kind === 'rateLimited' ? (e.retryAfter ?? null) : null,
    code: kind === 'validation' ? (Object.values(e.fields ?? {}).flat()[0] ?? null) : null,
  };
}

/** Whole seconds left of a `Retry-After` wait that began at `since` (ms), at `now` (ms). */
export function secondsLeft(retryAfter: number, since: number, now: number): number {
  return Math.max(0, Math.ceil(retryAfter - (now - since) / 1000));
}
