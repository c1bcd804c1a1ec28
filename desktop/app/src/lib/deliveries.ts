// Pure helpers of the deliveries view: filters, the chart's series (attempts over time by
// outcome, latency on the y axis) and the counts beside it.
import type { Attempt, Delivery } from './tools';

export interface DeliveryFilter {
  /** A delivery status, or '' for any. */
  status: string;
  /** An event name, or '' for any. */
  event: string;
  /** Digits of an NF-e key (any grouping), or ''. */
  chave: string;
}

export const NO_DELIVERY_FILTER: DeliveryFilter = { status: '', event: '', chave: '' };

export function filterDeliveries(list: Delivery[], f: DeliveryFilter): Delivery[] {
  const digits = f.chave.replace(/\D/g, '');
  return list.filter(
    (d) => (!f.status || d.status === f.status) && (!f.event || d.event === f.event) && (!digits || d.nfeChave.includes(digits)),
  );
}

/** The values a filter can take in this list, sorted. */
export function facets(list: Delivery[]): { statuses: string[]; events: string[] } {
  return {
    statuses: [...new Set(list.map((d) => d.status))].sort(),
    events: [...new Set(list.map((d) => d.event))].sort(),
  };
}

/** Which series of the chart an attempt belongs to. */
export type Outcome = 'succeeded' | 'failed' | 'other';

export function outcomeOf(a: Attempt): Outcome {
  if (a.outcome === 'succeeded') return 'succeeded';
  if (a.outcome === 'failed') return 'failed';
  return 'other';
}

/**
 * The chart's data in uPlot's aligned form: x = each attempt's start in Unix seconds, ascending;
 * then one series per outcome (succeeded, failed, in flight or interrupted) holding the attempt's
 * latency in ms at its own x and `null` elsewhere, so each attempt is one point of its colour.
 * Attempts whose start cannot be read are left out.
 */
export function chartSeries(list: Delivery[]): [number[], (number | null)[], (number | null)[], (number | null)[]] {
  const points: { x: number; outcome: Outcome; latency: number }[] = [];
  for (const d of list) {
    for (const a of d.attempts) {
      const ms = Date.parse(a.startedAt);
      if (Number.isNaN(ms)) continue;
      points.push({ x: ms / 1000, outcome: outcomeOf(a), latency: a.latencyMs });
    }
  }
  points.sort((p, q) => p.x - q.x);
  const pick = (o: Outcome) => points.map((p) => (p.outcome === o ? p.latency : null));
  return [points.map((p) => p.x), pick('succeeded'), pick('failed'), pick('other')];
}

/** Attempts per outcome and the median latency of the finished ones. */
export function attemptStats(list: Delivery[]): { succeeded: number; failed: number; other: number; medianMs: number | null } {
  const counts = { succeeded: 0, failed: 0, other: 0 };
  const latencies: number[] = [];
  for (const d of list) {
    for (const a of d.attempts) {
      const o = outcomeOf(a);
      counts[o] += 1;
      if (o !== 'other') latencies.push(a.latencyMs);
    }
  }
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  const medianMs = n === 0 ? null : n % 2 ? latencies[(n - 1) / 2] : (latencies[n / 2 - 1] + latencies[n / 2]) / 2;
  return { ...counts, medianMs };
}

/** Shortest wait between two reloads of the list while something is pending. */
export const MIN_POLL_MS = 1_000;
/** Longest: a retry hours away is still seen within this (the dispatcher may have run early). */
export const MAX_POLL_MS = 30_000;

/** How long to wait before reloading: until the soonest next attempt of a pending delivery,
 *  bounded by [`MIN_POLL_MS`, `MAX_POLL_MS`] (a pending delivery with no next attempt is in
 *  flight: the shortest wait); null when nothing is pending. */
export function nextPollDelay(list: Delivery[], nowMs: number): number | null {
  let soonest: number | null = null;
  for (const d of list) {
    if (d.status !== 'pending') continue;
    const at = d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : Number.NaN;
    const wait = Number.isNaN(at) ? MIN_POLL_MS : at - nowMs;
    soonest = soonest == null ? wait : Math.min(soonest, wait);
  }
  return soonest == null ? null : Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, soonest));
}
