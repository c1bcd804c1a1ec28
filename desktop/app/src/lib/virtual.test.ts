import { describe, expect, it } from 'vitest';
import { visibleWindow } from './virtual';

describe('visibleWindow', () => {
  it('renders only the rows on screen plus overscan', () => {
    const w = visibleWindow(10_000, 52, 52 * 5000, 520, 8);
    expect(w.start).toBe(4992);
    expect(w.end).toBe(5018);
    expect(w.padTop).toBe(4992 * 52);
    expect(w.padTop + (w.end - w.start) * 52 + w.padBottom).toBe(10_000 * 52);
  });

  it('clamps at both ends', () => {
    expect(visibleWindow(3, 52, 0, 800)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    const end = visibleWindow(100, 10, 10_000, 200, 2);
    expect(end.end).toBe(100);
    expect(end.start).toBeLessThan(100);
    expect(visibleWindow(0, 52, 0, 500)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});
