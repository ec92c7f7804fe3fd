import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { logGamma } from '../../../shared/numerics/special-functions.js';
import { fitGarch } from '../../../shared/risk/garch-fit.js';
import { GarchInputError, garchLogLikelihood, type GarchParameters } from '../../../shared/risk/garch-likelihood.js';
import { fitGarchOrEwma, forecastVariance, horizonVariance } from '../../../shared/risk/garch.js';
import { ewmaLambdaFromHalfLife, ewmaVolatility } from '../../../shared/risk/volatility.js';

interface TrueGarch extends GarchParameters {
  omega: number;
}

/** GARCH(1,1) with unit-variance Student-t shocks, started at the long-run variance, after a burn-in. */
function simulateGarch(n: number, p: TrueGarch, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  const out = new Float64Array(n);
  let s2 = p.omega / (1 - p.alpha - p.beta);
  const burnIn = 1000;
  for (let i = 0; i < burnIn + n; i++) {
    const r = Math.sqrt(s2) * rng.standardizedStudentT(p.nu);
    if (i >= burnIn) out[i - burnIn] = r;
    s2 = p.omega + p.alpha * r * r + p.beta * s2;
  }
  return out;
}

function iidStudentT(n: number, sd: number, nu: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  return Float64Array.from({ length: n }, () => sd * rng.standardizedStudentT(nu));
}

/** Straightforward reference: one Math.log per term, the density written out as in the textbooks. */
function referenceLogLikelihood(returns: Float64Array, p: GarchParameters): number {
  let meanSquare = 0;
  for (const r of returns) meanSquare += r * r;
  meanSquare /= returns.length;
  const omega = meanSquare * (1 - p.alpha - p.beta);
  let s2 = meanSquare;
  let ll = 0;
  for (const r of returns) {
    // Unit-variance Student-t: f(z) = G((nu+1)/2) / (G(nu/2) sqrt(pi (nu-2))) (1 + z^2/(nu-2))^(-(nu+1)/2), r = s z.
    const z2 = (r * r) / s2;
    ll +=
      logGamma((p.nu + 1) / 2) -
      logGamma(p.nu / 2) -
      0.5 * Math.log(Math.PI * (p.nu - 2)) -
      0.5 * Math.log(s2) -
      ((p.nu + 1) / 2) * Math.log(1 + z2 / (p.nu - 2));
    s2 = omega + p.alpha * r * r + p.beta * s2;
  }
  return ll;
}

const SET_A: TrueGarch = { omega: 1e-6, alpha: 0.08, beta: 0.9, nu: 6 };
const SET_B: TrueGarch = { omega: 2e-6, alpha: 0.12, beta: 0.82, nu: 5 };
const HALF_LIFE_BARS = 269; // RiskMetrics' daily 0.94 as a half-life, in hourly bars

describe('GARCH likelihood', () => {
  const returns = simulateGarch(5000, SET_A, 11);

  it('equals the per-bar reference (running products lose nothing)', () => {
    for (const p of [
      { alpha: 0.08, beta: 0.9, nu: 6 },
      { alpha: 0.3, beta: 0.2, nu: 2.2 },
      { alpha: 0.01, beta: 0.98, nu: 150 },
    ]) {
      const reference = referenceLogLikelihood(returns, p);
      expect(Math.abs(garchLogLikelihood(returns, p) - reference)).toBeLessThan(1e-8 * Math.abs(reference));
    }
  });

  it('analytic gradient matches central finite differences', () => {
    const p = { alpha: 0.06, beta: 0.91, nu: 7 };
    const gradient = new Float64Array(3);
    garchLogLikelihood(returns, p, gradient);
    const keys = ['alpha', 'beta', 'nu'] as const;
    keys.forEach((key, i) => {
      const h = key === 'nu' ? 1e-4 : 1e-6;
      const up = garchLogLikelihood(returns, { ...p, [key]: p[key] + h });
      const down = garchLogLikelihood(returns, { ...p, [key]: p[key] - h });
      const numeric = (up - down) / (2 * h);
      expect(Math.abs(gradient[i]! - numeric)).toBeLessThan(1e-5 * Math.max(1, Math.abs(numeric)));
    });
  });
});

