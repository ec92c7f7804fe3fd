import { DEFAULT_GARCH_LIMITS, DEFAULT_GARCH_MIN_RETURNS } from '../config/defaults.js';
import { AdvisorError } from '../util/errors.js';
import { clamp } from './statistics.js';
import { ewmaLambdaFromHalfLife } from './volatility.js';

/**
 * GARCH(1,1) with Student-t innovations, fitted by maximum likelihood, and its EWMA fallback.
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
 *
 * Speed (a year of hourly returns must fit in ~1 ms): the likelihood needs ln s2_t and ln(k s2_t + r_t^2)
 * at every bar. Instead of two Math.log per bar we multiply the factors into running products and take
 * the log only when a product leaves [2^-500, 2^500] (checked every 8 bars; a log every ~100 bars on
 * real data). Returns are scaled to unit mean square on the fly, so the factors are O(1) and the
 * products cannot overflow between checks. The inner loops are allocation-free Float64Array loops.
 */

export interface GarchParameters {
  alpha: number;
  beta: number;
  nu: number;
}

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

/** A return series the model cannot be fitted to at all (not a convergence failure: bad input). */
export class GarchInputError extends AdvisorError {
  constructor(message: string, details: Record<string, unknown>) {
    super('GARCH_INPUT', message, details);
  }
}

// ---------------------------------------------------------------------------------------------------
// Special functions

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0]!;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) sum += LANCZOS_COEFFICIENTS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Digamma psi(x) = d/dx ln Gamma(x) for x > 0: recurrence up to x >= 10, then the asymptotic series (~1e-15). */
export function digamma(x: number): number {
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  return (
    result +
    Math.log(x) -
    0.5 / x -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
  );
}

// ---------------------------------------------------------------------------------------------------
// Likelihood kernel

/**
 * Running products are checked once per block of bars and folded into their log when they leave
 * [2^-500, 2^500]. Safe because returns are scaled to unit mean square: then r2_t <= n, s2_t <= n + 2
 * and d_t <= (maxNu - 2)(n + 2) + n, so a block of 8 factors stays below 2^250 for any realistic n,
 * and the product below 2^750 < 2^1023. (Factors far below 1 need persistence within ~1e-12 of 1.)
 */
const PRODUCT_CHECK_BARS = 8;
const PRODUCT_HIGH = 2 ** 500;
const PRODUCT_LOW = 2 ** -500;

/**
 * Log-likelihood of the returns rescaled by r2_t = scale r_t^2, for s2_t = omega + a r2_{t-1} + b s2_{t-1}
 * started at `initialVariance`, without the constant +(n/2) ln(scale) of the rescaling. Squares are
 * formed on the fly: allocating an n-array per fit costs more than the multiplications.
 *
 * With k = nu - 2 and d_t = k s2_t + r2_t, the Student-t log density of r_t is
 *   C(nu) + (nu+1)/2 ln k + (nu/2) ln s2_t - ((nu+1)/2) ln d_t,  C(nu) = lnG((nu+1)/2) - lnG(nu/2) - ln(pi k)/2,
 * so one pass needs only sum ln s2_t and sum ln d_t: each kept as a running product.
 */
function logLikelihoodValue(
  returns: Float64Array,
  scale: number,
  omega: number,
  a: number,
  b: number,
  nu: number,
  initialVariance: number,
): number {
  const n = returns.length;
  const k = nu - 2;
  let s2 = initialVariance;
  let logS2 = 0;
  let logD = 0;
  let prodS2 = 1;
  let prodD = 1;
  for (let t = 0; t < n; ) {
    const blockEnd = Math.min(n, t + PRODUCT_CHECK_BARS);
    for (; t < blockEnd; t++) {
      const r = returns[t]!;
      const r2 = r * r * scale;
      prodS2 *= s2;
      prodD *= k * s2 + r2;
      s2 = omega + a * r2 + b * s2;
    }
    if (prodS2 > PRODUCT_HIGH || prodS2 < PRODUCT_LOW) {
      logS2 += Math.log(prodS2);
      prodS2 = 1;
    }
    if (prodD > PRODUCT_HIGH || prodD < PRODUCT_LOW) {
      logD += Math.log(prodD);
      prodD = 1;
    }
  }
  logS2 += Math.log(prodS2);
  logD += Math.log(prodD);
  return n * (studentTConstant(nu) + 0.5 * (nu + 1) * Math.log(k)) + 0.5 * nu * logS2 - 0.5 * (nu + 1) * logD;
}

