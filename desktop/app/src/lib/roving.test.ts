import { describe, expect, it } from 'vitest';
import { moveIndex } from './roving';

describe('arrow-key movement', () => {
  it('moves along its orientation and wraps', () => {
    expect(moveIndex('ArrowDown', 0, 5, 'vertical')).toBe(1);
    expect(moveIndex('ArrowDown', 4, 5, 'vertical')).toBe(0);
    expect(moveIndex('ArrowUp', 0, 5, 'vertical')).toBe(4);
    expect(moveIndex('ArrowRight', 3, 4, 'horizontal')).toBe(0);
    expect(moveIndex('ArrowLeft', 1, 4, 'horizontal')).toBe(0);
    expect(moveIndex('Home', 3, 4, 'horizontal')).toBe(0);
    expect(moveIndex('End', 0, 4, 'vertical')).toBe(3);
  });

  it('ignores the other axis, other keys and empty lists', () => {
    expect(moveIndex('ArrowRight', 0, 5, 'vertical')).toBeNull();
    expect(moveIndex('ArrowDown', 0, 5, 'horizontal')).toBeNull();
    expect(moveIndex('a', 0, 5, 'vertical')).toBeNull();
    expect(moveIndex('ArrowDown', 0, 0, 'vertical')).toBeNull();
    // A stale index is clamped first.
    expect(moveIndex('ArrowDown', 9, 3, 'vertical')).toBe(0);
  });
});
