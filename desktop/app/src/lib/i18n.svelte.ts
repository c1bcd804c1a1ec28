// The current locale as reactive state; `t` reads it, so templates re-render on a switch.
import { DEFAULT_LOCALE, translate, type Locale } from './i18n/index';
import { detectLocale } from './locale';

const STORAGE_KEY = 'nfehook.locale';

function initial(): Locale {
  try {
    return detectLocale(globalThis.localStorage?.getItem(STORAGE_KEY));
  } catch {
    // No storage: the default applies.
  }
  return DEFAULT_LOCALE;
}

export const i18n = $state({ locale: initial() });

export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  document.documentElement.lang = locale;
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not persisted; the choice holds for this session.
  }
}

export function t(key: string, params?: Record<string, string | number>, fallback?: string): string {
  return translate(i18n.locale, key, params, fallback);
}
