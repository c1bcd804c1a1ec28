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

// A row's folded name and URL, computed once per row object: rows kept across refreshes
// (see `reconcile`) are not folded again at each keystroke of a search.
const foldedText = new WeakMap<SubscriptionRow, string>();

function searchText(row: SubscriptionRow): string {
  let text = foldedText.get(row);
  if (text === undefined) {
    // A newline cannot be typed into the search box, so a match never spans name and URL.
    text = `${fold(row.name)}\n${fold(row.url)}`;
    foldedText.set(row, text);
  }
  return text;
}

function matcher(q: ListQuery): (row: SubscriptionRow) => boolean {
  const needle = fold(q.search.trim());
  return (row) => {
    if (q.status === 'active' && !row.isActive) return false;
    if (q.status === 'inactive' && row.isActive) return false;
    if (q.event && !row.events.includes(q.event)) return false;
    return !needle || searchText(row).includes(needle);
  };
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
    .filter(matcher(q))
    .sort((a, b) => sign * compare(a, b, q.sort) || collator.compare(a.name, b.name) || (a.id < b.id ? -1 : 1));
}

/** Every event seen in the rows plus the known ones, for the event filter. */
export function eventOptions(rows: readonly SubscriptionRow[], known: readonly string[]): string[] {
  const seen = new Set(known);
  for (const r of rows) for (const e of r.events) seen.add(e);
  return [...seen];
}

function sameRow(a: SubscriptionRow, b: SubscriptionRow): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.url === b.url &&
    a.isActive === b.isActive &&
    a.createdAt === b.createdAt &&
    a.lastDeliveryAt === b.lastDeliveryAt &&
    a.keyCount === b.keyCount &&
    a.events.length === b.events.length &&
    a.events.every((e, i) => e === b.events[i])
  );
}

/**
 * The fresh list with every row equal to one already shown kept as that same object, and the
 * current list itself when nothing changed: a refresh that changes nothing then filters, sorts
 * and renders nothing again, and one that changes a few rows re-renders only those.
 */
export function reconcile(current: SubscriptionRow[], fresh: SubscriptionRow[]): SubscriptionRow[] {
  const byId = new Map(current.map((r) => [r.id, r]));
  let changed = current.length !== fresh.length;
  const next = fresh.map((row, i) => {
    const old = byId.get(row.id);
    if (old && sameRow(old, row)) {
      if (current[i] !== old) changed = true;
      return old;
    }
    changed = true;
    return row;
  });
  return changed ? next : current;
}