describe('fitGarch recovers known parameters', () => {
  const cases: [string, TrueGarch, number][] = [
    ['set A (1e-6 / 0.08 / 0.90 / nu 6)', SET_A, 1],
    ['set A, another seed', SET_A, 2],
    ['set B (2e-6 / 0.12 / 0.82 / nu 5)', SET_B, 1],
    ['set B, another seed', SET_B, 2],
  ];
  it.each(cases)('%s from 30,000 simulated returns', (_label, truth, seed) => {
    const returns = simulateGarch(30_000, truth, seed);
    const fit = fitGarch(returns);
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.alpha - truth.alpha)).toBeLessThan(0.03);
    expect(Math.abs(fit.beta - truth.beta)).toBeLessThan(0.03);
    expect(Math.abs(fit.persistence - (truth.alpha + truth.beta))).toBeLessThan(0.02);
    expect(Math.abs(fit.nu - truth.nu)).toBeLessThan(2);
    const longRun = truth.omega / (1 - truth.alpha - truth.beta);
    expect(Math.abs(fit.longRunVariance / longRun - 1)).toBeLessThan(0.2);
    // Internal consistency of the reported numbers.
    expect(fit.omega / (1 - fit.persistence)).toBeCloseTo(fit.longRunVariance, 15);
    expect(fit.persistence).toBeCloseTo(fit.alpha + fit.beta, 15);
    // The optimizer really optimizes: no worse than the truth, nor than nearby points.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(garchLogLikelihood(returns, truth) - 1e-3);
    expect(fit.logLikelihood).toBeCloseTo(garchLogLikelihood(returns, fit), 6);
    for (const [da, db] of [[0.005, 0], [-0.005, 0], [0, 0.005], [0, -0.005]] as const) {
      const nearby = { alpha: fit.alpha + da, beta: fit.beta + db, nu: fit.nu };
      expect(garchLogLikelihood(returns, nearby)).toBeLessThan(fit.logLikelihood);
    }
  });

  it('reports lastVariance and residuals of the fitted recursion (brute force)', () => {
    const returns = simulateGarch(3000, SET_B, 5);
    const fit = fitGarch(returns);
    let s2 = fit.longRunVariance;
    const residuals = fit.standardizedResiduals!;
    for (let t = 0; t < returns.length; t++) {
      expect(residuals[t]!).toBeCloseTo(returns[t]! / Math.sqrt(s2), 10);
      s2 = fit.omega + fit.alpha * returns[t]! ** 2 + fit.beta * s2;
    }
    expect(fit.lastVariance / s2).toBeCloseTo(1, 12);
    // The fitted model standardizes the returns to unit mean square (what FHS rescales).
    const meanSquare = residuals.reduce((sum, z) => sum + z * z, 0) / residuals.length;
    expect(Math.abs(meanSquare - 1)).toBeLessThan(0.1);
  });

  it('is scale invariant: returns x c give the same alpha, beta, nu and omega x c^2', () => {
    const returns = simulateGarch(4000, SET_A, 3);
    const c = 37;
    const base = fitGarch(returns);
    const scaled = fitGarch(returns.map((r) => r * c));
    expect(scaled.alpha).toBeCloseTo(base.alpha, 8);
    expect(scaled.beta).toBeCloseTo(base.beta, 8);
    expect(scaled.nu).toBeCloseTo(base.nu, 6);
    expect(scaled.omega / (base.omega * c * c)).toBeCloseTo(1, 8);
    expect(scaled.logLikelihood).toBeCloseTo(base.logLikelihood - returns.length * Math.log(c), 6);
  });

  it('warm start from the previous fit converges in a few evaluations to the cold answer', () => {
    const series = simulateGarch(8760 + 24, SET_A, 4);
    const yesterday = fitGarch(series.subarray(0, 8760));
    const today = series.subarray(24);
    const cold = fitGarch(today);
    const warm = fitGarch(today, { start: yesterday });
    expect(warm.converged).toBe(true);
    expect(warm.evaluations).toBeLessThanOrEqual(5);
    expect(warm.evaluations).toBeLessThan(cold.evaluations);
    expect(Math.abs(warm.alpha - cold.alpha)).toBeLessThan(1e-3);
    expect(Math.abs(warm.beta - cold.beta)).toBeLessThan(1e-3);
    expect(Math.abs(warm.nu - cold.nu)).toBeLessThan(0.05);
    // Same data, started at its own optimum: one evaluation.
    expect(fitGarch(today, { start: cold }).evaluations).toBe(1);
  });

  it('a start on the edge (an EWMA fallback: persistence 1, tiny alpha) does not stall the search', () => {
    const returns = simulateGarch(8760, SET_A, 12);
    const ewma = fitGarchOrEwma(returns.subarray(0, 300), { ewmaHalfLifeBars: HALF_LIFE_BARS });
    expect(ewma.model).toBe('ewma-fallback');
    const cold = fitGarch(returns);
    for (const start of [ewma, { alpha: 0, beta: 1, nu: Number.NaN }, { alpha: 0.5, beta: 0.5, nu: 1000 }]) {
      const fit = fitGarch(returns, { start });
      expect(fit.converged).toBe(true);
      expect(Math.abs(fit.alpha - cold.alpha)).toBeLessThan(1e-3);
      expect(Math.abs(fit.beta - cold.beta)).toBeLessThan(1e-3);
    }
  });

  it('refuses input it cannot model, with a named error', () => {
    expect(() => fitGarch(new Float64Array(2))).toThrow(GarchInputError);
    expect(() => fitGarch(new Float64Array(100))).toThrow(/all returns are zero/);
    expect(() => fitGarch(Float64Array.from([0.01, Number.NaN, -0.01, 0.02]))).toThrow(/return 1 is not finite/);
  });
});

