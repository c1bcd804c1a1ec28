import { describe, expect, it } from 'vitest';
import { shortcutFor } from './shortcuts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('shortcuts', () => {
  it('maps the documented keys', () => {
    expect(shortcutFor(key('r', { ctrlKey: true }))).toBe('refresh');
    expect(shortcutFor(key('R', { ctrlKey: true }))).toBe('refresh');
    expect(shortcutFor(key('n', { ctrlKey: true }))).toBe('new');
    expect(shortcutFor(key('f', { ctrlKey: true }))).toBe('search');
    expect(shortcutFor(key('k', { metaKey: true }))).toBe('search');
    expect(shortcutFor(key('Escape'))).toBe('close');
  });

  it('ignores plain typing and other combinations', () => {
    expect(shortcutFor(key('r'))).toBeNull();
    expect(shortcutFor(key('n', { ctrlKey: true, shiftKey: true }))).toBeNull();
    expect(shortcutFor(key('x', { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(key('Escape', { ctrlKey: true }))).toBeNull();
  });
});
