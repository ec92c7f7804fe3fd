import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { drawdownTail, windowWorstDrawdowns } from '../../../shared/risk/drawdown.js';
import { FhsInputError, SigmaAlignmentError, fhsDrawdownTail, standardizedBarShapes } from '../../../shared/risk/fhs.js';
import { toSeries, type CandleLike, type PriceSeries } from '../../../shared/risk/series.js';
import { quantileSorted, sampleStdDev } from '../../../shared/numerics/statistics.js';

const H = 3_600_000;

/**
 * An i.i.d. hourly OHLC path: close moves sigma * standardized Student-t(4), wicks below the body
 * sigma * Exp(mean 0.5) (as on real bars, the low adds to the close-to-close move). Each bar opens at the
 * previous close, like Binance's bars.
 */
function iidSeries(bars: number, sigma: number, seed: number): PriceSeries {
  const rng = new SeededRandom(seed);
  const candles: CandleLike[] = [];
  let price = 100;
  for (let i = 0; i < bars; i++) {
    const open = price;
    const close = open * Math.exp(sigma * rng.standardizedStudentT(4));
    const low = Math.min(open, close) * Math.exp(-sigma * rng.exponential(0.5));
    const high = Math.max(open, close) * Math.exp(sigma * rng.exponential(0.5));
    candles.push({ openTimeMs: i * H, open, high, low, close });
    price = close;
  }
  return toSeries(candles, H);
}

/** Bar shapes of an i.i.d. series with its true (constant) sigma. */
function constantSigmaShapes(series: PriceSeries, sigma: number) {
  return standardizedBarShapes([series], new Float64Array(series.close.length - 1).fill(sigma));
}

/**
 * Reference FHS: SeededRandom's method stream, explicit OHLC bars, and drawdown.ts on the simulated
 * window. Slow and obvious; the production loop must agree with it.
 */
function referenceFhsPaths(
  residuals: Float64Array,
  lowExcursions: Float64Array,
  horizonSigmas: Float64Array,
  paths: number,
  seed: number,
  blockBars: number,
): number[] {
  const rng = new SeededRandom(seed);
  const out: number[] = [];
  for (let p = 0; p < paths; p++) {
    const candles: CandleLike[] = [];
    let price = 1;
    let start = 0;
    for (let k = 0; k < horizonSigmas.length; k++) {
      if (k % blockBars === 0) start = Math.floor(rng.next() * (residuals.length - blockBars + 1));
      const bar = start + (k % blockBars);
      const sigma = horizonSigmas[k]!;
      const open = price;
      const close = open * Math.exp(residuals[bar]! * sigma);
      const low = Math.min(open, close) * Math.exp(-lowExcursions[bar]! * sigma);
      candles.push({ openTimeMs: k * H, open, high: Math.max(open, close), low, close });
      price = close;
    }
    out.push(windowWorstDrawdowns([toSeries(candles, H)], horizonSigmas.length, 'window-open')[0]!);
  }
  return out;
}