/**
 * {@link logLikelihoodValue} in the variance-targeted, unit-mean-square case (omega = 1 - a - b,
 * s2_0 = 1), plus the gradient with respect to (a, b, nu) written into `gradient`. Under targeting
 * ds2_t/da = r2_{t-1} - 1 + b ds2_{t-1}/da and ds2_t/db = s2_{t-1} - 1 + b ds2_{t-1}/db, and
 * dl_t/ds2_t = ((nu+1) r2_t - d_t) / (2 s2_t d_t): one division per bar.
 */
function logLikelihoodWithGradient(
  returns: Float64Array,
  scale: number,
  a: number,
  b: number,
  nu: number,
  gradient: Float64Array,
): number {
  const n = returns.length;
  const k = nu - 2;
  const nu1 = nu + 1;
  const omega = 1 - a - b;
  let s2 = 1;
  let logS2 = 0;
  let logD = 0;
  let prodS2 = 1;
  let prodD = 1;
  let dA = 0; // ds2_t / d alpha
  let dB = 0; // ds2_t / d beta
  let gradA = 0;
  let gradB = 0;
  let sumR2OverD = 0;
  for (let t = 0; t < n; ) {
    const blockEnd = Math.min(n, t + PRODUCT_CHECK_BARS);
    for (; t < blockEnd; t++) {
      const r = returns[t]!;
      const r2 = r * r * scale;
      const d = k * s2 + r2;
      const inv = 1 / (s2 * d);
      const g = 0.5 * (nu1 * r2 - d) * inv;
      gradA += g * dA;
      gradB += g * dB;
      sumR2OverD += r2 * s2 * inv;
      prodS2 *= s2;
      prodD *= d;
      dA = r2 - 1 + b * dA;
      dB = s2 - 1 + b * dB;
      s2 = omega + a * r2 + b * s2;
    }
    if (prodS2 > PRODUCT_HIGH || prodS2 < PRODUCT_LOW) {
      logS2 += Math.log(prodS2);
      prodS2 = 1;
    }
    if (prodD > PRODUCT_HIGH || prodD < PRODUCT_LOW) {
      logD += Math.log(prodD);
      prodD = 1;
    }
  }
  logS2 += Math.log(prodS2);
  logD += Math.log(prodD);
  // d/dnu of n [C + (nu+1)/2 ln k] + (1/2) sum ln s2 - (1/2) sum ln d - ((nu+1)/2) sum s2/d,
  // where sum s2/d = (n - sum r2/d) / k.
  const dC = 0.5 * digamma(nu1 / 2) - 0.5 * digamma(nu / 2) - 0.5 / k;
  gradient[0] = gradA;
  gradient[1] = gradB;
  gradient[2] = n * (dC + 0.5 * Math.log(k) + nu1 / (2 * k)) + 0.5 * (logS2 - logD) - (nu1 / (2 * k)) * (n - sumR2OverD);
  return n * (studentTConstant(nu) + 0.5 * nu1 * Math.log(k)) + 0.5 * nu * logS2 - 0.5 * nu1 * logD;
}

function studentTConstant(nu: number): number {
  return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(Math.PI * (nu - 2));
}

/** Fewest returns fitGarch accepts at all (three parameters); {@link GarchOrEwmaOptions.minReturns} is the sensible floor. */
const MIN_FIT_RETURNS = 3;

