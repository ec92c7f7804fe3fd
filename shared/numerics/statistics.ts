/** Order statistics, tail means and moments on typed arrays: no allocation beyond what the result needs. */

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

/**
 * Mean of the values at or above the p-quantile (expected shortfall of a loss distribution). `values`
 * needs its upper tail in order (fully sorted, or by sortUpperTail from at most the p index): the
 * quantile is read from it, then every value is compared, so ties below the sorted part count too.
 */
export function tailMeanSorted(values: ArrayLike<number>, p: number): number {
  return meanAtOrAbove(values, quantileSorted(values, p));
}

/** Mean of the values >= threshold, in any order; NaN when none is (or the threshold is NaN). */
export function meanAtOrAbove(values: ArrayLike<number>, threshold: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v >= threshold) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? sum / count : Number.NaN;
}

/**
 * Mean of the largest `tailCount` values of an array sorted at least over its top ceil(tailCount)
 * (sortUpperTail): the whole top floor(tailCount) values, plus the fractional rest on the next one
 * (Acerbi-Tasche expected shortfall when tailCount = (1 - alpha) n).
 */
export function upperTailMeanSorted(sortedTop: ArrayLike<number>, tailCount: number): number {
  const n = sortedTop.length;
  const whole = Math.min(n, Math.floor(tailCount));
  let sum = 0;
  for (let i = n - whole; i < n; i++) sum += sortedTop[i]!;
  const fraction = whole < n ? tailCount - whole : 0;
  if (fraction > 0) sum += fraction * sortedTop[n - whole - 1]!;
  const weight = whole + fraction;
  return weight > 0 ? sum / weight : sortedTop[n - 1]!;
}

/** Median (the mean of the two middle values for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Mean of the squares of values[from, to): the zero-mean variance; NaN for an empty range. */
export function meanOfSquares(values: ArrayLike<number>, from = 0, to = values.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]! * values[i]!;
  return sum / (to - from);
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

/**
 * Rearranges `values` in place so that positions [fromIndex, n) hold the n - fromIndex largest values in
 * ascending order, and every value before fromIndex is <= values[fromIndex]. Order statistics at or above
 * fromIndex (hence quantileSorted for p >= fromIndex / (n - 1)) then read as on a fully sorted array, for
 * O(n) expected instead of a full sort (quickselect, Hoare partition with a median-of-three pivot, which
 * stays balanced on ties). Values must not be NaN.
 */
export function sortUpperTail(values: Float64Array, fromIndex: number): void {
  const n = values.length;
  const k = Math.max(0, Math.min(n, Math.floor(fromIndex)));
  if (k >= n) return;
  let left = 0;
  let right = n - 1;
  while (k > 0 && right > left) {
    const mid = (left + right) >>> 1;
    const x = values[left]!;
    const y = values[mid]!;
    const z = values[right]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    // Now [left, j] <= pivot <= [i, right], and positions strictly between j and i hold the pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  values.subarray(k).sort();
}
