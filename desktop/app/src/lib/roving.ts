// Arrow-key movement in a list of items (the sidebar, a tablist): which item the key moves to,
// wrapping at both ends, Home and End to the first and last. Pure, so it is tested without a DOM.

export type Orientation = 'vertical' | 'horizontal';

/** The index `key` moves to from `current` among `count` items, or null for any other key. */
export function moveIndex(key: string, current: number, count: number, orientation: Orientation): number | null {
  if (count <= 0) return null;
  const [back, forward] = orientation === 'vertical' ? ['ArrowUp', 'ArrowDown'] : ['ArrowLeft', 'ArrowRight'];
  const from = Math.min(Math.max(current, 0), count - 1);
  switch (key) {
    case back:
      return (from - 1 + count) % count;
    case forward:
      return (from + 1) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
