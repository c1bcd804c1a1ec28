// Pure helpers of the inspector workspace: filtering the request list, the events it holds,
// the selection to export, the URL a replay is proposed to.
import type { RecordedRequest } from './tools';
import type { SentEvent } from './testEvent';

export type VerdictFilter = 'all' | 'valid' | 'invalid' | 'noSecret';

export interface RequestFilter {
  verdict: VerdictFilter;
  /** An event name, or '' for any. */
  event: string;
  /** Digits of an NF-e key (any grouping), or ''. */
  chave: string;
  /** Part of the path, or ''. */
  path: string;
  /** Free text: matched in the method, path, headers and body text (case-insensitive). */
  text: string;
}

export const NO_FILTER: RequestFilter = { verdict: 'all', event: '', chave: '', path: '', text: '' };

/** Longest body text the free-text filter looks into (a body may be up to the body limit). */
export const TEXT_SEARCH_BYTES = 64 * 1024;

function matchesText(r: RecordedRequest, needle: string): boolean {
  if (`${r.method} ${r.path}`.toLowerCase().includes(needle)) return true;
  if (r.headers.some(([n, v]) => `${n}: ${v}`.toLowerCase().includes(needle))) return true;
  return (r.body.text ?? '').slice(0, TEXT_SEARCH_BYTES).toLowerCase().includes(needle);
}

/** Whether a request passes every part of the filter. */
export function matchesRequest(r: RecordedRequest, f: RequestFilter): boolean {
  if (f.verdict !== 'all' && r.verdict.state !== f.verdict) return false;
  if (f.event && r.event?.event !== f.event) return false;
  const digits = f.chave.replace(/\D/g, '');
  if (digits && !(r.event?.nfeChave ?? '').includes(digits)) return false;
  if (f.path.trim() && !r.path.toLowerCase().includes(f.path.trim().toLowerCase())) return false;
  const needle = f.text.trim().toLowerCase();
  return !needle || matchesText(r, needle);
}

/** The requests that pass the filter, in the list's order. */
export function filterRequests(list: RecordedRequest[], f: RequestFilter): RecordedRequest[] {
  return list.filter((r) => matchesRequest(r, f));
}

/** The event names the requests hold, sorted, for the event filter's choices. */
export function eventNames(list: RecordedRequest[]): string[] {
  const names = new Set<string>();
  for (const r of list) if (r.event?.event) names.add(r.event.event);
  return [...names].sort();
}

/** The ids to export: the selected ones that are still shown, in the list's order. */
export function exportIds(shown: RecordedRequest[], selected: ReadonlySet<number>): number[] {
  return shown.filter((r) => selected.has(r.id)).map((r) => r.id);
}

/** A request added to the live list: newest first, no repeat of an id, at most `max` kept. */
export function withRequest(list: RecordedRequest[], r: RecordedRequest, max: number): RecordedRequest[] {
  return [r, ...list.filter((x) => x.id !== r.id)].slice(0, max);
}

/** Where a replay goes by default: the inspector's own URL with the request's path. */
export function replayUrl(inspectorUrl: string | null, path: string): string {
  if (!inspectorUrl) return '';
  return inspectorUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

/** The received requests that carry a sent event, newest first, at most `max`: the same event
 *  name and, when the event has an id, the same id, else the same key. */
export function arrivalsOf(list: RecordedRequest[], sent: SentEvent, max: number): RecordedRequest[] {
  const found: RecordedRequest[] = [];
  for (const r of list) {
    if (found.length >= max) break;
    const e = r.event;
    if (!e || e.event !== sent.event) continue;
    if (sent.id != null ? e.id === sent.id : sent.chave != null && e.nfeChave === sent.chave) found.push(r);
  }
  return found;
}