/** Checks the returns and gives their mean square (the zero-mean sample variance). */
function meanSquareOf(returns: Float64Array): number {
  const n = returns.length;
  if (n < MIN_FIT_RETURNS) throw new GarchInputError(`GARCH needs at least ${MIN_FIT_RETURNS} returns, got ${n}`, { returns: n });
  let meanSquare = 0;
  for (let t = 0; t < n; t++) {
    const r = returns[t]!;
    if (!Number.isFinite(r)) throw new GarchInputError(`return ${t} is not finite (${r})`, { index: t, value: r });
    meanSquare += r * r;
  }
  meanSquare /= n;
  if (!(meanSquare > 0)) throw new GarchInputError('all returns are zero: no variance to model', { returns: n });
  return meanSquare;
}

/**
 * Log-likelihood of `returns` under the variance-targeted GARCH(1,1)-t used by {@link fitGarch}
 * (omega = mean square x (1 - alpha - beta), s2_0 = mean square). `gradient`, when given, receives the
 * derivatives with respect to (alpha, beta, nu). For tests and diagnostics.
 */
export function garchLogLikelihood(returns: Float64Array, params: GarchParameters, gradient?: Float64Array): number {
  const meanSquare = meanSquareOf(returns);
  const { alpha, beta, nu } = params;
  const ll = gradient
    ? logLikelihoodWithGradient(returns, 1 / meanSquare, alpha, beta, nu, gradient)
    : logLikelihoodValue(returns, 1 / meanSquare, 1 - alpha - beta, alpha, beta, nu, 1);
  // Rescaling r -> r / sqrt(v) multiplies every density by sqrt(v); the gradient is unchanged.
  return ll - 0.5 * returns.length * Math.log(meanSquare);
}

// ---------------------------------------------------------------------------------------------------
// Fit

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

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

/** BFGS line search: Armijo sufficient decrease, halving the step. */
const ARMIJO_C1 = 1e-4;
const MAX_BACKTRACKS = 40;
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
  const result = minimizeBfgs(objective, startTheta, startInverseHessian, maxIterations, gradientTolerance);
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

interface MinimizeResult {
  theta: Float64Array;
  value: number;
  iterations: number;
  converged: boolean;
  inverseHessian?: Float64Array;
}

/**
 * BFGS on a 3-dimensional smooth objective. Without a usable `initialInverseHessian` the first step is a
 * short steepest-descent step and the inverse Hessian is then seeded with (s'y / y'y) I, as in
 * Nocedal & Wright (6.20).
 */
