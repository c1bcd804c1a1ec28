// Search, filter and sort of the subscriptions list: pure functions, tested with Vitest.
import type { SubscriptionRow } from './api';

export type StatusFilter = 'all' | 'active' | 'inactive';
export type SortKey = 'name' | 'url' | 'createdAt' | 'lastDeliveryAt' | 'keyCount';
export type SortDir = 'asc' | 'desc';

export interface ListQuery {
  search: string;
  status: StatusFilter;
  event: string; // '' = any
  sort: SortKey;
  dir: SortDir;
}

export const DEFAULT_QUERY: ListQuery = { search: '', status: 'all', event: '', sort: 'name', dir: 'asc' };

/** Lower case without accents, so "Homologação" matches "homologacao". */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

export function matches(row: SubscriptionRow, q: ListQuery): boolean {
  if (q.status === 'active' && !row.isActive) return false;
  if (q.status === 'inactive' && row.isActive) return false;
  if (q.event && !row.events.includes(q.event)) return false;
  const needle = fold(q.search.trim());
  if (!needle) return true;
  return fold(row.name).includes(needle) || fold(row.url).includes(needle);
}

const collator = new Intl.Collator('pt-BR', { sensitivity: 'base', numeric: true });

function compare(a: SubscriptionRow, b: SubscriptionRow, key: SortKey): number {
  switch (key) {
    case 'name':
      return collator.compare(a.name, b.name);
    case 'url':
      return collator.compare(a.url, b.url);
    case 'createdAt':
      return Date.parse(a.createdAt) - Date.parse(b.createdAt);
    case 'lastDeliveryAt':
      return (a.lastDeliveryAt ? Date.parse(a.lastDeliveryAt) : -Infinity) -
        (b.lastDeliveryAt ? Date.parse(b.lastDeliveryAt) : -Infinity) || 0;
    case 'keyCount':
      return (a.keyCount ?? -1) - (b.keyCount ?? -1);
  }
}

/** The rows that match `q`, sorted; ties broken by name then id so the order is stable. */
export function applyQuery(rows: readonly SubscriptionRow[], q: ListQuery): SubscriptionRow[] {
  const sign = q.dir === 'asc' ? 1 : -1;
  return rows
    .filter((r) => matches(r, q))
    .sort((a, b) => sign * compare(a, b, q.sort) || collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
}

/** Every event seen in the rows plus the known ones, for the event filter. */
export function eventOptions(rows: readonly SubscriptionRow[], known: readonly string[]): string[] {
  const seen = new Set(known);
  for (const r of rows) for (const e of r.events) seen.add(e);
  return [...seen];
}
