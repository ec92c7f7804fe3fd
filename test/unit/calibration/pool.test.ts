import { describe, expect, it } from 'vitest';
import { binomialCdf, upperBoundQuantile, upperBoundRank } from '../../../shared/calibration/order-statistics.js';
import { poolMultiples, type AssetMultiples } from '../../../shared/calibration/pool.js';

const asset = (symbol: string, sigmaHorizon: number, adverse: number, expectedExceedances = 4, tailIndex: number | null = 0.3): AssetMultiples => ({
  symbol,
  firstMs: 0,
  windows: 0,
  calmWindows: 0,
  expectedExceedances,
  sigmaHorizon,
  quantile: adverse * sigmaHorizon,
  adverse,
  ordinary: 2,
  expectedShortfall: adverse * 1.3,
  tailIndex,
  ownUpperBound90: null,
});

describe('the prior line of older assets', () => {
  it('estimates spread no wider than sampling noise: no between-asset variance, the weighted mean at the reference', () => {
    const pool = poolMultiples([asset('A', 0.02, 7.2), asset('B', 0.03, 7.0, 8), asset('C', 0.04, 7.1, 2)])!;
    expect(pool.betweenAssetVariance).toBe(0);
    // Weights lambda / xi^2 (4, 8, 2): intercept = their mean of ln m, at the weighted mean ln sigma.
    const w = [4, 8, 2];
    const lnm = [Math.log(7.2), Math.log(7.0), Math.log(7.1)];
    expect(pool.adverse.intercept).toBeCloseTo((w[0]! * lnm[0]! + w[1]! * lnm[1]! + w[2]! * lnm[2]!) / 14, 12);
    expect(pool.referenceLogSigma).toBeCloseTo((4 * Math.log(0.02) + 8 * Math.log(0.03) + 2 * Math.log(0.04)) / 14, 12);
    expect(pool.adverse.interceptStandardError).toBeCloseTo(1 / Math.sqrt(14 / 0.09), 12);
    expect(pool.tailIndex).toBeCloseTo(0.3, 12);
  });

  it('recovers a slope on ln(volatility) and finds between-asset variance when the spread is wide', () => {
    const sigmas = [0.01, 0.015, 0.02, 0.03, 0.04, 0.05];
    const exact = poolMultiples(sigmas.map((s, i) => asset(`S${i}`, s, 7 * (s / 0.02) ** -0.3, 1_000)))!;
    expect(exact.adverse.slope).toBeCloseTo(-0.3, 10);
    const wide = poolMultiples(sigmas.map((s, i) => asset(`W${i}`, s, i % 2 === 0 ? 4 : 12, 50)))!;
    expect(wide.betweenAssetVariance).toBeGreaterThan(0.1);
  });

  it('takes only assets with one expected exceedance; needs three of them', () => {
    const pool = poolMultiples([asset('A', 0.02, 7), asset('B', 0.03, 7), asset('C', 0.04, 7), asset('Y', 0.05, 20, 0.5, null)])!;
    expect(pool.assets).toEqual(['A', 'B', 'C']);
    expect(poolMultiples([asset('A', 0.02, 7), asset('B', 0.03, 7)])).toBeNull();
  });
});

describe('order-statistic upper bounds', () => {
  it('binomial CDF', () => {
    expect(binomialCdf(0, 10, 0.1)).toBeCloseTo(0.9 ** 10, 14);
    expect(binomialCdf(1, 10, 0.1)).toBeCloseTo(0.9 ** 10 + 10 * 0.1 * 0.9 ** 9, 14);
    expect(binomialCdf(10, 10, 0.1)).toBe(1);
  });

  it('needs ln(1 - c) / ln(alpha) draws for any bound, and a wider one with fewer draws', () => {
    expect(upperBoundRank(2_301, 0.999, 0.9)).toBe(0);
    expect(upperBoundRank(2_303, 0.999, 0.9)).toBe(1);
    // lambda = 8.3 (BTC's calm windows before 2022): the 5th largest (P(N <= 4) = 0.06 <= 0.1 < P(N <= 5)).
    expect(upperBoundRank(8_300, 0.999, 0.9)).toBe(5);
    const sorted = Float64Array.from({ length: 1_000 }, (_, i) => i / 1_000);
    expect(upperBoundQuantile(sorted, 250, 0.999, 0.9)).toBeNull();
    expect(upperBoundQuantile(sorted, 4_000, 0.999, 0.5)).toBeLessThan(upperBoundQuantile(sorted, 4_000, 0.999, 0.9)!);
  });
});
