import { quantileSorted } from '../numerics/statistics.js';

/**
 * Distribution-free upper confidence bounds of a high quantile from order statistics (no tail model): the
 * r-th largest of n independent draws is at least the alpha-quantile with probability P(N >= r), N ~
 * Binomial(n, 1 - alpha) the count of draws above it. The bound at confidence c is the r-th largest for
 * the largest r with P(N <= r - 1) <= 1 - c; none exists when even the sample maximum falls short
 * (alpha^n > 1 - c, i.e. n < ln(1 - c) / ln(alpha): 2,302 draws for alpha 0.999 at c 0.9). The calibration
 * prints each asset's own bound to show why a single asset cannot carry its 99.9 % quantile alone
 * (docs/methodology-tail.md); the engine's error is the pooled one (ttc.ts).
 */

/** P(N <= k) for N ~ Binomial(n, p), summed in logs (n up to millions). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logTerm = n * logQ; // P(N = 0)
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i) + logP - logQ;
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/** The rank from the top (1 = maximum) of the c-confidence upper bound of the alpha-quantile; 0 when none exists. */
export function upperBoundRank(n: number, alpha: number, confidence: number): number {
  const draws = Math.floor(n);
  let r = 0;
  while (r < draws && binomialCdf(r, draws, 1 - alpha) <= 1 - confidence) r++;
  return r;
}

/**
 * The bound on a sorted (ascending) sample whose n draws count as `effective` independent ones (overlapping
 * windows: n / h): the quantile at level (effective - r) / (effective - 1), the r-th largest of the effective
 * sample read off the full one. Null when no order statistic reaches the confidence.
 */
export function upperBoundQuantile(sorted: ArrayLike<number>, effective: number, alpha: number, confidence: number): number | null {
  const r = upperBoundRank(effective, alpha, confidence);
  if (r === 0 || effective <= 1) return null;
  return quantileSorted(sorted, Math.min(1, (effective - r) / (effective - 1)));
}
