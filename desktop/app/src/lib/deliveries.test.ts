import { describe, expect, it } from 'vitest';
import { MAX_POLL_MS, MIN_POLL_MS, NO_DELIVERY_FILTER, attemptStats, chartSeries, facets, filterDeliveries, nextPollDelay } from './deliveries';
import type { Attempt, Delivery } from './tools';

const CHAVE = '52060433009911002506550120000007800267301615';

function attempt(number: number, startedAt: string, outcome: Attempt['outcome'], latencyMs: number): Attempt {
  return { number, startedAt, outcome, statusCode: outcome === 'succeeded' ? 200 : 500, latencyMs, error: null };
}

function delivery(id: string, over: Partial<Delivery>): Delivery {
  return {
    id,
    dialect: 'subscription',
    subscriptionId: 's1',
    url: 'http://127.0.0.1/hook',
    event: 'nfe.processada',
    nfeChave: CHAVE,
    status: 'delivered',
    attemptsMade: 1,
    nextAttemptAt: null,
    createdAt: '2026-12-03T15:00:00Z',
    completedAt: null,
    attempts: [],
    ...over,
  };
}

const list = [
  delivery('a', {
    attempts: [attempt(1, '2026-12-03T15:00:10Z', 'failed', 30), attempt(2, '2026-12-03T15:00:40Z', 'succeeded', 12)],
  }),
  delivery('b', { status: 'pending', event: 'nfe.cancelada', attempts: [attempt(1, '2026-12-03T15:00:20Z', 'in_flight', 0)] }),
  delivery('c', { status: 'failed', nfeChave: CHAVE.replace('1615', '9999'), attempts: [attempt(1, '2026-12-03T15:00:00Z', 'failed', 8)] }),
];

describe('the chart series', () => {
  it('places each attempt at its start, ascending, in the series of its outcome at its latency', () => {
    const [xs, ok, failed, other] = chartSeries(list);
    const t0 = Date.parse('2026-12-03T15:00:00Z') / 1000;
    expect(xs).toEqual([t0, t0 + 10, t0 + 20, t0 + 40]);
    expect(ok).toEqual([null, null, null, 12]);
    expect(failed).toEqual([8, 30, null, null]);
    expect(other).toEqual([null, null, 0, null]);
  });
  it('leaves out an attempt whose start cannot be read, and is empty for no deliveries', () => {
    const bad = [delivery('x', { attempts: [attempt(1, 'nunca', 'failed', 1)] })];
    expect(chartSeries(bad)).toEqual([[], [], [], []]);
    expect(chartSeries([])).toEqual([[], [], [], []]);
  });
});

describe('the counts', () => {
  it('counts attempts by outcome with the median latency of the finished ones', () => {
    expect(attemptStats(list)).toEqual({ succeeded: 1, failed: 2, other: 1, medianMs: 12 });
    expect(attemptStats([list[0]])).toEqual({ succeeded: 1, failed: 1, other: 0, medianMs: 21 });
    expect(attemptStats([]).medianMs).toBeNull();
  });
});

describe('the filters', () => {
  it('select by status, event and key digits', () => {
    const ids = (f: Partial<typeof NO_DELIVERY_FILTER>) => filterDeliveries(list, { ...NO_DELIVERY_FILTER, ...f }).map((d) => d.id);
    expect(ids({})).toEqual(['a', 'b', 'c']);
    expect(ids({ status: 'pending' })).toEqual(['b']);
    expect(ids({ event: 'nfe.cancelada' })).toEqual(['b']);
    expect(ids({ chave: '9999' })).toEqual(['c']);
    expect(ids({ status: 'delivered', event: 'nfe.cancelada' })).toEqual([]);
    expect(facets(list)).toEqual({ statuses: ['delivered', 'failed', 'pending'], events: ['nfe.cancelada', 'nfe.processada'] });
  });
});

describe('when the list is reloaded', () => {
  const now = Date.parse('2026-12-03T15:00:00Z');
  const pending = (id: string, nextAttemptAt: string | null) => delivery(id, { status: 'pending', nextAttemptAt });

  it('not at all when nothing is pending', () => {
    expect(nextPollDelay([delivery('a', {}), delivery('b', { status: 'failed' })], now)).toBeNull();
  });

  it('at the soonest next attempt, bounded below and above', () => {
    expect(nextPollDelay([pending('a', '2026-12-03T15:00:20Z'), pending('b', '2026-12-03T15:00:05Z')], now)).toBe(5_000);
    expect(nextPollDelay([pending('a', '2026-12-03T14:59:00Z')], now)).toBe(MIN_POLL_MS);
    expect(nextPollDelay([pending('a', '2026-12-03T19:00:00Z')], now)).toBe(MAX_POLL_MS);
    // In flight: no next attempt yet, its outcome is near.
    expect(nextPollDelay([pending('a', '2026-12-03T19:00:00Z'), pending('b', null)], now)).toBe(MIN_POLL_MS);
  });
});