describe('variance forecasts', () => {
  const fit = { omega: 2e-6, alpha: 0.1, beta: 0.85, persistence: 0.95, longRunVariance: 2e-6 / 0.05, lastVariance: 1e-4 };

  it('closed form equals the brute-force recursion s2_{k+1} = omega + (a + b) s2_k', () => {
    const steps = 200;
    const forecasts = forecastVariance(fit, steps);
    let s2 = fit.lastVariance;
    let sum = 0;
    for (let k = 0; k < steps; k++) {
      expect(forecasts[k]! / s2).toBeCloseTo(1, 12);
      sum += s2;
      s2 = fit.omega + (fit.alpha + fit.beta) * s2;
    }
    expect(horizonVariance(fit, steps) / sum).toBeCloseTo(1, 12);
    expect(horizonVariance(fit, 1)).toBeCloseTo(fit.lastVariance, 18);
    expect(horizonVariance(fit, 0)).toBe(0);
  });

  it('decays to the long-run variance from above and from below', () => {
    const high = forecastVariance(fit, 2000);
    expect(high[1]!).toBeLessThan(high[0]!);
    expect(high[1999]! / fit.longRunVariance).toBeCloseTo(1, 10);
    const low = forecastVariance({ ...fit, lastVariance: 1e-6 }, 2000);
    expect(low[1]!).toBeGreaterThan(low[0]!);
    expect(low[1999]! / fit.longRunVariance).toBeCloseTo(1, 10);
  });

  it('is flat for persistence 1 (the EWMA case)', () => {
    const flat = { persistence: 1, longRunVariance: 3e-5, lastVariance: 3e-5 };
    expect(Array.from(forecastVariance(flat, 5))).toEqual([3e-5, 3e-5, 3e-5, 3e-5, 3e-5]);
    expect(horizonVariance(flat, 24)).toBeCloseTo(24 * 3e-5, 18);
  });
});