describe('standardized bar shapes', () => {
  it('pairs each sigma with its return, skips the first bar of every segment, and scales the low excursion', () => {
    const first = toSeries(
      [
        { openTimeMs: 0, open: 100, high: 101, low: 99, close: 100 },
        { openTimeMs: H, open: 100, high: 112, low: 95, close: 110 },
        { openTimeMs: 2 * H, open: 110, high: 111, low: 90, close: 99 },
      ],
      H,
    );
    const second = toSeries(
      [
        { openTimeMs: 10 * H, open: 50, high: 50, low: 50, close: 50 },
        { openTimeMs: 11 * H, open: 50, high: 56, low: 49, close: 55 },
      ],
      H,
    );
    const sigmas = Float64Array.of(0.1, 0.2, 0.05);
    const shapes = standardizedBarShapes([first, second], sigmas);
    expect(shapes.droppedBars).toBe(0);
    expect(Array.from(shapes.residuals)).toEqual([Math.log(110 / 100) / 0.1, Math.log(99 / 110) / 0.2, Math.log(55 / 50) / 0.05]);
    expect(Array.from(shapes.lowExcursions)).toEqual([Math.log(100 / 95) / 0.1, Math.log(99 / 90) / 0.2, Math.log(50 / 49) / 0.05]);
    const rms = Math.sqrt(shapes.residuals.reduce((s, z) => s + z * z, 0) / 3);
    expect(shapes.residualRms).toBeCloseTo(rms, 12);
  });

  it('refuses sigmas that do not line up with the returns (the off-by-one)', () => {
    const series = iidSeries(10, 0.01, 1);
    expect(() => standardizedBarShapes([series], new Float64Array(10).fill(0.01))).toThrow(SigmaAlignmentError);
    try {
      standardizedBarShapes([series], new Float64Array(10).fill(0.01));
    } catch (error) {
      expect((error as SigmaAlignmentError).details).toEqual({ returnCount: 9, sigmaCount: 10 });
    }
  });

  it('drops bars with an unusable sigma or price, and floors an inconsistent low at zero excursion', () => {
    const series = toSeries(
      [
        { openTimeMs: 0, open: 10, high: 10, low: 10, close: 10 },
        { openTimeMs: H, open: 10, high: 11, low: 9, close: 10.5 }, // sigma 0: dropped
        { openTimeMs: 2 * H, open: 10.5, high: 11, low: 0, close: 10 }, // low 0 (bad print): dropped
        { openTimeMs: 3 * H, open: 10, high: 12, low: 9, close: 11 }, // sigma NaN: dropped
        { openTimeMs: 4 * H, open: 11, high: 12, low: 11.5, close: 12 }, // low above the open: w = 0
      ],
      H,
    );
    const shapes = standardizedBarShapes([series], Float64Array.of(0, 0.1, Number.NaN, 0.1));
    expect(shapes.droppedBars).toBe(3);
    expect(Array.from(shapes.residuals)).toEqual([Math.log(12 / 11) / 0.1]);
    expect(Array.from(shapes.lowExcursions)).toEqual([0]);
  });
});

