import { minimizeBfgs } from '../numerics/optimize.js';
import { logistic, logit } from '../numerics/special-functions.js';
import { clamp } from '../numerics/statistics.js';
import { logLikelihoodWithGradient, meanSquareOf, type GarchParameters } from './garch-likelihood.js';

/**
 * GARCH(1,1) with Student-t innovations, fitted by maximum likelihood (likelihood: garch-likelihood.ts;
 * the EWMA fallback and the forecasts: garch.ts).
 *
 *   r_t = s_t z_t,   z_t ~ Student-t(nu) scaled to unit variance,
 *   s2_t = omega + alpha r_{t-1}^2 + beta s2_{t-1}.
 *
 * Zero-mean model: the mean of hourly crypto log returns (a few bp per bar at most) is negligible
 * next to their standard deviation (tens of bp), and estimating it costs more in noise than it saves.
 *
 * Variance targeting: omega = v (1 - alpha - beta) with v the mean square of the returns (zero-mean
 * "sample variance"), so the search is over (alpha, beta, nu) only. The recursion starts at s2_0 = v.
 *
 * Search space (unconstrained theta, so every point is a valid model):
 *   persistence p = alpha + beta = logistic(theta0)             in (0, 1)
 *   alpha share  s = alpha / p    = logistic(theta1)             in (0, 1): alpha = p s, beta = p (1 - s)
 *   nu = minNu + (maxNu - minNu) logistic(theta2)                in (minNu, maxNu)
 * Optimizer: BFGS with the analytic gradient and a backtracking (Armijo) line search. The likelihood is
 * smooth in theta, so this needs ~10-25 evaluations where Nelder-Mead needs ~100-200.
 */

export interface GarchFitOptions {
  /**
   * Starting point. Pass the previous fit of the same asset (warm start): its parameters and, when
   * present, its `inverseHessian` seed the search, which then converges in a few evaluations.
   * Default {@link DEFAULT_GARCH_START} with no curvature information.
   */
  start?: GarchParameters & { inverseHessian?: ArrayLike<number> };
  /** BFGS iterations before giving up (converged = false). Default 50 (a fit takes 7-25; each costs one likelihood pass). */
  maxIterations?: number;
  /**
   * Convergence: largest |gradient| of the mean negative log-likelihood per bar, in the transformed
   * coordinates. Default 1e-5: the remaining error on theta is then ~1e-5 / curvature, about a tenth of
   * a standard error or less on a year of hourly returns.
   */
  gradientTolerance?: number;
  /** Lower bound of nu, the Student-t degrees of freedom (must be > 2 for a finite variance). Default 2.05. */
  minNu?: number;
  /** Upper bound of nu: beyond ~100 the Student-t is indistinguishable from a normal law. Default 200. */
  maxNu?: number;
  /** Compute the standardized residuals r_t / s_t in the final pass. Default true. */
  includeResiduals?: boolean;
}

export interface GarchFit {
  converged: boolean;
  omega: number;
  alpha: number;
  beta: number;
  nu: number;
  /** alpha + beta. */
  persistence: number;
  /** omega / (1 - alpha - beta): the unconditional variance per bar. */
  longRunVariance: number;
  /** Total log-likelihood of the returns at the fitted parameters (Student-t density, natural log). */
  logLikelihood: number;
  /** Optimizer iterations (BFGS steps). */
  iterations: number;
  /** Likelihood evaluations (each one pass over the returns). */
  evaluations: number;
  /** s2_{T+1}: the variance forecast for the next bar (one-step ahead), per bar. */
  lastVariance: number;
  /** z_t = r_t / s_t, the input of filtered historical simulation. */
  standardizedResiduals?: Float64Array;
  /**
   * The optimizer's final inverse-Hessian estimate (3 x 3, row-major) of the mean negative
   * log-likelihood in its internal coordinates: opaque, for warm-starting the next fit.
   */
  inverseHessian?: Float64Array;
}

export const DEFAULT_GARCH_START: Readonly<GarchParameters> = { alpha: 0.05, beta: 0.9, nu: 5 };
export const DEFAULT_GARCH_FIT_OPTIONS = {
  maxIterations: 50,
  gradientTolerance: 1e-5,
  minNu: 2.05,
  maxNu: 200,
} as const;

/**
 * A start is moved into this box of (persistence, alpha share, nu position in its bounds) first. Near
 * the edges the logistic maps are flat: the gradient vanishes and the search would report convergence
 * where it started (e.g. warm-started from an EWMA fallback, persistence 1).
 */
const START_BOX = { minPersistence: 0.05, maxPersistence: 0.995, minShare: 0.01, maxShare: 0.99, minNuUnit: 0.001, maxNuUnit: 0.99 };

interface Bounds {
  minNu: number;
  maxNu: number;
}

function toParameters(theta: ArrayLike<number>, bounds: Bounds): GarchParameters & { persistence: number; share: number; nuUnit: number } {
  const persistence = logistic(theta[0]!);
  const share = logistic(theta[1]!);
  const nuUnit = logistic(theta[2]!);
  return {
    alpha: persistence * share,
    beta: persistence * (1 - share),
    nu: bounds.minNu + (bounds.maxNu - bounds.minNu) * nuUnit,
    persistence,
    share,
    nuUnit,
  };
}

