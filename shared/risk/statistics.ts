/** Small statistics helpers on typed arrays: no allocation beyond what the result needs. */

/**
 * Quantile with linear interpolation between order statistics (Hyndman-Fan type 7, numpy's default).
 * `sorted` must be ascending.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  if (p >= 1) return sorted[n - 1]!;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/** Mean of the values at or above the p-quantile (expected shortfall of a loss distribution). */
export function tailMeanSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const threshold = quantileSorted(sorted, p);
  let sum = 0;
  let count = 0;
  for (let i = n - 1; i >= 0 && sorted[i]! >= threshold; i--) {
    sum += sorted[i]!;
    count++;
  }
  return sum / count;
}

/** Sample standard deviation (n - 1 denominator). */
export function sampleStdDev(values: ArrayLike<number>, from = 0, to = values.length): number {
  const n = to - from;
  if (n < 2) return Number.NaN;
  let mean = 0;
  for (let i = from; i < to; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = from; i < to; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
