// What the connection badge shows from the last health check: pure, so every state is tested.
import type { CommandError, ConnectionHealth } from './api';
import { presentError } from './errors';

export type HealthState =
  | { state: 'checking' }
  | { state: 'ok'; latencyMs: number }
  | { state: 'failing'; key: string; params: Record<string, string | number>; detail: string | null };

/** How often the active connection is checked while the app is open. */
export const HEALTH_INTERVAL_MS = 30_000;
/** The longest wait between checks while the connection keeps failing. */
export const HEALTH_MAX_BACKOFF_MS = 300_000;
/** How long after start the first check waits (the first list of the subscriptions goes first). */
export const FIRST_CHECK_DELAY_MS = 1_500;

/**
 * The badge's state for the check of `activeId` that ended with `result`: a result for another
 * connection (the user switched while it ran) leaves it checking.
 */
export function healthState(
  activeId: string,
  result: { ok: ConnectionHealth } | { error: CommandError } | null,
): HealthState {
  if (!result) return { state: 'checking' };
  if ('ok' in result) {
    if (result.ok.connectionId !== activeId) return { state: 'checking' };
    return { state: 'ok', latencyMs: result.ok.latencyMs };
  }
  const p = presentError(result.error);
  return { state: 'failing', key: p.key, params: { ...p.params, seconds: p.retryAfter ?? 0 }, detail: p.detail };
}

/**
 * How long to wait before the next check after `failures` failed ones in a row (0 after a
 * healthy one): the interval, doubled after each failure up to the cap, so a service that is
 * down or limiting is not asked twice as often as it can bear; never sooner than a 429's
 * `Retry-After` (`retryAfterS` seconds).
 */
export function nextCheckDelay(failures: number, retryAfterS: number | null = null): number {
  const backoff = Math.min(HEALTH_INTERVAL_MS * 2 ** Math.min(failures, 16), HEALTH_MAX_BACKOFF_MS);
  return Math.max(backoff, (retryAfterS ?? 0) * 1000);
}
