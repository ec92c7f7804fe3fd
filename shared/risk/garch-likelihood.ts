import { digamma, logGamma } from '../numerics/special-functions.js';
import { AdvisorError } from '../util/errors.js';

/**
 * The likelihood of GARCH(1,1) with Student-t innovations (the model: garch-fit.ts):
 *   r_t = s_t z_t,   z_t ~ Student-t(nu) scaled to unit variance,
 *   s2_t = omega + alpha r_{t-1}^2 + beta s2_{t-1}.
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

/** A return series the model cannot be fitted to at all (not a convergence failure: bad input). */
export class GarchInputError extends AdvisorError {
  constructor(message: string, details: Record<string, unknown>) {
    super('GARCH_INPUT', message, details);
  }
}

/**
 * Running products are checked once per block of bars and folded into their log when they leave
 * [2^-500, 2^500]. Safe because returns are scaled to unit mean square: then r2_t <= n, s2_t <= n + 2
 * and d_t <= (maxNu - 2)(n + 2) + n, so a block of 8 factors stays below 2^250 for any realistic n,
 * and the product below 2^750 < 2^1023. (Factors far below 1 need persistence within ~1e-12 of 1.)
 */
const PRODUCT_CHECK_BARS = 8;
const PRODUCT_HIGH = 2 ** 500;
const PRODUCT_LOW = 2 ** -500;

/** The log of a product of positive factors, kept as a running product (see PRODUCT_CHECK_BARS). */
class LogOfProduct {
  private product = 1;
  private logSum = 0;

  multiply(factor: number): void {
    this.product *= factor;
  }

  /** Once per block of PRODUCT_CHECK_BARS factors: folds the product into the log when it leaves range. */
  foldIfOutside(): void {
    if (this.product > PRODUCT_HIGH || this.product < PRODUCT_LOW) {
      this.logSum += Math.log(this.product);
      this.product = 1;
    }
  }

  value(): number {
    return this.logSum + Math.log(this.product);
  }
}

/**
 * Log-likelihood of the returns rescaled by r2_t = scale r_t^2, for s2_t = omega + a r2_{t-1} + b s2_{t-1}
 * started at `initialVariance`, without the constant +(n/2) ln(scale) of the rescaling. Squares are
 * formed on the fly: allocating an n-array per fit costs more than the multiplications.
 *
 * With k = nu - 2 and d_t = k s2_t + r2_t, the Student-t log density of r_t is
 *   C(nu) + (nu+1)/2 ln k + (nu/2) ln s2_t - ((nu+1)/2) ln d_t,  C(nu) = lnG((nu+1)/2) - lnG(nu/2) - ln(pi k)/2,
 * so one pass needs only sum ln s2_t and sum ln d_t: each kept as a running product.
 */
export function logLikelihoodValue(
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
  const sumLogS2 = new LogOfProduct();
  const sumLogD = new LogOfProduct();
  for (let t = 0; t < n; ) {
    const blockEnd = Math.min(n, t + PRODUCT_CHECK_BARS);
    for (; t < blockEnd; t++) {
      const r = returns[t]!;
      const r2 = r * r * scale;
      sumLogS2.multiply(s2);
      sumLogD.multiply(k * s2 + r2);
      s2 = omega + a * r2 + b * s2;
    }
    sumLogS2.foldIfOutside();
    sumLogD.foldIfOutside();
  }
  return n * (studentTConstant(nu) + 0.5 * (nu + 1) * Math.log(k)) + 0.5 * nu * sumLogS2.value() - 0.5 * (nu + 1) * sumLogD.value();
}

/**
 * {@link logLikelihoodValue} in the variance-targeted, unit-mean-square case (omega = 1 - a - b,
 * s2_0 = 1), plus the gradient with respect to (a, b, nu) written into `gradient`. Under targeting
 * ds2_t/da = r2_{t-1} - 1 + b ds2_{t-1}/da and ds2_t/db = s2_{t-1} - 1 + b ds2_{t-1}/db, and
 * dl_t/ds2_t = ((nu+1) r2_t - d_t) / (2 s2_t d_t): one division per bar.
 */
export function logLikelihoodWithGradient(
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
  const sumLogS2 = new LogOfProduct();
  const sumLogD = new LogOfProduct();
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
      sumLogS2.multiply(s2);
      sumLogD.multiply(d);
      dA = r2 - 1 + b * dA;
      dB = s2 - 1 + b * dB;
      s2 = omega + a * r2 + b * s2;
    }
    sumLogS2.foldIfOutside();
    sumLogD.foldIfOutside();
  }
  const logS2 = sumLogS2.value();
  const logD = sumLogD.value();
  // d/dnu of n [C + (nu+1)/2 ln k] + (1/2) sum ln s2 - (1/2) sum ln d - ((nu+1)/2) sum s2/d,
  // where sum s2/d = (n - sum r2/d) / k.
  const dC = 0.5 * digamma(nu1 / 2) - 0.5 * digamma(nu / 2) - 0.5 / k;
  gradient[0] = gradA;
  gradient[1] = gradB;
  gradient[2] = n * (dC + 0.5 * Math.log(k) + nu1 / (2 * k)) + 0.5 * (logS2 - logD) - (nu1 / (2 * k)) * (n - sumR2OverD);
  return n * (studentTConstant(nu) + 0.5 * nu1 * Math.log(k)) + 0.5 * nu * logS2 - 0.5 * nu1 * logD;
}

/** ln of the normalizer of the unit-variance Student-t density: lnG((nu+1)/2) - lnG(nu/2) - ln(pi (nu-2))/2. */
function studentTConstant(nu: number): number {
  return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(Math.PI * (nu - 2));
}

/** Fewest returns fitGarch accepts at all (three parameters); GarchOrEwmaOptions.minReturns is the sensible floor. */
export const MIN_FIT_RETURNS = 3;

/** Throws {@link GarchInputError} on a non-finite return: bad data, not a model choice. */
export function assertFiniteReturn(r: number, index: number): void {
  if (!Number.isFinite(r)) throw new GarchInputError(`return ${index} is not finite (${r})`, { index, value: r });
}

/** Checks the returns and gives their mean square (the zero-mean sample variance). */
export function meanSquareOf(returns: Float64Array): number {
  const n = returns.length;
  if (n < MIN_FIT_RETURNS) throw new GarchInputError(`GARCH needs at least ${MIN_FIT_RETURNS} returns, got ${n}`, { returns: n });
  let meanSquare = 0;
  for (let t = 0; t < n; t++) {
    const r = returns[t]!;
    assertFiniteReturn(r, t);
    meanSquare += r * r;
  }
  meanSquare /= n;
  if (!(meanSquare > 0)) throw new GarchInputError('all returns are zero: no variance to model', { returns: n });
  return meanSquare;
}

/**
 * Log-likelihood of `returns` under the variance-targeted GARCH(1,1)-t used by fitGarch
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
