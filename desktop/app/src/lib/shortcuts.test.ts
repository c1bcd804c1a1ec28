import { describe, expect, it } from 'vitest';
import { sectionShortcut, shortcutFor } from './shortcuts';

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

  it('maps Ctrl+1..N to the sections and nothing past them', () => {
    expect(sectionShortcut(key('1', { ctrlKey: true }), 5)).toBe(0);
    expect(sectionShortcut(key('5', { ctrlKey: true }), 5)).toBe(4);
    expect(sectionShortcut(key('3', { metaKey: true }), 5)).toBe(2);
    expect(sectionShortcut(key('6', { ctrlKey: true }), 5)).toBeNull();
    expect(sectionShortcut(key('1'), 5)).toBeNull();
    expect(sectionShortcut(key('1', { ctrlKey: true, shiftKey: true }), 5)).toBeNull();
    expect(sectionShortcut(key('0', { ctrlKey: true }), 5)).toBeNull();
    // The section keys are not one of the other shortcuts.
    expect(shortcutFor(key('1', { ctrlKey: true }))).toBeNull();
  });
});
