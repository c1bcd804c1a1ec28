// Form helpers: which problems to show beside which field.
import type { FormCheck } from './api';

export const FORM_FIELDS = ['name', 'url', 'events', 'secret'] as const;
export type FormField = (typeof FORM_FIELDS)[number];

/**
 * Maps a server field name ("Url", "URL", "$.url", "events[0]", "IsActive") to the form's
 * field, or null when no field of the form matches (the message is then shown on top).
 */
export function formFieldOf(serverField: string): FormField | null {
  const base = serverField
    .replace(/^\$\.?/, '')
    .replace(/\[.*$/, '')
    .split('.')
    .pop()!
    .toLowerCase();
  return (FORM_FIELDS as readonly string[]).includes(base) ? (base as FormField) : null;
}

export interface FieldMessages {
  byField: Partial<Record<FormField, { codes: string[]; texts: string[] }>>;
  general: string[];
}

/**
 * Local problems (core's codes) for the fields the user has touched (all after a submit
 * attempt), and the server's field errors (text) beside their field.
 */
export function fieldMessages(
  local: FormCheck | null,
  server: Record<string, string[]> | null,
  touched: ReadonlySet<string> | 'all',
): FieldMessages {
  const out: FieldMessages = { byField: {}, general: [] };
  for (const [field, codes] of Object.entries(local?.errors ?? {})) {
    const f = formFieldOf(field);
    if (!f || (touched !== 'all' && !touched.has(f))) continue;
    (out.byField[f] ??= { codes: [], texts: [] }).codes.push(...codes);
  }
  for (const [field, texts] of Object.entries(server ?? {})) {
    const f = formFieldOf(field);
    if (f) (out.byField[f] ??= { codes: [], texts: [] }).texts.push(...texts);
    else out.general.push(...texts);
  }
  return out;
}

export function isInsecureUrl(url: string): boolean {
  return /^\s*http:\/\//i.test(url);
}
