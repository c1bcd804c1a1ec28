import { describe, expect, it } from 'vitest';
import { exactTime, relativeTime } from './time';

const now = Date.parse('2024-03-10T16:45:30Z');

describe('relative time', () => {
  it('speaks Portuguese and English', () => {
    expect(relativeTime('2024-03-10T16:40:30Z', now, 'pt-BR')).toBe('há 5 minutos');
    expect(relativeTime('2024-03-10T13:45:30Z', now, 'en')).toBe('3 hours ago');
    expect(relativeTime('2024-03-09T16:45:30Z', now, 'en')).toBe('yesterday');
    expect(relativeTime('2024-03-10T16:45:20Z', now, 'en')).toBe('now');
  });

  it('keeps unparseable text as is', () => {
    expect(relativeTime('garbage', now, 'en')).toBe('garbage');
    expect(exactTime('garbage', 'en')).toBe('garbage');
  });

  it('gives the exact time with the year', () => {
    expect(exactTime('2024-03-10T16:45:30Z', 'pt-BR')).toMatch(/2024/);
  });
});
