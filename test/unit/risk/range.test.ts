import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import {
  dailyParkinsonVolatility,
  garmanKlassVariance,
  garmanKlassVolatility,
  InvalidBarError,
  parkinsonVariance,
  parkinsonVolatility,
} from '../../../shared/risk/range.js';
import { toSeries, type CandleLike, type PriceSeries } from '../../../shared/risk/series.js';

const HOUR_MS = 3_600_000;

/** Bars with the given log range ln(H/L) and log body ln(C/O), around a price of 100, one hour apart. */
function bars(logRanges: readonly number[], logBodies: readonly number[] = [], startMs = 0): PriceSeries {
  const candles: CandleLike[] = logRanges.map((range, i) => {
    const body = logBodies[i] ?? 0;
    const low = 100;
    const high = low * Math.exp(range);
    // Open and close inside [low, high]: open at the bottom for an up bar, at the top for a down bar.
    const open = body >= 0 ? low : high;
    return { openTimeMs: startMs + i * HOUR_MS, open, high, low, close: open * Math.exp(body) };
  });
  return toSeries(candles, HOUR_MS);
}

describe('Parkinson variance', () => {
  it('every bar with H/L = e^0.02 gives 0.0004 / (4 ln 2)', () => {
    const series = bars(Array(50).fill(0.02));
    expect(parkinsonVariance([series], 50)).toBeCloseTo(0.0004 / (4 * Math.LN2), 15);
  });

  it('is the textbook square of the log range, not Risk DAO ln((H/L)^2) = 2 ln(H/L)', () => {
    // Doubling every log range quadruples the textbook estimate (it would double with the bug).
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-4, max: 0.2, noNaN: true }), { minLength: 1, maxLength: 30 }), (ranges) => {
        const base = parkinsonVariance([bars(ranges)], ranges.length);
        const doubled = parkinsonVariance([bars(ranges.map((x) => 2 * x))], ranges.length);
        expect(doubled / base).toBeCloseTo(4, 9);
      }),
    );
  });

  it('uses only the last windowBars bars, across segments', () => {
    // Older segment: wide bars; newer segment: two narrow bars. A window of 3 takes 1 old + 2 new.
    const older = bars([0.1, 0.1, 0.1], [], 0);
    const newer = bars([0.01, 0.01], [], 10 * HOUR_MS);
    const expected = (0.1 ** 2 + 2 * 0.01 ** 2) / (4 * Math.LN2 * 3);
    expect(parkinsonVariance([older, newer], 3)).toBeCloseTo(expected, 15);
    // A window longer than the data uses all 5 bars.
    expect(parkinsonVariance([older, newer], 1000)).toBeCloseTo((3 * 0.01 + 2 * 0.0001) / (4 * Math.LN2 * 5), 15);
    expect(parkinsonVariance([], 10)).toBeNaN();
    expect(parkinsonVariance([older], 0)).toBeNaN();
  });

  it('annualizes and gives the daily sigma of SmartLTV', () => {
    const series = bars(Array(24 * 7).fill(0.02));
    const perBar = 0.0004 / (4 * Math.LN2);
    expect(parkinsonVolatility([series], 24 * 7, 8760)).toBeCloseTo(Math.sqrt(perBar * 8760), 12);
    expect(dailyParkinsonVolatility([series], 24, 7)).toBeCloseTo(Math.sqrt(perBar * 24), 12);
    // The daily window is windowDays x barsPerDay bars: a wide bar 2 days back counts in 7 days, not in 1.
    const withShock = bars([...Array(100).fill(0.02), 0.2, ...Array(67).fill(0.02)]); // 168 bars, shock at 100
    expect(dailyParkinsonVolatility([withShock], 24, 1)).toBeCloseTo(Math.sqrt(perBar * 24), 12);
    expect(dailyParkinsonVolatility([withShock], 24, 7)).toBeGreaterThan(Math.sqrt(perBar * 24) * 1.2);
  });

  it('refuses a bar with a zero low or high below low', () => {
    const bad = bars([0.01, 0.01]);
    bad.low[1] = 0;
    expect(() => parkinsonVariance([bad], 2)).toThrow(InvalidBarError);
    // Outside the window it is not read.
    expect(parkinsonVariance([bad], 0)).toBeNaN();
    const inverted = bars([0.01]);
    inverted.high[0] = 99;
    expect(() => parkinsonVariance([inverted], 1)).toThrow(/high 99 and low 100/);
  });
});

describe('Garman-Klass variance', () => {
  it('matches the closed form on hand-built bars', () => {
    // Flat bodies: 0.5 (ln H/L)^2.
    expect(garmanKlassVariance([bars(Array(10).fill(0.02))], 10)).toBeCloseTo(0.5 * 0.0004, 15);
    // |ln C/O| = 0.01 inside a 0.02 range: 0.5 * 0.0004 - (2 ln 2 - 1) * 0.0001, whatever the sign.
    const ranges = Array(10).fill(0.02);
    const bodies = ranges.map((_, i) => (i % 2 ? 0.01 : -0.01));
    expect(garmanKlassVariance([bars(ranges, bodies)], 10)).toBeCloseTo(0.0002 - (2 * Math.LN2 - 1) * 0.0001, 15);
    expect(garmanKlassVolatility([bars(ranges, bodies)], 10, 8760)).toBeCloseTo(
      Math.sqrt((0.0002 - (2 * Math.LN2 - 1) * 0.0001) * 8760),
      12,
    );
  });

  it('refuses a non-positive open or close', () => {
    const bad = bars([0.01, 0.01]);
    bad.close[0] = 0;
    expect(() => garmanKlassVariance([bad], 2)).toThrow(InvalidBarError);
  });
});

describe('range estimators on a simulated Brownian path', () => {
  it('both are within 5 % of the true per-bar variance', () => {
    // Driftless log-price path, 4000 bars of 100 steps. Between two grid points the path is a Brownian
    // bridge, whose maximum is drawn exactly: (x0 + x1 + sqrt((x1 - x0)^2 - 2 h ln U)) / 2 (minimum:
    // the mirror). So each bar's high and low are those of the continuous path, not of the grid, which
    // would sit ~4 % low even at 2000 steps per bar.
    const sigma = 0.01;
    const barCount = 4000;
    const steps = 100;
    const rng = new SeededRandom(20240601);
    const h = (sigma * sigma) / steps;
    const stepSd = Math.sqrt(h);
    const candles: CandleLike[] = [];
    let x = Math.log(100);
    for (let b = 0; b < barCount; b++) {
      const open = x;
      let high = x;
      let low = x;
      for (let k = 0; k < steps; k++) {
        const next = x + stepSd * rng.normal();
        const jump2 = (next - x) ** 2;
        high = Math.max(high, (x + next + Math.sqrt(jump2 - 2 * h * Math.log(rng.nextOpen()))) / 2);
        low = Math.min(low, (x + next - Math.sqrt(jump2 - 2 * h * Math.log(rng.nextOpen()))) / 2);
        x = next;
      }
      candles.push({ openTimeMs: b * HOUR_MS, open: Math.exp(open), high: Math.exp(high), low: Math.exp(low), close: Math.exp(x) });
    }
    const series = toSeries(candles, HOUR_MS);
    const truth = sigma * sigma;
    expect(Math.abs(parkinsonVariance([series], barCount) / truth - 1)).toBeLessThan(0.05);
    expect(Math.abs(garmanKlassVariance([series], barCount) / truth - 1)).toBeLessThan(0.05);
  });
});
