import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../shared/numerics/rng.js';
import { FhsInputError, fhsDrawdownTail } from '../../../../shared/risk/fhs.js';
import { quantileSorted, sortedCopy } from '../../../../shared/numerics/statistics.js';
import { exactBlockBootstrapTail, filteredDrawdownTail } from '../../../../shared/risk/tail/fhs-exact.js';

function shapes(n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const residuals = new Float64Array(n);
  const lowExcursions = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    residuals[i] = rng.standardizedStudentT(3);
    lowExcursions[i] = rng.exponential(0.5);
  }
  return { residuals, lowExcursions };
}

const sigmas = Float64Array.of(0.01, 0.012, 0.011, 0.01);

describe('exact block bootstrap', () => {
  it('enumerates the n - h + 1 block starts: every Monte Carlo path is one of them', () => {
    const { residuals, lowExcursions } = shapes(500, 7);
    const exact = exactBlockBootstrapTail({ residuals, lowExcursions, horizonSigmas: sigmas, confidences: [0.99] });
    expect(exact.paths.length).toBe(497);
    const support = sortedCopy(exact.paths);
    const mc = fhsDrawdownTail({ residuals, lowExcursions, horizonSigmas: sigmas, confidences: [0.99], paths: 2_000, seed: 3 });
    for (const value of mc.paths) {
      let lo = 0;
      let hi = support.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (support[mid]! < value - 1e-12) lo = mid + 1;
        else hi = mid;
      }
      expect(Math.abs(support[lo]! - value)).toBeLessThan(1e-12);
    }
  });

  it('is the limit of the Monte Carlo: 400,000 draws land within sampling error of the exact quantile', () => {
    const { residuals, lowExcursions } = shapes(3_000, 11);
    const exact = exactBlockBootstrapTail({ residuals, lowExcursions, horizonSigmas: sigmas, confidences: [0.99, 0.999] });
    const mc = fhsDrawdownTail({ residuals, lowExcursions, horizonSigmas: sigmas, confidences: [0.99], paths: 400_000, seed: 5 });
    expect(mc.quantiles['0.99']).toBeCloseTo(exact.quantiles['0.99']!, 3);
    expect(quantileSorted(sortedCopy(exact.paths), 0.999)).toBe(exact.quantiles['0.999']);
  });

  it('does not depend on the seed; falls back to the seeded Monte Carlo when a path needs several blocks', () => {
    const { residuals, lowExcursions } = shapes(300, 1);
    const a = filteredDrawdownTail({ residuals, lowExcursions, horizonSigmas: sigmas, confidences: [0.999], seed: 1, paths: 10_000 });
    const b = filteredDrawdownTail({ residuals, lowExcursions, horizonSigmas: sigmas, confidences: [0.999], seed: 99, paths: 10_000 });
    expect(a.method).toBe('exact');
    expect(a.quantiles).toEqual(b.quantiles);
    const short = shapes(3, 2);
    const fallback = filteredDrawdownTail({ ...short, horizonSigmas: sigmas, confidences: [0.999], seed: 1, paths: 100 });
    expect(fallback.method).toBe('monte-carlo');
    expect(fallback.paths.length).toBe(100);
  });

  it('refuses inputs out of their domain with a named error', () => {
    const { residuals, lowExcursions } = shapes(10, 1);
    expect(() => exactBlockBootstrapTail({ residuals, lowExcursions: lowExcursions.subarray(1), horizonSigmas: sigmas, confidences: [0.9] })).toThrow(FhsInputError);
    expect(() => exactBlockBootstrapTail({ residuals, lowExcursions, horizonSigmas: Float64Array.of(Number.NaN), confidences: [0.9] })).toThrow(FhsInputError);
    expect(() => exactBlockBootstrapTail({ residuals, lowExcursions, horizonSigmas: sigmas, confidences: [1] })).toThrow(FhsInputError);
  });
});
