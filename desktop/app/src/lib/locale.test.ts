import { describe, expect, it } from 'vitest';
import { detectLocale, guardNavigatorLanguage, intlLocale } from './locale';
import { exactTime, relativeTime } from './time';

// What webviews report as navigator.language under C and POSIX system locales, and other junk.
const NOT_BCP47 = ['C', 'c', 'POSIX', 'posix', 'C.UTF-8', 'c.utf-8', 'en_US.UTF-8', '', '*', 'x', 'pt_BR@euro'];

describe('locale detection', () => {
  it('keeps a saved choice of ours', () => {
    expect(detectLocale('en')).toBe('en');
    expect(detectLocale('pt-BR')).toBe('pt-BR');
  });

  it('falls back to pt-BR on anything else, without throwing', () => {
    for (const v of [...NOT_BCP47, null, undefined, 42, {}, 'en-US', 'fr']) expect(detectLocale(v)).toBe('pt-BR');
  });

  it('gives Intl only tags it accepts', () => {
    for (const tag of NOT_BCP47) {
      const safe = intlLocale(tag);
      expect(() => new Intl.DateTimeFormat(safe)).not.toThrow();
    }
    expect(intlLocale('C.UTF-8')).toBe('pt-BR');
    expect(intlLocale('en-us')).toBe('en-US');
    expect(intlLocale(undefined, 'en')).toBe('en');
    // The proof that the guard matters: Intl itself throws on such a tag.
    expect(() => new Intl.DateTimeFormat('c.utf-8')).toThrow(RangeError);
  });

  it('formats times under a C locale tag instead of throwing', () => {
    const now = Date.parse('2024-03-10T16:45:30Z');
    for (const tag of NOT_BCP47) {
      expect(relativeTime('2024-03-10T16:40:30Z', now, tag)).toBe('há 5 minutos');
      expect(exactTime('2024-03-10T16:40:30Z', tag)).toMatch(/2024/);
    }
  });
});

describe("the webview's navigator.language", () => {
  it('is replaced by pt-BR when Intl refuses it, as a chart library reading it at load needs', () => {
    for (const language of ['C', 'c.utf-8', '', 'POSIX.UTF-8']) {
      const nav: { language?: string; languages?: readonly string[] } = { language, languages: [language] };
      expect(guardNavigatorLanguage(nav)).toBe(true);
      expect(nav.language).toBe('pt-BR');
      expect(nav.languages).toEqual(['pt-BR']);
      expect(() => new Intl.NumberFormat(nav.language)).not.toThrow();
    }
  });

  it('is left alone when it is a valid tag, and a missing navigator is fine', () => {
    const nav = { language: 'en-US', languages: ['en-US', 'pt-BR'] };
    expect(guardNavigatorLanguage(nav)).toBe(false);
    expect(nav.language).toBe('en-US');
    expect(guardNavigatorLanguage(undefined)).toBe(false);
  });
});
