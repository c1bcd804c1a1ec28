import { describe, expect, it } from 'vitest';
import { HEALTH_INTERVAL_MS, HEALTH_MAX_BACKOFF_MS, healthState, nextCheckDelay } from './health';
import { translate } from './i18n/index';

describe('connection health', () => {
  it('is checking until the active connection answered', () => {
    expect(healthState('sandbox', null)).toEqual({ state: 'checking' });
    // An answer for the connection the user left is not this one's health.
    expect(healthState('c1', { ok: { connectionId: 'sandbox', latencyMs: 3 } })).toEqual({ state: 'checking' });
  });

  it('is ok with the latency of the check', () => {
    expect(healthState('sandbox', { ok: { connectionId: 'sandbox', latencyMs: 12 } })).toEqual({
      state: 'ok',
      latencyMs: 12,
    });
  });

  it('fails with the typed error message, by kind', () => {
    const offline = healthState('c1', { error: { kind: 'offline', message: 'the service could not be reached: no answer within 5 s' } });
    expect(offline).toMatchObject({ state: 'failing', key: 'error.offline' });
    const wrongKey = healthState('c1', { error: { kind: 'unauthorized', message: 'x', serverMessage: 'Invalid API key' } });
    expect(wrongKey).toMatchObject({ state: 'failing', key: 'error.unauthorized', detail: 'Invalid API key' });
    const limited = healthState('c1', { error: { kind: 'rateLimited', message: 'x', retryAfter: 30 } });
    expect(limited.state === 'failing' && translate('pt-BR', limited.key, limited.params)).toBe(
      'Muitas requisições. Tente de novo em 30 s.',
    );
  });

  it('waits the interval when healthy, doubles it per failure up to the cap, never below Retry-After', () => {
    expect(nextCheckDelay(0)).toBe(HEALTH_INTERVAL_MS);
    expect(nextCheckDelay(1)).toBe(2 * HEALTH_INTERVAL_MS);
    expect(nextCheckDelay(2)).toBe(4 * HEALTH_INTERVAL_MS);
    expect(nextCheckDelay(50)).toBe(HEALTH_MAX_BACKOFF_MS);
    expect(nextCheckDelay(1, 10)).toBe(2 * HEALTH_INTERVAL_MS);
    expect(nextCheckDelay(1, 900)).toBe(900_000);
  });
});