describe('fitGarchOrEwma', () => {
  const options = { ewmaHalfLifeBars: HALF_LIFE_BARS };

  it('keeps GARCH when the data cluster, with a large likelihood-ratio statistic', () => {
    const fit = fitGarchOrEwma(simulateGarch(8760, SET_A, 6), options);
    expect(fit.model).toBe('garch');
    expect(fit.reason).toBeUndefined();
    expect(fit.clusteringLikelihoodRatio!).toBeGreaterThan(100);
  });

  it('falls back on too few returns, saying so, with the EWMA of volatility.ts', () => {
    const returns = simulateGarch(300, SET_A, 7);
    const fit = fitGarchOrEwma(returns, options);
    expect(fit.model).toBe('ewma-fallback');
    expect(fit.reason).toMatch(/only 300 returns.*at least 500/);
    expect(fit.rejectedGarch).toBeUndefined();
    const lambda = ewmaLambdaFromHalfLife(HALF_LIFE_BARS);
    expect(fit.beta).toBeCloseTo(lambda, 15);
    expect(fit.alpha).toBeCloseTo(1 - lambda, 15);
    expect(fit.omega).toBe(0);
    expect(fit.persistence).toBe(1);
    // Same recursion and seed as ewmaVolatility (annualization 1: per-bar volatility).
    expect(Math.sqrt(fit.lastVariance) / ewmaVolatility(returns, lambda, 1)).toBeCloseTo(1, 12);
    const forecasts = forecastVariance(fit, 48);
    expect(forecasts.every((v) => v === fit.lastVariance)).toBe(true);
    expect(Number.isFinite(fit.nu) && fit.nu > 2).toBe(true);
    expect(fit.standardizedResiduals!.length).toBe(300);
  });

  it('falls back on constant returns (zero variance)', () => {
    const zeros = fitGarchOrEwma(new Float64Array(1000), options);
    expect(zeros.model).toBe('ewma-fallback');
    expect(zeros.reason).toMatch(/zero variance/);
    expect(zeros.lastVariance).toBe(0);
    expect(zeros.standardizedResiduals!.every((z) => z === 0)).toBe(true);
    const drift = fitGarchOrEwma(new Float64Array(1000).fill(0.001), options);
    expect(drift.model).toBe('ewma-fallback');
    expect(drift.reason).toMatch(/all 1000 returns equal 0.001: zero variance/);
  });

  it('falls back on pure i.i.d. noise (alpha at 0 or no significant clustering)', () => {
    let fallbacks = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const fit = fitGarchOrEwma(iidStudentT(8760, 0.01, 5, seed), options);
      if (fit.model === 'ewma-fallback') {
        fallbacks++;
        expect(fit.reason).toMatch(/volatility clustering/);
        expect(fit.rejectedGarch!.alpha).toBeLessThan(0.03);
      }
    }
    // The test has a ~5 % false-positive rate per series by design; these seeds all fall back.
    expect(fallbacks).toBe(6);
  });

  it('falls back when persistence reaches the bound', () => {
    const fit = fitGarchOrEwma(simulateGarch(8760, SET_A, 8), { ...options, maxPersistence: 0.95 });
    expect(fit.model).toBe('ewma-fallback');
    expect(fit.reason).toMatch(/persistence alpha \+ beta = 0\.9\d{3} is at the bound 0\.95: no mean reversion/);
    expect(fit.rejectedGarch!.persistence).toBeGreaterThanOrEqual(0.95);
  });

  it('falls back when the fit does not converge', () => {
    const fit = fitGarchOrEwma(simulateGarch(8760, SET_A, 9), { ...options, maxIterations: 1 });
    expect(fit.model).toBe('ewma-fallback');
    expect(fit.reason).toMatch(/did not converge \(1 optimizer iterations, limit 1\)/);
  });

  it('throws on a non-finite return (bad data is not a model choice)', () => {
    const returns = simulateGarch(600, SET_A, 10);
    returns[42] = Number.NEGATIVE_INFINITY;
    expect(() => fitGarchOrEwma(returns, options)).toThrow(GarchInputError);
  });
});
