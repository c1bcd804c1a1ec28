// How a command error is presented: a message key by kind, an action, a countdown.
import type { CommandError } from './api';

export type ErrorAction = 'connectionSettings' | 'retry' | null;

export interface ErrorPresentation {
  key: string; // i18n key of the headline
  params: Record<string, string | number>;
  detail: string | null; // the server's own message, shown under the headline
  action: ErrorAction;
  retryAfter: number | null;
}

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
  };
}

/** Whole seconds left of a `Retry-After` wait that began at `since` (ms), at `now` (ms). */
export function secondsLeft(retryAfter: number, since: number, now: number): number {
  return Math.max(0, Math.ceil(retryAfter - (now - since) / 1000));
}
