import { describe, expect, it } from 'vitest';
import { THEME_STORAGE_KEY, loadTheme, resolveTheme, saveTheme } from './theme';

function memory(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v)),
  };
}

describe('theme', () => {
  it('persists the choice and reads it back', () => {
    const s = memory();
    expect(loadTheme(s)).toBe('system');
    expect(saveTheme(s, 'dark')).toBe(true);
    expect(s.getItem(THEME_STORAGE_KEY)).toBe('dark');
    expect(loadTheme(s)).toBe('dark');
    saveTheme(s, 'light');
    expect(loadTheme(s)).toBe('light');
  });

  it('falls back to system on a foreign value, no storage or a storage that throws', () => {
    const s = memory();
    s.setItem(THEME_STORAGE_KEY, 'solarized');
    expect(loadTheme(s)).toBe('system');
    expect(loadTheme(undefined)).toBe('system');
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadTheme(refusing)).toBe('system');
    expect(saveTheme(refusing, 'dark')).toBe(false);
    expect(saveTheme(undefined, 'dark')).toBe(false);
  });

  it('resolves system to the system preference and keeps explicit choices', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });
});