describe('filtered historical simulation of the worst drawdown', () => {
  it('equals a plain simulation on explicit OHLC bars measured by drawdown.ts (stream = SeededRandom)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -6, max: 6, noNaN: true }), fc.double({ min: 0, max: 4, noNaN: true })), { minLength: 1, maxLength: 40 }),
        fc.array(fc.double({ min: 0, max: 0.05, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (shapes, sigmas, block, seed) => {
          const blockBars = Math.min(block, shapes.length);
          const residuals = Float64Array.from(shapes, (s) => s[0]);
          const lowExcursions = Float64Array.from(shapes, (s) => s[1]);
          const horizonSigmas = Float64Array.from(sigmas);
          const result = fhsDrawdownTail({ residuals, lowExcursions, horizonSigmas, paths: 50, confidences: [0.9], seed, blockBars });
          const expected = referenceFhsPaths(residuals, lowExcursions, horizonSigmas, 50, seed, blockBars);
          result.paths.forEach((d, i) => expect(d).toBeCloseTo(expected[i]!, 12));
          expect(result.quantiles['0.9']).toBeCloseTo(quantileSorted(Float64Array.from(expected).sort(), 0.9), 12);
        },
      ),
      { numRuns: 100 },
    );
  });

  // 200k i.i.d. bars: enough that the empirical q99.9 (200 exceedances) is itself good to about 1 %.
  const sigma = 0.01;
  const long = iidSeries(200_000, sigma, 11);
  const longShapes = constantSigmaShapes(long, sigma);

  it('h = 1 with the historical sigma reproduces drawdownTail on the same data (q99 within 2 %, q99.9 within 4 %)', () => {
    const fhs = fhsDrawdownTail({ ...longShapes, horizonSigmas: Float64Array.of(sigma), paths: 300_000, confidences: [0.99, 0.999], seed: 3 });
    // drawdownTail's 1-bar windows include bar 0, which has no return (and so no shape): leave it out.
    const rest: PriceSeries = {
      intervalMs: H,
      openTimeMs: long.openTimeMs.subarray(1),
      open: long.open.subarray(1),
      high: long.high.subarray(1),
      low: long.low.subarray(1),
      close: long.close.subarray(1),
    };
    const empirical = drawdownTail([rest], 1, [0.99, 0.999]);
    // The FHS is a bootstrap of the very same 1-bar drops: only resampling noise separates them
    // (measured over 12 data sets and seeds: sd 0.5 % at q99, 1.2 % at q99.9).
    expect(Math.abs(fhs.quantiles['0.99']! / empirical.quantiles['0.99']! - 1)).toBeLessThan(0.02);
    expect(Math.abs(fhs.quantiles['0.999']! / empirical.quantiles['0.999']! - 1)).toBeLessThan(0.04);
  });

  it('on i.i.d. data, 4-bar i.i.d. FHS matches the empirical 4-bar window drawdowns (q99 within 2 %, q99.9 within 4 %)', () => {
    const fhs = fhsDrawdownTail({ ...longShapes, horizonSigmas: new Float64Array(4).fill(sigma), paths: 300_000, confidences: [0.99, 0.999], seed: 4, blockBars: 1 });
    const empirical = drawdownTail([long], 4, [0.99, 0.999]);
    // Same law, two estimators; the empirical one uses overlapping windows (measured sd 0.5 % / 1.2 %).
    expect(Math.abs(fhs.quantiles['0.99']! / empirical.quantiles['0.99']! - 1)).toBeLessThan(0.02);
    expect(Math.abs(fhs.quantiles['0.999']! / empirical.quantiles['0.999']! - 1)).toBeLessThan(0.04);
  });

  it('with blocks of h bars and the historical sigma, every path replays a historical window', () => {
    const sigma = 0.02;
    const series = iidSeries(300, sigma, 13);
    const shapes = constantSigmaShapes(series, sigma);
    const fhs = fhsDrawdownTail({ ...shapes, horizonSigmas: new Float64Array(4).fill(sigma), paths: 500, confidences: [0.9], seed: 5, blockBars: 4 });
    // Windows that start at bar 1 or later (bar 0 has no shape).
    const windows = Array.from(windowWorstDrawdowns([series], 4)).slice(1);
    for (const d of fhs.paths) {
      const nearest = windows.reduce((best, w) => (Math.abs(w - d) < Math.abs(best - d) ? w : best), Number.POSITIVE_INFINITY);
      expect(nearest).toBeCloseTo(d, 12);
    }
    // Blocks of the horizon's length are the default.
    const byDefault = fhsDrawdownTail({ ...shapes, horizonSigmas: new Float64Array(4).fill(sigma), paths: 500, confidences: [0.9], seed: 5 });
    expect(byDefault.paths).toEqual(fhs.paths);
  });

  it('blocks keep runs of down bars that i.i.d. draws break up', () => {
    // Standardized history in runs: four bars down 2 sigma, four bars up 2 sigma, repeated.
    const residuals = Float64Array.from({ length: 8_000 }, (_, i) => (i % 8 < 4 ? -2 : 2));
    const lowExcursions = new Float64Array(residuals.length);
    const input = { residuals, lowExcursions, horizonSigmas: new Float64Array(4).fill(0.01), paths: 40_000, confidences: [0.99] };
    const allDown = -Math.expm1(-0.08);
    const shareAllDown = (paths: Float64Array) => paths.reduce((n, d) => n + (Math.abs(d - allDown) < 1e-12 ? 1 : 0), 0) / paths.length;
    // i.i.d.: four independent coin flips, 1/16. Blocks of 4: the window must start on a run, 1/8.
    expect(shareAllDown(fhsDrawdownTail({ ...input, seed: 1, blockBars: 1 }).paths)).toBeCloseTo(1 / 16, 2);
    expect(shareAllDown(fhsDrawdownTail({ ...input, seed: 1 }).paths)).toBeCloseTo(1 / 8, 2);
  });

  it('doubling the forecast sigma doubles the log drop exactly, so D(2 sigma) = 2 D - D^2 (about 2x for small moves)', () => {
    const sigma = 0.004;
    const shapes = constantSigmaShapes(iidSeries(5_000, sigma, 14), sigma);
    const confidences = [0.5, 0.9, 0.99];
    const base = fhsDrawdownTail({ ...shapes, horizonSigmas: Float64Array.of(0.004, 0.005, 0.006, 0.006), confidences, seed: 9 });
    const doubled = fhsDrawdownTail({ ...shapes, horizonSigmas: Float64Array.of(0.008, 0.01, 0.012, 0.012), confidences, seed: 9 });
    // Same seed, same draws: every log low doubles exactly (power-of-two scaling is exact in floating point).
    base.paths.forEach((d, i) => expect(-Math.log1p(-doubled.paths[i]!)).toBeCloseTo(-2 * Math.log1p(-d), 14));
    for (const p of confidences) {
      const q = base.quantiles[String(p)]!;
      const ratio = doubled.quantiles[String(p)]! / q;
      // Not exactly 2: D = 1 - exp(-x) is concave in the log drop x, so the ratio is 2 - D; type-7
      // interpolation between order statistics adds a negligible second-order term.
      expect(ratio).toBeCloseTo(2 - q, 5);
      expect(ratio).toBeGreaterThan(1.9);
      expect(ratio).toBeLessThanOrEqual(2);
    }
  });

  it('is deterministic by seed', () => {
    const shapes = constantSigmaShapes(iidSeries(2_000, 0.01, 15), 0.01);
    const input = { ...shapes, horizonSigmas: new Float64Array(4).fill(0.01), paths: 5_000, confidences: [0.99, 0.999] };
    const a = fhsDrawdownTail({ ...input, seed: 77 });
    const b = fhsDrawdownTail({ ...input, seed: 77 });
    const c = fhsDrawdownTail({ ...input, seed: 78 });
    expect(b.paths).toEqual(a.paths);
    expect(b.quantiles).toEqual(a.quantiles);
    expect(b.expectedShortfall).toBe(a.expectedShortfall);
    expect(c.paths).not.toEqual(a.paths);
  });

  it('converges: 64x more paths shrinks the seed-to-seed spread of q99 about 8x', () => {
    const shapes = constantSigmaShapes(iidSeries(20_000, 0.01, 16), 0.01);
    const horizonSigmas = new Float64Array(4).fill(0.01);
    const estimates = (paths: number) =>
      Array.from({ length: 40 }, (_, seed) => fhsDrawdownTail({ ...shapes, horizonSigmas, paths, confidences: [0.99], seed: 1000 * paths + seed }).quantiles['0.99']!);
    const small = estimates(500);
    const large = estimates(32_000);
    const ratio = sampleStdDev(small) / sampleStdDev(large);
    // sqrt(64) = 8 in theory; with 40 seeds each spread is known to about +-12 %, so the ratio to about +-20 %.
    expect(ratio).toBeGreaterThan(5);
    expect(ratio).toBeLessThan(12);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean(large) - mean(small))).toBeLessThan(3 * sampleStdDev(small));
  });

  it('expected shortfall is the mean of the simulated drops at or beyond the highest quantile', () => {
    const shapes = constantSigmaShapes(iidSeries(3_000, 0.01, 17), 0.01);
    const result = fhsDrawdownTail({ ...shapes, horizonSigmas: new Float64Array(2).fill(0.01), paths: 4_000, confidences: [0.95, 0.99], seed: 1 });
    const sorted = Float64Array.from(result.paths).sort();
    const q = quantileSorted(sorted, 0.99);
    const tail = Array.from(sorted).filter((d) => d >= q);
    expect(result.quantiles['0.99']).toBe(q);
    expect(result.quantiles['0.95']).toBe(quantileSorted(sorted, 0.95));
    expect(result.expectedShortfall).toBeCloseTo(tail.reduce((a, b) => a + b, 0) / tail.length, 14);
    expect(result.worstSimulated).toBe(sorted[sorted.length - 1]);
  });

  it('refuses inputs outside their domain with a named error', () => {
    const residuals = Float64Array.of(0.1, -0.2, 0.3);
    const lowExcursions = Float64Array.of(0.1, 0.2, 0.3);
    const ok = { residuals, lowExcursions, horizonSigmas: Float64Array.of(0.01), confidences: [0.99], seed: 1 };
    expect(() => fhsDrawdownTail({ ...ok, lowExcursions: Float64Array.of(0.1) })).toThrow(FhsInputError);
    expect(() => fhsDrawdownTail({ ...ok, residuals: new Float64Array(0), lowExcursions: new Float64Array(0) })).toThrow(FhsInputError);
    expect(() => fhsDrawdownTail({ ...ok, horizonSigmas: new Float64Array(0) })).toThrow(FhsInputError);
    expect(() => fhsDrawdownTail({ ...ok, horizonSigmas: Float64Array.of(-0.01) })).toThrow(FhsInputError);
    expect(() => fhsDrawdownTail({ ...ok, confidences: [1] })).toThrow(FhsInputError);
    expect(() => fhsDrawdownTail({ ...ok, blockBars: 4 })).toThrow(FhsInputError);
    expect(() => fhsDrawdownTail({ ...ok, paths: 0 })).toThrow(FhsInputError);
  });
});
