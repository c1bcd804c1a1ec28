import { describe, expect, it } from 'vitest';
import type { SubscriptionRow } from './api';
import { applyQuery, DEFAULT_QUERY, eventOptions, fold, reconcile } from './list';

function row(p: Partial<SubscriptionRow> & { id: string; name: string }): SubscriptionRow {
  return {
    url: `https://${p.id}.example.com/hook`,
    isActive: true,
    events: ['nfe.processada'],
    createdAt: '2024-03-10T12:00:00Z',
    lastDeliveryAt: null,
    keyCount: 0,
    ...p,
  };
}

const rows = [
  row({ id: 'a', name: 'ERP Homologação', isActive: false, events: ['nfe.cancelada'], keyCount: 3 }),
  row({ id: 'b', name: 'erp produção', lastDeliveryAt: '2024-03-11T00:00:00Z', createdAt: '2024-01-01T00:00:00Z' }),
  row({ id: 'c', name: 'Armazém', url: 'https://wms.example.com/nfe', events: ['nfe.erro', 'nfe.processada'], keyCount: 10 }),
  row({ id: 'd', name: 'item 10', events: ['nfe.futuro'] }),
  row({ id: 'e', name: 'item 9', lastDeliveryAt: '2024-03-12T00:00:00Z' }),
];

const names = (q: Partial<typeof DEFAULT_QUERY>) => applyQuery(rows, { ...DEFAULT_QUERY, ...q }).map((r) => r.name);

describe('list query', () => {
  it('searches name and URL, ignoring case and accents', () => {
    expect(names({ search: 'homologacao' })).toEqual(['ERP Homologação']);
    expect(names({ search: 'ERP' })).toEqual(['ERP Homologação', 'erp produção']);
    expect(names({ search: 'wms.example' })).toEqual(['Armazém']);
    expect(names({ search: '  ' })).toHaveLength(5);
    expect(names({ search: 'nothing like it' })).toEqual([]);
    expect(fold('Ação')).toBe('acao');
  });

  it('filters by status and event', () => {
    expect(names({ status: 'inactive' })).toEqual(['ERP Homologação']);
    expect(names({ status: 'active' })).not.toContain('ERP Homologação');
    expect(names({ event: 'nfe.erro' })).toEqual(['Armazém']);
    expect(names({ event: 'nfe.processada', status: 'active' })).toEqual(['Armazém', 'erp produção', 'item 9']);
  });

  it('sorts by name with natural numbers, and by other keys both ways', () => {
    expect(names({})).toEqual(['Armazém', 'ERP Homologação', 'erp produção', 'item 9', 'item 10']);
    expect(names({ dir: 'desc' })[0]).toBe('item 10');
    expect(names({ sort: 'keyCount', dir: 'desc' }).slice(0, 2)).toEqual(['Armazém', 'ERP Homologação']);
    expect(names({ sort: 'lastDeliveryAt', dir: 'desc' }).slice(0, 2)).toEqual(['item 9', 'erp produção']);
    expect(names({ sort: 'createdAt' })[0]).toBe('erp produção');
    expect(names({ sort: 'url' })[0]).toBe('ERP Homologação');
  });

  it('does not mutate its input', () => {
    const before = rows.map((r) => r.id);
    applyQuery(rows, { ...DEFAULT_QUERY, dir: 'desc' });
    expect(rows.map((r) => r.id)).toEqual(before);
  });

  it('offers known events and the unknown ones seen', () => {
    expect(eventOptions(rows, ['nfe.processada', 'nfe.cancelada', 'nfe.erro'])).toEqual([
      'nfe.processada',
      'nfe.cancelada',
      'nfe.erro',
      'nfe.futuro',
    ]);
  });
});

describe('reconcile', () => {
  it('keeps the shown list when a refresh changes nothing', () => {
    const fresh = rows.map((r) => ({ ...r, events: [...r.events] }));
    expect(reconcile(rows, fresh)).toBe(rows);
  });

  it('keeps unchanged rows as the same objects and takes the changed and new ones', () => {
    const renamed = { ...rows[1], name: 'ERP novo' };
    const added = row({ id: 'f', name: 'Nova' });
    const next = reconcile(rows, [rows[0], renamed, { ...rows[2], events: ['nfe.erro'] }, { ...rows[3] }, added]);
    expect(next).not.toBe(rows);
    expect(next[0]).toBe(rows[0]);
    expect(next[1]).toBe(renamed);
    expect(next[2].events).toEqual(['nfe.erro']);
    expect(next[3]).toBe(rows[3]);
    expect(next[4]).toBe(added);
  });

  it('sees a removed row and a new order', () => {
    expect(reconcile(rows, rows.slice(1))).toEqual(rows.slice(1));
    const reversed = reconcile(rows, [...rows].reverse());
    expect(reversed).not.toBe(rows);
    expect(reversed[0]).toBe(rows[4]);
  });

  it('searches a kept row by its current name after a rename', () => {
    const before = applyQuery(rows, { ...DEFAULT_QUERY, search: 'armazem' });
    expect(before.map((r) => r.id)).toEqual(['c']);
    const next = reconcile(rows, rows.map((r) => (r.id === 'c' ? { ...r, name: 'Depósito' } : r)));
    expect(applyQuery(next, { ...DEFAULT_QUERY, search: 'armazem' })).toEqual([]);
    expect(applyQuery(next, { ...DEFAULT_QUERY, search: 'deposito' }).map((r) => r.id)).toEqual(['c']);
  });
});
