import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateCandles, aggregateVenueCandles } from '../../../shared/market/aggregate.js';
import type { Candle } from '../../../shared/market/types.js';

const T = 1_700_000_000_000;
const bar = (openTimeMs: number, open: number, high: number, low: number, close: number, volume = 1): Candle => ({ openTimeMs, open, high, low, close, volume });

describe('aggregateVenueCandles', () => {
  it('median open/close, high/low from the venues that agree, summed volume', () => {
    const { candles, outliers } = aggregateVenueCandles([
      { venue: 'a', candles: [bar(T, 100, 101, 99, 100.5, 2)] },
      { venue: 'b', candles: [bar(T, 100.2, 101.4, 99.2, 100.7, 3)] },
      { venue: 'c', candles: [bar(T, 99.9, 100.9, 98.7, 100.1, 5)] },
    ]);
    // Every venue agrees: the deepest wick each side is kept (not the median wick).
    expect(candles).toEqual([bar(T, 100, 101.4, 98.7, 100.5, 10)]);
    expect(outliers).toEqual([]);
  });

  it('a flash-crash wick on one of three venues is not taken, and is reported with its distance', () => {
    const { candles, outliers } = aggregateVenueCandles([
      { venue: 'binance', candles: [bar(T, 100, 101, 99, 100.5)] },
      { venue: 'coinbase', candles: [bar(T, 100.1, 101.2, 99.3, 100.6)] },
      { venue: 'kraken', candles: [bar(T, 100, 100.8, 50, 100.4)] },
    ]);
    expect(candles[0]!.low).toBe(99);
    expect(outliers).toHaveLength(1);
    expect(outliers[0]).toMatchObject({ venue: 'kraken', side: 'low', valueUsd: 50, medianUsd: 99, openTimeMs: T });
    // MAD of the lows {99, 99.3, 50} around 99 is 0.3; the floor (0.2 % of 100.5) is 0.201: 49 / 0.3 = 163 MADs.
    expect(outliers[0]!.deviationMads).toBeCloseTo(49 / 0.3, 6);
  });

  it('a crash every venue saw keeps its full depth', () => {
    const { candles, outliers } = aggregateVenueCandles([
      { venue: 'a', candles: [bar(T, 100, 100, 88, 92)] },
      { venue: 'b', candles: [bar(T, 100, 100, 89.5, 92.5)] },
      { venue: 'c', candles: [bar(T, 100, 100, 87, 91)] },
    ]);
    expect(outliers).toEqual([]);
    expect(candles[0]!.low).toBe(87);
  });

  it('two venues cannot out-vote each other: the deeper wick is kept and the bar is counted as disputed', () => {
    const { candles, outliers, disputedBars } = aggregateVenueCandles([
      { venue: 'a', candles: [bar(T, 100, 101, 99, 100.5), bar(T + 60_000, 100.5, 101, 100, 100.8)] },
      { venue: 'b', candles: [bar(T, 100, 101, 60, 100.5), bar(T + 60_000, 100.5, 101.1, 100.1, 100.7)] },
    ]);
    expect(candles[0]!.low).toBe(60);
    expect(outliers).toEqual([]);
    expect(disputedBars).toEqual([T]);
  });

  it('keeps gaps: a bar no venue has stays missing, a bar one venue has is that venue\'s bar', () => {
    const { candles } = aggregateVenueCandles([
      { venue: 'a', candles: [bar(T, 1, 2, 0.5, 1.5), bar(T + 3 * 60_000, 1, 1, 1, 1)] },
      { venue: 'b', candles: [bar(T, 1, 2, 0.5, 1.5)] },
    ]);
    expect(candles.map((c) => c.openTimeMs)).toEqual([T, T + 3 * 60_000]);
    expect(candles[1]).toEqual(bar(T + 3 * 60_000, 1, 1, 1, 1));
  });

  it('a venue-agnostic caller (aggregateCandles) gets the same bars', () => {
    const perVenue = [[bar(T, 100, 101, 99, 100)], [bar(T, 100, 101, 99.5, 100.2)], [bar(T, 100, 130, 99.4, 100.1)]];
    expect(aggregateCandles(perVenue)).toEqual(aggregateVenueCandles(perVenue.map((candles, i) => ({ venue: String(i), candles }))).candles);
    expect(aggregateCandles(perVenue)[0]!.high).toBe(101);
  });

  it('property: every aggregated bar is a possible bar, inside the range the venues printed', () => {
    const venueBar = fc
      .record({ open: fc.double({ min: 50, max: 150, noNaN: true }), close: fc.double({ min: 50, max: 150, noNaN: true }), up: fc.double({ min: 0, max: 0.5, noNaN: true }), down: fc.double({ min: 0, max: 0.5, noNaN: true }) })
      .map(({ open, close, up, down }) => bar(T, open, Math.max(open, close) * (1 + up), Math.min(open, close) * (1 - down), close));
    fc.assert(
      fc.property(fc.array(venueBar, { minLength: 1, maxLength: 5 }), (bars) => {
        const out = aggregateVenueCandles(bars.map((b, i) => ({ venue: String(i), candles: [b] }))).candles[0]!;
        expect(out.high).toBeGreaterThanOrEqual(Math.max(out.open, out.close));
        expect(out.low).toBeLessThanOrEqual(Math.min(out.open, out.close));
        expect(out.high).toBeLessThanOrEqual(Math.max(...bars.map((b) => b.high)));
        expect(out.low).toBeGreaterThanOrEqual(Math.min(...bars.map((b) => b.low)));
      }),
    );
  });

  it('property: with three venues agreeing, a wick added on a fourth never drags the low below what the others saw by more than the threshold', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.9, noNaN: true }), (crash) => {
        const honest = [bar(T, 100, 101, 99, 100.5), bar(T, 100.1, 101.1, 99.1, 100.4), bar(T, 99.9, 100.9, 98.9, 100.6)];
        const out = aggregateVenueCandles([...honest, bar(T, 100, 101, 100 * (1 - crash), 100.5)].map((b, i) => ({ venue: String(i), candles: [b] })));
        // k = 5 scales of at least 0.2 % of the close: a kept wick is within 5 x max(MAD, 0.201) of the median low.
        expect(out.candles[0]!.low).toBeGreaterThanOrEqual(98.9 - 5 * Math.max(0.2, 0.201) - 1e-9);
      }),
    );
  });
});