function minimizeBfgs(
  objective: (theta: Float64Array, gradient: Float64Array) => number,
  start: Float64Array,
  initialInverseHessian: ArrayLike<number> | undefined,
  maxIterations: number,
  gradientTolerance: number,
): MinimizeResult {
  const dim = 3;
  let x = Float64Array.from(start);
  let g = new Float64Array(dim);
  let f = objective(x, g);
  let xNew = new Float64Array(dim);
  let gNew = new Float64Array(dim);
  const direction = new Float64Array(dim);
  const s = new Float64Array(dim);
  const y = new Float64Array(dim);
  const hy = new Float64Array(dim);
  const H = new Float64Array(dim * dim); // inverse Hessian, row-major
  let hessianSeeded = false;
  if (initialInverseHessian && initialInverseHessian.length === dim * dim) {
    H.set(initialInverseHessian);
    hessianSeeded = H.every(Number.isFinite);
  }
  let iterations = 0;
  let converged = false;
  if (!Number.isFinite(f)) return { theta: x, value: f, iterations, converged };

  for (; iterations < maxIterations; ) {
    if (maxAbs(g) < gradientTolerance) {
      converged = true;
      break;
    }
    if (hessianSeeded) {
      for (let i = 0; i < dim; i++) {
        let sum = 0;
        for (let j = 0; j < dim; j++) sum -= H[i * dim + j]! * g[j]!;
        direction[i] = sum;
      }
    }
    let slope = dot(direction, g);
    if (!hessianSeeded || !(slope < 0)) {
      // Steepest descent, scaled to a modest first step; also the reset when H lost positive-definiteness.
      const norm = Math.sqrt(dot(g, g));
      for (let i = 0; i < dim; i++) direction[i] = (-g[i]! / norm) * 0.1;
      hessianSeeded = false;
      slope = dot(direction, g);
    }
    const length = Math.sqrt(dot(direction, direction));
    if (length > MAX_STEP_THETA) {
      for (let i = 0; i < dim; i++) direction[i] = (direction[i]! * MAX_STEP_THETA) / length;
      slope = dot(direction, g);
    }

    let step = 1;
    let fNew = Number.POSITIVE_INFINITY;
    let accepted = false;
    for (let backtrack = 0; backtrack < MAX_BACKTRACKS; backtrack++) {
      for (let i = 0; i < dim; i++) xNew[i] = x[i]! + step * direction[i]!;
      fNew = objective(xNew, gNew);
      if (fNew <= f + ARMIJO_C1 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    iterations++;
    if (!accepted) break; // no decrease along a descent direction: at the optimum to rounding, or stuck

    for (let i = 0; i < dim; i++) {
      s[i] = xNew[i]! - x[i]!;
      y[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-16) {
      if (!hessianSeeded) {
        H.fill(0);
        const scale = sy / dot(y, y);
        for (let i = 0; i < dim; i++) H[i * dim + i] = scale;
        hessianSeeded = true;
      }
      // H <- (I - rho s y') H (I - rho y s') + rho s s'
      const rho = 1 / sy;
      for (let i = 0; i < dim; i++) {
        let sum = 0;
        for (let j = 0; j < dim; j++) sum += H[i * dim + j]! * y[j]!;
        hy[i] = sum;
      }
      const yHy = dot(y, hy);
      for (let i = 0; i < dim; i++) {
        for (let j = 0; j < dim; j++) {
          H[i * dim + j] = H[i * dim + j]! - rho * (hy[i]! * s[j]! + s[i]! * hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
        }
      }
    }
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
  }
  if (!converged && maxAbs(g) < gradientTolerance) converged = true;
  return hessianSeeded
    ? { theta: x, value: f, iterations, converged, inverseHessian: H }
    : { theta: x, value: f, iterations, converged };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
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
    if (!Number.isFinite(r)) throw new GarchInputError(`return ${t} is not finite (${r})`, { index: t, value: r });
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
  let seed = 0;
  for (let t = 0; t < seedCount; t++) seed += returns[t]! * returns[t]!;
  seed = seedCount > 0 ? seed / seedCount : Number.NaN;

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

const GOLDEN = (Math.sqrt(5) - 1) / 2;

function goldenSectionMax(f: (x: number) => number, lo: number, hi: number, tolerance: number): { x: number; value: number } {
  let a = lo;
  let b = hi;
  let c = b - GOLDEN * (b - a);
  let d = a + GOLDEN * (b - a);
  let fc = f(c);
  let fd = f(d);
  while (b - a > tolerance) {
    // NaN compares false: a non-finite side is treated as the worse one.
    if (fc > fd || Number.isNaN(fd)) {
      b = d;
      d = c;
      fd = fc;
      c = b - GOLDEN * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + GOLDEN * (b - a);
      fd = f(d);
    }
  }
  return fc > fd ? { x: c, value: fc } : { x: d, value: fd };
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
    const seed = Math.min(seedBars, n);
    variance = 0;
    for (let i = 0; i < seed; i++) variance += returns[i]! * returns[i]!;
    variance /= seed;
  }
  for (let t = 0; t < n; t++) {
    sigmas[t] = Math.sqrt(variance);
    const r = returns[t]!;
    variance = fit.omega + fit.alpha * r * r + fit.beta * variance;
  }
  return sigmas;
}
