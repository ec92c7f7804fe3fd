import { DEFAULT_GARCH_LIMITS, DEFAULT_GARCH_MIN_RETURNS } from '../config/defaults.js';
import { goldenSectionMax } from '../numerics/optimize.js';
import { meanOfSquares } from '../numerics/statistics.js';
import { DEFAULT_GARCH_FIT_OPTIONS, fitGarch, type GarchFit, type GarchFitOptions } from './garch-fit.js';
import { assertFiniteReturn, logLikelihoodValue, MIN_FIT_RETURNS } from './garch-likelihood.js';
import { ewmaLambdaFromHalfLife } from './volatility.js';

/**
 * The engine's volatility model: GARCH(1,1)-t (garch-fit.ts) when the data support it, else its EWMA
 * special case; variance forecasts and per-bar conditional sigmas from either.
 */

// ---------------------------------------------------------------------------------------------------
// GARCH with an EWMA fallback

export interface GarchOrEwmaOptions extends GarchFitOptions {
  /** Half-life of the fallback EWMA in bars (lambda = 0.5^(1/halfLife)); e.g. 11.2 days x 24 on hourly bars. */
  ewmaHalfLifeBars: number;
  /** Fewer returns than this: EWMA (a GARCH fit on little data is noise). Default 500. */
  minReturns?: number;
  /** Persistence at or above this: the fit is at the integrated (IGARCH) bound: EWMA. Default 0.999. */
  maxPersistence?: number;
  /** alpha below this: the fit is at the no-ARCH bound, beta is then meaningless: EWMA. Default 0.005. */
  minAlpha?: number;
  /**
   * Smallest likelihood-ratio statistic 2 (l_GARCH - l_constant) for which volatility clustering counts
   * as real. Default 6 (about the 5 % point of a chi-square with 2 degrees of freedom). The constant-
   * variance likelihood is taken at the GARCH nu, so the statistic is an upper bound on the exact one,
   * tight when the GARCH is nearly flat, which is exactly when the test decides.
   */
  minLikelihoodRatio?: number;
  /** The EWMA starts from the mean square of this many first returns (as in volatility.ts). Default 30. */
  ewmaSeedBars?: number;
}

/** Defaults for calls without a config: policy.garch and policy.garchMinReturns (shared/config/defaults.ts). */
export const DEFAULT_GARCH_OR_EWMA_OPTIONS = {
  minReturns: DEFAULT_GARCH_MIN_RETURNS,
  ...DEFAULT_GARCH_LIMITS,
} as const;

export type GarchOrEwmaFit = GarchFit & {
  model: 'garch' | 'ewma-fallback';
  /** Why the GARCH fit was not used, for a human (only for 'ewma-fallback'). */
  reason?: string;
  /** The GARCH fit that was rejected, when one was attempted (diagnostics). */
  rejectedGarch?: GarchFit;
  /** 2 (l_GARCH - l_constant variance); see {@link GarchOrEwmaOptions.minLikelihoodRatio}. */
  clusteringLikelihoodRatio?: number;
};

/**
 * GARCH(1,1)-t when the data support it, else EWMA with the reason. Same shape either way: the EWMA is
 * the IGARCH special case omega = 0, alpha = 1 - lambda, beta = lambda, persistence 1, so
 * {@link forecastVariance} gives flat forecasts. For the EWMA, longRunVariance is the current level
 * (no mean reversion), nu is the Student-t fitted to its standardized returns (NaN, like logLikelihood,
 * when the returns are all zero), converged is true and iterations 0. With no returns at all every
 * variance is NaN.
 * Throws {@link GarchInputError} on a non-finite return: that is bad data, not a model choice.
 */
