import { describe, expect, it } from 'vitest';
import { kupiecPof } from '../../../shared/backtest/stats.js';
import { kupiecOneSidedP, pooledCoverage } from '../../../shared/backtest/verdict.js';

describe('one-sided Kupiec', () => {
  it('is half the two-sided p above the expected rate and 1 - half at or below it', () => {
    const above = kupiecPof(20, 6_000, 0.001);
    expect(kupiecOneSidedP(20, 6_000, 0.001)).toBeCloseTo(above.pValue / 2, 12);
    const below = kupiecPof(1, 6_000, 0.001);
    expect(kupiecOneSidedP(1, 6_000, 0.001)).toBeCloseTo(1 - below.pValue / 2, 12);
    expect(kupiecOneSidedP(0, 6_000, 0.001)).toBeGreaterThan(0.5);
  });

  it('matches the normal tail of the signed root of LR: 11 where 6 are expected is borderline', () => {
    // LR(11; 6000, 0.001) = 3.339 -> sqrt 1.827 -> P(Z > 1.827) = 0.0338.
    expect(kupiecOneSidedP(11, 6_000, 0.001)).toBeCloseTo(0.0338, 4);
    expect(kupiecOneSidedP(9, 6_000, 0.001)).toBeGreaterThan(0.05);
  });

  it('pools non-overlapping windows and breaches over series', () => {
    const row = (w: number, b: number) => ({ confidence: 0.999, target: { breaches: b * 4, nonOverlappingWindows: w, nonOverlappingBreaches: b, independenceP: 0.9 } });
    const pooled = pooledCoverage([row(3_000, 2), row(3_000, 5), { confidence: 0.999, target: null }])!;
    expect(pooled).toMatchObject({ series: 2, nonOverlappingWindows: 6_000, nonOverlappingBreaches: 7 });
    expect(pooled.expected).toBeCloseTo(6, 12);
    expect(pooled.oneSidedKupiecP).toBeCloseTo(kupiecOneSidedP(7, 6_000, 0.001), 12);
    expect(pooled.passed).toBe(true);
    expect(pooledCoverage([])).toBeNull();
  });
});
