import { describe, expect, it } from 'vitest';
import { refillRanges } from '../../../shared/cycle/refill.js';
import type { Candle } from '../../../shared/market/types.js';

const H = 3_600_000;
const bar = (i: number): Candle => ({ openTimeMs: i * H, open: 1, high: 1, low: 1, close: 1, volume: 1 });
/** Bars at these hour indexes, ascending. */
const series = (...hours: number[]) => hours.map(bar);
const limits = { minGapBars: 2, maxRanges: 4, maxBars: 2_000 };

describe('refillRanges: what is fetched again behind the head', () => {
  it('asks for every gap of at least minGapBars inside the lookback and before the head fetch, most recent first', () => {
    // Stored 10..12, 15..16, 18, 30; lookback from 5; the head fetch starts at 30.
    const stored = series(10, 11, 12, 15, 16, 18, 30);
    expect(refillRanges(stored, H, 5 * H, 30 * H, limits)).toEqual([
      { startMs: 19 * H, endMs: 30 * H },
      { startMs: 13 * H, endMs: 15 * H },
      { startMs: 5 * H, endMs: 10 * H },
    ]);
  });

  it('is bounded: at most maxRanges gaps and maxBars bars, a long gap cut to its recent end', () => {
    const stored = series(0, 3, 6, 9, 12, 100);
    expect(refillRanges(stored, H, 0, 100 * H, { minGapBars: 2, maxRanges: 2, maxBars: 50 })).toEqual([
      { startMs: 50 * H, endMs: 100 * H },
    ]);
    expect(refillRanges(stored, H, 0, 100 * H, { minGapBars: 2, maxRanges: 2, maxBars: 1_000 })).toEqual([
      { startMs: 13 * H, endMs: 100 * H },
      { startMs: 10 * H, endMs: 12 * H },
    ]);
  });

  it('nothing stored, or nothing missing: no refill (the head fetch does it all)', () => {
    expect(refillRanges([], H, 0, 10 * H, limits)).toEqual([]);
    expect(refillRanges(series(0, 1, 2, 3), H, 0, 3 * H, limits)).toEqual([]);
    // One missing bar is common on a quiet venue: not asked for again.
    expect(refillRanges(series(0, 1, 3, 4), H, 0, 4 * H, limits)).toEqual([]);
  });
});
