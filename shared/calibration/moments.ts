import { quantileSorted, sortedCopy } from '../numerics/statistics.js';

/** Sample moments the calibration needs on top of shared/numerics/statistics.ts. */

/** The type-7 median (shared/numerics/statistics.ts's quantile at 1/2). */
export function median(values: ArrayLike<number>): number {
  return quantileSorted(sortedCopy(values), 0.5);
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Population excess kurtosis: m4 / m2^2 - 3. */
export function excessKurtosis(values: readonly number[]): number {
  const m = mean(values);
  let m2 = 0;
  let m4 = 0;
  for (const v of values) {
    const d2 = (v - m) ** 2;
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= values.length;
  m4 /= values.length;
  return m4 / (m2 * m2) - 3;
}
