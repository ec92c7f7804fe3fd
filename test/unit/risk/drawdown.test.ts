import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawdownTail, windowWorstDrawdowns } from '../../../shared/risk/drawdown.js';
import { splitAtGaps, toSeries, type CandleLike } from '../../../shared/risk/series.js';
import { quantileSorted } from '../../../shared/numerics/statistics.js';

const H = 3_600_000;

function bar(i: number, open: number, high: number, low: number, close: number): CandleLike {
  return { openTimeMs: i * H, open, high, low, close };
}

describe('worst drawdown over the horizon', () => {
  const candles = [bar(0, 100, 101, 99, 100), bar(1, 100, 110, 95, 105), bar(2, 105, 106, 90, 91), bar(3, 91, 92, 88, 92)];
  const series = [toSeries(candles, H)];

  it('window-open: from the window open to the lowest low', () => {
    const dd = windowWorstDrawdowns(series, 2, 'window-open');
    expect(Array.from(dd)).toEqual([1 - 95 / 100, 1 - 90 / 100, 1 - 88 / 105]);
  });

  it('running-peak: from any earlier high to a later low', () => {
    const dd = windowWorstDrawdowns(series, 2, 'running-peak');
    expect(Array.from(dd)).toEqual([1 - 95 / 110, 1 - 90 / 110, 1 - 88 / 106]);
  });

  it('never spans a gap: segments are windowed separately', () => {
    const gapped = splitAtGaps([...candles.slice(0, 2), { ...candles[2]!, openTimeMs: 10 * H }, { ...candles[3]!, openTimeMs: 11 * H }], H);
    expect(gapped).toHaveLength(2);
    expect(windowWorstDrawdowns(gapped, 2)).toHaveLength(2);
  });

  it('quantile and expected shortfall match a brute-force computation on random paths', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -0.05, max: 0.05, noNaN: true }), fc.double({ min: 0, max: 0.03, noNaN: true })), { minLength: 10, maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0.5, 0.9, 0.99),
        (steps, window, p) => {
          let price = 100;
          const bars = steps.map(([r, wick], i) => {
            const open = price;
            price = open * Math.exp(r);
            return bar(i, open, Math.max(open, price) * (1 + wick), Math.min(open, price) * (1 - wick), price);
          });
          const tail = drawdownTail([toSeries(bars, H)], window, [p]);
          // Brute force: every window, minimum low against the window's open.
          const drops: number[] = [];
          for (let s = 0; s + window <= bars.length; s++) {
            drops.push(1 - Math.min(...bars.slice(s, s + window).map((b) => b.low)) / bars[s]!.open);
          }
          drops.sort((a, b) => a - b);
          if (drops.length === 0) return tail.windows === 0;
          expect(tail.windows).toBe(drops.length);
          expect(tail.quantiles[String(p)]).toBeCloseTo(quantileSorted(drops, p), 12);
          expect(tail.historicalWorst).toBeCloseTo(drops[drops.length - 1]!, 12);
          const threshold = quantileSorted(drops, p);
          const beyond = drops.filter((d) => d >= threshold);
          expect(tail.expectedShortfall).toBeCloseTo(beyond.reduce((a, b) => a + b, 0) / beyond.length, 12);
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('quantile (type 7)', () => {
  it('interpolates between order statistics like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.999)).toBeCloseTo(3.997, 12);
    expect(quantileSorted([10], 0.3)).toBe(10);
  });
});
