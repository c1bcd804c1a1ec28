// Message lookup with {param} interpolation; pure, so it is tested without Svelte.
import { en } from './en';
import { ptBR, type MessageKey } from './pt-BR';

export type Locale = 'pt-BR' | 'en';
export const LOCALES: Locale[] = ['pt-BR', 'en'];
export const DEFAULT_LOCALE: Locale = 'pt-BR';

export const catalogues: Record<Locale, Record<MessageKey, string>> = { 'pt-BR': ptBR, en };

export function isLocale(s: unknown): s is Locale {
  return s === 'pt-BR' || s === 'en';
}

/**
 * The message for `key` in `locale`, with `{name}` replaced from `params`. A key missing from
 * the catalogue (a server code the app does not know) comes back as `fallback`, or the key.
 */
export function translate(
  locale: Locale,
  key: string,
  params: Record<string, string | number> = {},
  fallback?: string,
): string {
  const table = catalogues[locale] as Record<string, string>;
  const template = table[key] ?? fallback ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export type { MessageKey };
