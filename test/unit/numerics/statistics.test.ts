import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  meanAtOrAbove,
  meanOfSquares,
  median,
  quantileSorted,
  sortUpperTail,
  tailMeanSorted,
  upperTailMeanSorted,
} from '../../../shared/numerics/statistics.js';

describe('partial sort of the upper tail', () => {
  it('gives the same order statistics from the cut as a full sort, ties included', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), (ints, share) => {
        const values = Float64Array.from(ints, (v) => v / 4);
        const full = Float64Array.from(values).sort();
        const cut = Math.floor(share * values.length);
        const partial = Float64Array.from(values);
        sortUpperTail(partial, cut);
        expect(Array.from(partial.subarray(cut))).toEqual(Array.from(full.subarray(cut)));
        if (cut < values.length) for (let i = 0; i < cut; i++) expect(partial[i]).toBeLessThanOrEqual(partial[cut]!);
        expect(Float64Array.from(partial).sort()).toEqual(full);
      }),
      { numRuns: 300 },
    );
  });
});

describe('means of the tail and moments', () => {
  it('tail mean at p is the mean of the values at or above the p-quantile, in any order', () => {
    const sorted = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    expect(quantileSorted(sorted, 0.8)).toBeCloseTo(8.2, 12);
    expect(tailMeanSorted(sorted, 0.8)).toBe(9.5);
    expect(meanAtOrAbove(Float64Array.of(10, 1, 9, 3), 8.2)).toBe(9.5);
    expect(meanAtOrAbove(Float64Array.of(1, 2), 3)).toBeNaN();
    expect(tailMeanSorted(new Float64Array(0), 0.9)).toBeNaN();
  });

  it('the Acerbi-Tasche mean weighs the boundary value by the fractional rest', () => {
    const sorted = Float64Array.of(0, 0, 0, 4, 8);
    expect(upperTailMeanSorted(sorted, 1)).toBe(8);
    expect(upperTailMeanSorted(sorted, 1.5)).toBe((8 + 0.5 * 4) / 1.5);
    expect(upperTailMeanSorted(sorted, 0)).toBe(8);
  });

  it('mean of squares over a range, and the median', () => {
    expect(meanOfSquares(Float64Array.of(1, -2, 3, 9), 0, 3)).toBe(14 / 3);
    expect(meanOfSquares(Float64Array.of(1), 0, 0)).toBeNaN();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
