// The active connection's subscriptions, shared by the sections that show or pick them (the
// list, the inspector, the deliveries). A refresh records the performance marks
// `make figures-desktop` reads: `list-load` (request to rows on screen) and `list-render`.
import { tick } from 'svelte';
import { api, asCommandError, type CommandError, type SubscriptionRow } from './api';
import { reconcile } from './list';

class SubscriptionStore {
  // Raw: the rows are replaced whole, never changed in place, and a deep proxy of 10,000 rows
  // would cost every filter and sort a trap per property read.
  rows = $state.raw<SubscriptionRow[]>([]);
  loading = $state(true);
  error = $state<CommandError | null>(null);
  #seq = 0;

  /** Lists again; an answer that a later refresh overtook is dropped. */
  async refresh(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    this.error = null;
    performance.mark('list-load-start');
    try {
      const fresh = await api.listSubscriptions();
      if (seq !== this.#seq) return;
      performance.mark('list-data');
      this.rows = reconcile(this.rows, fresh);
      await tick();
      // The frame after the DOM update is when the rows are on screen.
      requestAnimationFrame(() => {
        performance.mark('list-rendered');
        performance.measure('list-render', 'list-data', 'list-rendered');
        performance.measure('list-load', 'list-load-start', 'list-rendered');
      });
    } catch (e) {
      if (seq === this.#seq) this.error = asCommandError(e);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Forgets the rows (another connection is now active) and lists again. */
  async reset(): Promise<void> {
    this.rows = [];
    await this.refresh();
  }

  /** Replaces one row (an edit or a toggle), keeping its key count. Only the row's own fields
   *  are kept: a detail passed as the change (its keys, its masked secret) is not stored. */
  patch(id: string, change: Partial<SubscriptionRow>): void {
    this.rows = this.rows.map((r) => {
      if (r.id !== id) return r;
      const v = { ...r, ...change };
      return {
        id: v.id,
        name: v.name,
        url: v.url,
        isActive: v.isActive,
        events: v.events,
        createdAt: v.createdAt,
        lastDeliveryAt: v.lastDeliveryAt,
        keyCount: change.keyCount ?? r.keyCount,
      };
    });
  }

  add(row: SubscriptionRow): void {
    this.rows = [...this.rows.filter((r) => r.id !== row.id), row];
  }

  remove(id: string): void {
    this.rows = this.rows.filter((r) => r.id !== id);
  }
}

export const subscriptions = new SubscriptionStore();