export function fitGarchOrEwma(returns: Float64Array, options: GarchOrEwmaOptions): GarchOrEwmaFit {
  const minReturns = options.minReturns ?? DEFAULT_GARCH_OR_EWMA_OPTIONS.minReturns;
  const maxPersistence = options.maxPersistence ?? DEFAULT_GARCH_OR_EWMA_OPTIONS.maxPersistence;
  const minAlpha = options.minAlpha ?? DEFAULT_GARCH_OR_EWMA_OPTIONS.minAlpha;
  const minLikelihoodRatio = options.minLikelihoodRatio ?? DEFAULT_GARCH_OR_EWMA_OPTIONS.minLikelihoodRatio;
  const n = returns.length;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < n; t++) {
    const r = returns[t]!;
    assertFiniteReturn(r, t);
    if (r < min) min = r;
    if (r > max) max = r;
  }
  if (n < Math.max(minReturns, MIN_FIT_RETURNS)) return ewmaFallback(returns, options, `only ${n} returns, GARCH needs at least ${minReturns}`);
  if (min === max) return ewmaFallback(returns, options, `all ${n} returns equal ${min}: zero variance, nothing to fit`);

  const garch = fitGarch(returns, options);
  const finite = [garch.omega, garch.alpha, garch.beta, garch.nu, garch.logLikelihood, garch.lastVariance].every(Number.isFinite);
  const fmt = (x: number) => x.toPrecision(3);
  const maxIterations = options.maxIterations ?? DEFAULT_GARCH_FIT_OPTIONS.maxIterations;
  if (!finite) return ewmaFallback(returns, options, 'GARCH fit gave non-finite values', garch);
  if (!garch.converged) {
    return ewmaFallback(returns, options, `GARCH fit did not converge (${garch.iterations} optimizer iterations, limit ${maxIterations})`, garch);
  }
  if (garch.persistence >= maxPersistence) {
    return ewmaFallback(
      returns,
      options,
      `GARCH persistence alpha + beta = ${garch.persistence.toFixed(4)} is at the bound ${maxPersistence}: no mean reversion to estimate`,
      garch,
    );
  }
  // Likelihood-ratio statistic against constant variance (alpha = beta = 0, omega = mean square).
  const meanSquare = garch.longRunVariance;
  const constantLogLikelihood =
    logLikelihoodValue(returns, 1 / meanSquare, 1, 0, 0, garch.nu, 1) - 0.5 * n * Math.log(meanSquare);
  const ratio = 2 * (garch.logLikelihood - constantLogLikelihood);
  if (garch.alpha < minAlpha || !(ratio >= minLikelihoodRatio)) {
    const why =
      garch.alpha < minAlpha
        ? `GARCH alpha = ${fmt(garch.alpha)} is below ${minAlpha}`
        : `likelihood-ratio statistic ${fmt(ratio)} of GARCH against constant variance is below ${minLikelihoodRatio}`;
    return {
      ...ewmaFallback(returns, options, `no significant volatility clustering: ${why} (beta is then not identified)`, garch),
      clusteringLikelihoodRatio: ratio,
    };
  }
  return { ...garch, model: 'garch', clusteringLikelihoodRatio: ratio };
}

/** The EWMA's nu is searched over ln(nu - minNu) in [ln(NU_SEARCH_MIN_EXCESS), ln(maxNu - minNu)] to this width. */
const NU_SEARCH_MIN_EXCESS = 0.01;
const NU_SEARCH_TOLERANCE = 1e-3;

