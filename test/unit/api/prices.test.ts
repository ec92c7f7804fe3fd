import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleCloses } from '../../../shared/api/prices.js';
import type { Candle } from '../../../shared/market/types.js';

const bars = (n: number): Candle[] =>
  Array.from({ length: n }, (_, i) => ({ openTimeMs: i * 60_000, open: i, high: i, low: i, close: 1000 + i, volume: 1 }));

describe('downsampleCloses', () => {
  it('keeps every bar when they fit', () => {
    expect(downsampleCloses(bars(3), 10)).toEqual({ points: [[0, 1000], [60_000, 1001], [120_000, 1002]], bucketBars: 1 });
    expect(downsampleCloses([], 10)).toEqual({ points: [], bucketBars: 1 });
  });

  it('keeps the last close of each bucket, buckets counted from the newest bar', () => {
    // 7 bars into at most 3 points: buckets of 3 from the end -> [0] [1 2 3] [4 5 6]
    expect(downsampleCloses(bars(7), 3)).toEqual({ points: [[0, 1000], [180_000, 1003], [360_000, 1006]], bucketBars: 3 });
  });

  it('never exceeds maxPoints, always ends on the newest bar, stays ascending', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 1000 }), (n, maxPoints) => {
        const { points, bucketBars } = downsampleCloses(bars(n), maxPoints);
        expect(points.length).toBeLessThanOrEqual(maxPoints);
        expect(points.length).toBe(Math.ceil(n / bucketBars));
        expect(points.at(-1)).toEqual([(n - 1) * 60_000, 1000 + n - 1]);
        for (let i = 1; i < points.length; i++) expect(points[i]![0] - points[i - 1]![0]).toBe(bucketBars * 60_000);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a non-positive maxPoints', () => {
    expect(() => downsampleCloses(bars(3), 0)).toThrow(RangeError);
  });
});