/** The start in search coordinates, and whether it had to be moved into {@link START_BOX}. */
function toTheta(start: GarchParameters, bounds: Bounds): { theta: Float64Array; moved: boolean } {
  const persistence = start.alpha + start.beta;
  const share = start.alpha / persistence;
  const nuUnit = (start.nu - bounds.minNu) / (bounds.maxNu - bounds.minNu);
  const p = clamp(persistence, START_BOX.minPersistence, START_BOX.maxPersistence);
  const s = clamp(share, START_BOX.minShare, START_BOX.maxShare);
  const u = clamp(nuUnit, START_BOX.minNuUnit, START_BOX.maxNuUnit);
  // NaN (e.g. nu NaN from a degenerate EWMA) fails every comparison in clamp: use the default instead.
  const fallback = (x: number, d: number) => (Number.isFinite(x) ? x : d);
  const d = toDefaultUnits(bounds);
  const theta = Float64Array.of(logit(fallback(p, d.persistence)), logit(fallback(s, d.share)), logit(fallback(u, d.nuUnit)));
  return { theta, moved: p !== persistence || s !== share || u !== nuUnit };
}

function toDefaultUnits(bounds: Bounds): { persistence: number; share: number; nuUnit: number } {
  const persistence = DEFAULT_GARCH_START.alpha + DEFAULT_GARCH_START.beta;
  return {
    persistence,
    share: DEFAULT_GARCH_START.alpha / persistence,
    nuUnit: (DEFAULT_GARCH_START.nu - bounds.minNu) / (bounds.maxNu - bounds.minNu),
  };
}

/** Largest step in theta per iteration: logistic coordinates saturate, a huge step lands on a plateau. */
const MAX_STEP_THETA = 2;

/**
 * Fits GARCH(1,1)-t by maximum likelihood (see the module comment for the model, the parametrization
 * and the optimizer). Throws {@link GarchInputError} for fewer than 3 returns, a non-finite return or
 * all-zero returns; a fit that fails to converge comes back with converged = false.
 */
export function fitGarch(returns: Float64Array, options: GarchFitOptions = {}): GarchFit {
  const maxIterations = options.maxIterations ?? DEFAULT_GARCH_FIT_OPTIONS.maxIterations;
  const gradientTolerance = options.gradientTolerance ?? DEFAULT_GARCH_FIT_OPTIONS.gradientTolerance;
  const bounds: Bounds = {
    minNu: options.minNu ?? DEFAULT_GARCH_FIT_OPTIONS.minNu,
    maxNu: options.maxNu ?? DEFAULT_GARCH_FIT_OPTIONS.maxNu,
  };
  const meanSquare = meanSquareOf(returns);
  const scale = 1 / meanSquare;
  const n = returns.length;

  const kernelGradient = new Float64Array(3);
  let evaluations = 0;
  /** f(theta) = -loglik / n (normalized units) and its gradient in theta. */
  const objective = (theta: Float64Array, gradientOut: Float64Array): number => {
    evaluations++;
    const p = toParameters(theta, bounds);
    const ll = logLikelihoodWithGradient(returns, scale, p.alpha, p.beta, p.nu, kernelGradient);
    if (!Number.isFinite(ll)) return Number.POSITIVE_INFINITY;
    const [gA, gB, gNu] = kernelGradient as unknown as [number, number, number];
    const dPersistence = p.persistence * (1 - p.persistence);
    const dShare = p.share * (1 - p.share);
    gradientOut[0] = (-(gA * p.share + gB * (1 - p.share)) * dPersistence) / n;
    gradientOut[1] = (-(gA - gB) * p.persistence * dShare) / n;
    gradientOut[2] = (-gNu * (bounds.maxNu - bounds.minNu) * p.nuUnit * (1 - p.nuUnit)) / n;
    return -ll / n;
  };

  const start: NonNullable<GarchFitOptions['start']> = options.start ?? DEFAULT_GARCH_START;
  const { theta: startTheta, moved } = toTheta(start, bounds);
  // Curvature measured elsewhere than where we start would mislead the first steps.
  const startInverseHessian = moved ? undefined : start.inverseHessian;
  const result = minimizeBfgs(objective, startTheta, {
    initialInverseHessian: startInverseHessian,
    maxIterations,
    gradientTolerance,
    maxStepLength: MAX_STEP_THETA,
  });
  const p = toParameters(result.theta, bounds);
  const omegaNormalized = 1 - p.persistence;
  const final = finalPass(returns, meanSquare, omegaNormalized, p.alpha, p.beta, options.includeResiduals ?? true);
  const fit: GarchFit = {
    converged: result.converged && Number.isFinite(result.value),
    omega: omegaNormalized * meanSquare,
    alpha: p.alpha,
    beta: p.beta,
    nu: p.nu,
    persistence: p.persistence,
    longRunVariance: meanSquare,
    logLikelihood: -result.value * n - 0.5 * n * Math.log(meanSquare),
    iterations: result.iterations,
    evaluations,
    lastVariance: final.lastVariance,
  };
  if (final.residuals) fit.standardizedResiduals = final.residuals;
  if (result.inverseHessian) fit.inverseHessian = result.inverseHessian;
  return fit;
}

/** One pass at the final parameters: the next-bar variance and the standardized residuals. */
function finalPass(
  returns: Float64Array,
  meanSquare: number,
  omega: number,
  a: number,
  b: number,
  includeResiduals: boolean,
): { lastVariance: number; residuals?: Float64Array } {
  const n = returns.length;
  const residuals = includeResiduals ? new Float64Array(n) : undefined;
  const scale = 1 / meanSquare;
  let s2 = 1;
  for (let t = 0; t < n; t++) {
    const r = returns[t]!;
    if (residuals) residuals[t] = r / Math.sqrt(s2 * meanSquare);
    s2 = omega + a * r * r * scale + b * s2;
  }
  return residuals ? { lastVariance: s2 * meanSquare, residuals } : { lastVariance: s2 * meanSquare };
}
