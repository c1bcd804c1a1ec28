// Which language the UI starts in, and a locale tag `Intl` is sure to accept. Both are total:
// under a C or POSIX system locale the webview reports tags such as "c" or "c.utf-8" that are
// not BCP 47, and `Intl` throws a RangeError on them; nothing here lets such a tag through.
import { DEFAULT_LOCALE, isLocale, type Locale } from './i18n/index';

/**
 * The saved choice when it is one of the app's locales, else Brazilian Portuguese (the app's
 * language unless the user picks English): never throws, whatever the value.
 */
export function detectLocale(saved: unknown): Locale {
  return isLocale(saved) ? saved : DEFAULT_LOCALE;
}

/**
 * `tag` in canonical form when `Intl` accepts it and has data for it, else `fallback` ("posix"
 * is well-formed BCP 47 but names no language: it would format in whatever the engine's default is).
 */
export function intlLocale(tag: unknown, fallback: Locale = DEFAULT_LOCALE): string {
  if (typeof tag !== 'string' || tag === '') return fallback;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical && Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0 ? canonical : fallback;
  } catch {
    return fallback;
  }
}

/** What `navigatorLocaleGuard` needs of `navigator`. */
export interface NavigatorLike {
  language?: string;
  languages?: readonly string[];
}

/**
 * Replaces the webview's `navigator.language` (and `languages`) with the app's locale when
 * `Intl` refuses it, so libraries that format with `new Intl.NumberFormat(navigator.language)`
 * at load (a chart library does) do not throw and leave a blank window. Returns whether it had
 * to; a valid tag is left alone.
 */
export function guardNavigatorLanguage(nav: NavigatorLike | undefined, fallback: Locale = DEFAULT_LOCALE): boolean {
  if (!nav) return false;
  const accepted = (tag: unknown) => {
    try {
      new Intl.NumberFormat(tag as string);
      return typeof tag === 'string' && tag !== '';
    } catch {
      return false;
    }
  };
  if (accepted(nav.language)) return false;
  const safe = intlLocale(nav.language, fallback);
  try {
    Object.defineProperty(nav, 'language', { value: safe, configurable: true });
    Object.defineProperty(nav, 'languages', { value: Object.freeze([safe]), configurable: true });
  } catch {
    return false;
  }
  return true;
}