function ewmaFallback(returns: Float64Array, options: GarchOrEwmaOptions, reason: string, rejected?: GarchFit): GarchOrEwmaFit {
  const lambda = ewmaLambdaFromHalfLife(options.ewmaHalfLifeBars);
  const seedBars = options.ewmaSeedBars ?? DEFAULT_GARCH_OR_EWMA_OPTIONS.ewmaSeedBars;
  const minNu = options.minNu ?? DEFAULT_GARCH_FIT_OPTIONS.minNu;
  const maxNu = options.maxNu ?? DEFAULT_GARCH_FIT_OPTIONS.maxNu;
  const n = returns.length;
  const seedCount = Math.min(seedBars, n);
  const seed = seedCount > 0 ? meanOfSquares(returns, 0, seedCount) : Number.NaN;

  const residuals = options.includeResiduals === false ? undefined : new Float64Array(n);
  let s2 = seed;
  let meanSquare = 0;
  for (let t = 0; t < n; t++) {
    const r = returns[t]!;
    if (residuals) residuals[t] = s2 > 0 ? r / Math.sqrt(s2) : 0;
    meanSquare += r * r;
    s2 = lambda * s2 + (1 - lambda) * r * r;
  }
  meanSquare /= n;

  // nu: the Student-t that best fits the returns given the EWMA variances (golden section on ln(nu - minNu)).
  let nu = Number.NaN;
  let logLikelihood = Number.NaN;
  let evaluations = 0;
  if (meanSquare > 0 && seed > 0) {
    const scale = 1 / meanSquare;
    const at = (x: number) => {
      evaluations++;
      return logLikelihoodValue(returns, scale, 0, 1 - lambda, lambda, minNu + Math.exp(x), seed * scale);
    };
    const best = goldenSectionMax(at, Math.log(NU_SEARCH_MIN_EXCESS), Math.log(maxNu - minNu), NU_SEARCH_TOLERANCE);
    if (Number.isFinite(best.value)) {
      nu = minNu + Math.exp(best.x);
      logLikelihood = best.value - 0.5 * n * Math.log(meanSquare);
    }
  }
  const fit: GarchOrEwmaFit = {
    model: 'ewma-fallback',
    reason,
    converged: true,
    omega: 0,
    alpha: 1 - lambda,
    beta: lambda,
    nu,
    persistence: 1,
    longRunVariance: s2,
    logLikelihood,
    iterations: 0,
    evaluations,
    lastVariance: s2,
  };
  if (residuals) fit.standardizedResiduals = residuals;
  if (rejected) fit.rejectedGarch = rejected;
  return fit;
}

// ---------------------------------------------------------------------------------------------------
// Forecasts

/** Variance forecasts s2_{T+k}, k = 1..steps: longRun + p^(k-1) (s2_{T+1} - longRun), per bar. */
export function forecastVariance(fit: Pick<GarchFit, 'persistence' | 'longRunVariance' | 'lastVariance'>, steps: number): Float64Array {
  const out = new Float64Array(Math.max(0, steps));
  const gap = fit.lastVariance - fit.longRunVariance;
  let decay = 1;
  for (let k = 0; k < out.length; k++) {
    out[k] = fit.longRunVariance + decay * gap;
    decay *= fit.persistence;
  }
  return out;
}

/**
 * Variance of the sum of the next `steps` returns (the h-bar log return): the sum of the k-step
 * forecasts, since zero-mean GARCH returns are uncorrelated. Closed form of the geometric sum.
 */
export function horizonVariance(fit: Pick<GarchFit, 'persistence' | 'longRunVariance' | 'lastVariance'>, steps: number): number {
  if (steps <= 0) return 0;
  const p = fit.persistence;
  const geometric = p === 1 ? steps : (1 - Math.pow(p, steps)) / (1 - p);
  return steps * fit.longRunVariance + geometric * (fit.lastVariance - fit.longRunVariance);
}

// ---------------------------------------------------------------------------------------------------
// Conditional sigmas for filtered historical simulation

/**
 * The per-bar conditional sigma s_t of every return, aligned with `returns` (s_t is known before r_t):
 * s2_t = omega + alpha r_{t-1}^2 + beta s2_{t-1}, started at the long-run variance for GARCH and at the
 * mean square of the first `seedBars` returns for the EWMA fallback (omega 0), as the fits do.
 */
export function conditionalSigmas(
  returns: Float64Array,
  fit: Pick<GarchOrEwmaFit, 'model' | 'omega' | 'alpha' | 'beta' | 'longRunVariance'>,
  seedBars: number = DEFAULT_GARCH_LIMITS.ewmaSeedBars,
): Float64Array {
  const n = returns.length;
  const sigmas = new Float64Array(n);
  if (n === 0) return sigmas;
  let variance = fit.longRunVariance;
  if (fit.model !== 'garch' || !(variance > 0)) {
    variance = meanOfSquares(returns, 0, Math.min(seedBars, n));
  }
  for (let t = 0; t < n; t++) {
    sigmas[t] = Math.sqrt(variance);
    const r = returns[t]!;
    variance = fit.omega + fit.alpha * r * r + fit.beta * variance;
  }
  return sigmas;
}
