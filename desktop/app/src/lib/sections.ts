// The sections of the sidebar, in order: Ctrl+1 is the first.

export const SECTIONS = ['subscriptions', 'deliveries', 'inspector', 'keys', 'settings'] as const;
export type Section = (typeof SECTIONS)[number];

export function isSection(v: unknown): v is Section {
  return typeof v === 'string' && (SECTIONS as readonly string[]).includes(v);
}

/** The tabs of a subscription's pane, in order. */
export const DETAIL_TABS = ['overview', 'keys', 'deliveries', 'test'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];
