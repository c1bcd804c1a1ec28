import { describe, expect, it } from 'vitest';
import { asCommandError } from './api';
import { presentError, secondsLeft } from './errors';

describe('error presentation', () => {
  it('sends a wrong key to the connection settings', () => {
    const p = presentError({ kind: 'unauthorized', message: 'x', serverMessage: 'API key inválida' });
    expect(p.key).toBe('error.unauthorized');
    expect(p.action).toBe('connectionSettings');
    expect(p.detail).toBe('API key inválida');
    expect(presentError({ kind: 'unauthorized', message: 'x', missingKey: true }).key).toBe('error.missingKey');
  });

  it('counts down a rate limit', () => {
    const p = presentError({ kind: 'rateLimited', message: 'x', retryAfter: 30 });
    expect(p.retryAfter).toBe(30);
    expect(secondsLeft(30, 1000, 1000)).toBe(30);
    expect(secondsLeft(30, 1000, 1000 + 10_400)).toBe(20);
    expect(secondsLeft(30, 1000, 1000 + 40_000)).toBe(0);
    expect(presentError({ kind: 'rateLimited', message: 'x', retryAfter: null }).key).toBe('error.rateLimitedNoWait');
  });

  it('offers retry when offline and shows HTTP status for server errors', () => {
    expect(presentError({ kind: 'offline', message: 'x' }).action).toBe('retry');
    const s = presentError({ kind: 'server', message: 'x', status: 502 });
    expect(s.params.status).toBe(502);
  });

  it('treats anything else as unknown with its text', () => {
    const e = asCommandError(new Error('boom'));
    expect(e.kind).toBe('unknown');
    const p = presentError(e);
    expect(p.key).toBe('error.unknown');
    expect(p.detail).toContain('boom');
    expect(asCommandError({ kind: 'conflict', message: 'm' }).kind).toBe('conflict');
  });
});

describe('a validation error of a tool', () => {
  it('gives its first problem code, to be said in the user language', () => {
    const p = presentError({ kind: 'validation', message: 'no secret chosen', fields: { secret: ['no_secret'] } });
    expect(p.code).toBe('no_secret');
    expect(presentError({ kind: 'validation', message: 'x' }).code).toBeNull();
    expect(presentError({ kind: 'offline', message: 'x', fields: { a: ['b'] } }).code).toBeNull();
  });
});
