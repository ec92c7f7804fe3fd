/**
 * The prior a young asset borrows from older assets of similar volatility: a random-effects meta-regression
 * of the assets' ln(tail multiple) on ln(volatility) (method-of-moments tau^2, DerSimonian-Laird 1986 with a
 * covariate). Each asset's ln(multiple) is an estimate with sampling variance xi^2 / lambda (the log of an
 * order statistic exceeded lambda times in expectation, under a tail of index xi); tau^2 is the spread of
 * the true multiples beyond that and around the regression line (0 when the estimates spread no wider than
 * sampling noise). Weights 1 / (v + tau^2). Centered at the weighted mean ln(sigma), so the intercept and
 * the slope are uncorrelated and the prediction variance at x is SE_a^2 + (x - x0)^2 SE_b^2. Pure.
 */

export interface AssetMultiples {
  symbol: string;
  firstMs: number;
  windows: number;
  calmWindows: number;
  /** Expected alpha exceedances among the effective (non-overlapping) calm windows: n / h x (1 - alpha). */
  expectedExceedances: number;
  sigmaHorizon: number;
  /** The calm windows' alpha quantile. */
  quantile: number;
  /** Multiples of sigmaHorizon: alpha and beta quantiles, alpha expected shortfall. */
  adverse: number;
  ordinary: number;
  expectedShortfall: number;
  /** Own tail index (null when lambda / 2 < 1). */
  tailIndex: number | null;
  /** Distribution-free 90 % upper bound of the own alpha quantile (order-statistics.ts); null when the sample is too short for one. */
  ownUpperBound90: number | null;
}

/** A fitted line ln(multiple) = intercept + slope (ln sigma - referenceLogSigma), with standard errors. */
export interface MultipleLine {
  intercept: number;
  slope: number;
  interceptStandardError: number;
  slopeStandardError: number;
}

export interface Pool {
  assets: string[];
  tailIndex: number;
  referenceLogSigma: number;
  betweenAssetVariance: number;
  adverse: MultipleLine;
  ordinary: MultipleLine;
  expectedShortfall: MultipleLine;
}

/** An asset enters the pool once its calm sample holds one expected alpha exceedance (its quantile lies inside it). */
export const MIN_EXPECTED_EXCEEDANCES = 1;

export function poolMultiples(all: readonly AssetMultiples[]): Pool | null {
  const rows = all.filter((a) => a.expectedExceedances >= MIN_EXPECTED_EXCEEDANCES && a.adverse > 0 && a.ordinary > 0);
  // Two points fit any line: a slope needs a third.
  if (rows.length < 3) return null;
  // Assets too young for an own index (lambda / 2 < 1) use the pooled one.
  const withIndex = rows.filter((a) => a.tailIndex !== null && a.tailIndex > 0);
  const lambdaSum = withIndex.reduce((s, a) => s + a.expectedExceedances, 0);
  if (!(lambdaSum > 0)) return null;
  const tailIndex = withIndex.reduce((s, a) => s + a.expectedExceedances * a.tailIndex!, 0) / lambdaSum;
  const v = rows.map((a) => tailIndex ** 2 / a.expectedExceedances);
  const x = rows.map((a) => Math.log(a.sigmaHorizon));
  const y = rows.map((a) => Math.log(a.adverse));
  const tau2 = betweenVariance(x, y, v);
  const w = v.map((vi) => 1 / (vi + tau2));
  const sw = w.reduce((s, wi) => s + wi, 0);
  const x0 = x.reduce((s, xi, i) => s + w[i]! * xi, 0) / sw;
  const line = (values: readonly number[]) => fitLine(x, values, w, x0);
  return {
    assets: rows.map((a) => a.symbol),
    tailIndex,
    referenceLogSigma: x0,
    betweenAssetVariance: tau2,
    adverse: line(y),
    ordinary: line(rows.map((a) => Math.log(a.ordinary))),
    expectedShortfall: line(rows.map((a) => Math.log(a.expectedShortfall))),
  };
}

/**
 * Weighted least squares around x0 with known variances 1 / w (standard errors from the weights, not the
 * residuals: the random-effects model already put the residual spread into tau^2).
 */
function fitLine(x: readonly number[], y: readonly number[], w: readonly number[], x0: number): MultipleLine {
  const sw = w.reduce((s, wi) => s + wi, 0);
  const sxx = x.reduce((s, xi, i) => s + w[i]! * (xi - x0) ** 2, 0);
  const intercept = y.reduce((s, yi, i) => s + w[i]! * yi, 0) / sw;
  const slope = sxx > 0 ? x.reduce((s, xi, i) => s + w[i]! * (xi - x0) * (y[i]! - intercept), 0) / sxx : 0;
  return { intercept, slope, interceptStandardError: 1 / Math.sqrt(sw), slopeStandardError: sxx > 0 ? 1 / Math.sqrt(sxx) : 0 };
}

/**
 * Method-of-moments tau^2 of a meta-regression with one covariate: (Q_E - (k - 2)) / (sum w - tr), where
 * Q_E is the weighted residual sum of squares of the fixed-effects fit (weights 1 / v) and
 * tr = trace((X'WX)^-1 X'W^2 X); floored at 0.
 */
function betweenVariance(x: readonly number[], y: readonly number[], v: readonly number[]): number {
  const k = x.length;
  const w = v.map((vi) => 1 / vi);
  const sw = w.reduce((s, wi) => s + wi, 0);
  const x0 = x.reduce((s, xi, i) => s + w[i]! * xi, 0) / sw;
  const fit = fitLine(x, y, w, x0);
  const q = y.reduce((s, yi, i) => s + w[i]! * (yi - fit.intercept - fit.slope * (x[i]! - x0)) ** 2, 0);
  const sxx = x.reduce((s, xi, i) => s + w[i]! * (xi - x0) ** 2, 0);
  const sw2 = w.reduce((s, wi) => s + wi * wi, 0);
  const sw2xx = x.reduce((s, xi, i) => s + w[i]! ** 2 * (xi - x0) ** 2, 0);
  // With centered x, X'WX is diagonal: tr = sum w^2 / sum w + sum w^2 (x - x0)^2 / sxx.
  const trace = sw2 / sw + (sxx > 0 ? sw2xx / sxx : 0);
  return Math.max(0, (q - (k - 2)) / (sw - trace));
}
