import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naiveLiquidationThresholdBps, naiveMaintenanceMarginBps, trailingQuantile } from '../../../shared/backtest/baseline.js';
import { countBreaches, lendingBufferDrop, perpBufferMove, worstMove } from '../../../shared/backtest/breach.js';
import { lowerBound, toColumns, windowMoves } from '../../../shared/backtest/windows.js';
import { liquidationThreshold, roundDownBps } from '../../../shared/risk/lending.js';
import { quantileSorted } from '../../../shared/numerics/statistics.js';

const H = 3_600_000;
const bar = (i: number, open: number, high: number, low: number, close: number) => ({ openTimeMs: i * H, open, high, low, close });

describe('the buffer a recommendation implies', () => {
  it('lending: with the unrounded LT, D* is the adverse move itself', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.9, noNaN: true }), fc.double({ min: 0, max: 0.2, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), (d, s, b) => {
        expect(lendingBufferDrop(liquidationThreshold(d, s, b), b, s)).toBeCloseTo(d, 12);
      }),
    );
  });

  it('lending: a position at LT is exactly insolvent at D*: (1 - D*)(1 - s) / (1 + B) = LT', () => {
    const lt = 0.8;
    const d = lendingBufferDrop(lt, 0.05, 0.01);
    expect(((1 - d) * (1 - 0.01)) / 1.05).toBeCloseTo(lt, 14);
    expect(d).toBeCloseTo(1 - (0.8 * 1.05) / 0.99, 14);
  });

  it('lending: rounding LT down (as a protocol sets it) only adds buffer; LT 0 is never breached', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.6, noNaN: true }), fc.double({ min: 0, max: 0.05, noNaN: true }), (d, s) => {
        const b = 0.05;
        const rounded = roundDownBps(liquidationThreshold(d, s, b), 50) / 1e4;
        expect(lendingBufferDrop(rounded, b, s)).toBeGreaterThanOrEqual(d - 1e-12);
      }),
    );
    expect(lendingBufferDrop(0, 0.05, 0.01)).toBe(1);
  });

  it('perps: MMR = D + s + fee read backwards', () => {
    expect(perpBufferMove(0.0125, 0.002, 0.001)).toBeCloseTo(0.0095, 15);
    expect(perpBufferMove(0.001, 0.002, 0.001)).toBe(0);
  });
});

describe('realized window moves', () => {
  // Bars 0-5 contiguous, then a gap, then bars 8-9.
  const candles = [
    bar(0, 100, 101, 99, 100),
    bar(1, 100, 104, 95, 103),
    bar(2, 103, 103, 80, 82),
    bar(3, 82, 90, 81, 88),
    bar(4, 88, 89, 87, 88),
    bar(5, 88, 92, 88, 91),
    bar(8, 91, 91, 90, 90),
    bar(9, 90, 99, 90, 98),
  ];
  const bars = toColumns(candles, H);

  it('drop = 1 - lowest low / window open; rise = highest high / open - 1', () => {
    const { drop, rise } = windowMoves(bars, 2);
    expect(drop[0]).toBeCloseTo(1 - 95 / 100, 15);
    expect(drop[1]).toBeCloseTo(1 - 80 / 100, 15);
    expect(drop[2]).toBeCloseTo(1 - 80 / 103, 15);
    expect(rise[1]).toBeCloseTo(104 / 100 - 1, 15);
    expect(rise[4]).toBeCloseTo(92 / 88 - 1, 15);
  });

  it('a window never spans a gap nor runs past the data: NaN', () => {
    const { drop } = windowMoves(bars, 2);
    expect(Number.isNaN(drop[5]!)).toBe(true); // bar 5 + bar 8 are not contiguous
    expect(drop[6]).toBeCloseTo(1 - 90 / 91, 15);
    expect(Number.isNaN(drop[7]!)).toBe(true); // last bar: no second bar
  });

  it('counts windows and strict breaches in an index range, skipping incomplete windows', () => {
    const { drop } = windowMoves(bars, 2);
    expect(countBreaches(drop, 0, 8, 0.1)).toEqual({ windows: 6, breaches: 2 }); // windows 1 and 2 (20 %, 22.3 %)
    expect(countBreaches(drop, 0, 8, 0.21)).toEqual({ windows: 6, breaches: 1 }); // only the 22.3 % window
    expect(worstMove(drop, 0, 8)).toBeCloseTo(1 - 80 / 103, 15);
    expect(Number.isNaN(worstMove(drop, 7, 8))).toBe(true);
  });

  it('lowerBound finds the first index at or after a time', () => {
    expect(lowerBound(bars.openTimeMs, 3 * H)).toBe(3);
    expect(lowerBound(bars.openTimeMs, 6 * H)).toBe(6);
    expect(lowerBound(bars.openTimeMs, 99 * H)).toBe(8);
  });
});

describe('naive baseline', () => {
  it("is the type-7 quantile of the trailing complete windows", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: 0, max: 0.5, noNaN: true }), fc.constant(Number.NaN)), { minLength: 1, maxLength: 300 }), (values) => {
        const moves = Float64Array.from(values);
        const q = trailingQuantile(moves, 0, moves.length - 1, 0.99);
        const finite = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
        expect(q.windows).toBe(finite.length);
        if (finite.length > 0) expect(q.quantile).toBeCloseTo(quantileSorted(finite, 0.99), 14);
        else expect(Number.isNaN(q.quantile)).toBe(true);
      }),
    );
  });

  it('reads only the windows it is given (the caller stops h bars before the step)', () => {
    const moves = Float64Array.from([0.01, 0.02, 0.03, 0.9]);
    expect(trailingQuantile(moves, 0, 2, 1).quantile).toBe(0.03);
  });

  it('turns the quantile into LT / MMR with the same formulas and rounding as the engine', () => {
    expect(naiveLiquidationThresholdBps(0.15, 0.001, 0.045, 50)).toBe(roundDownBps(((1 - 0.15) * 0.999) / 1.045, 50));
    expect(naiveLiquidationThresholdBps(0.15, 0.001, 0.045, 50)).toBe(8100);
    expect(naiveMaintenanceMarginBps(0.0077, 0.0005, 0.001)).toBe(92);
  });
});
