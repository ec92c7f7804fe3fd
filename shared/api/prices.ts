import type { Candle } from '../market/types.js';

export interface DownsampledCloses {
  /** [openTimeMs, close] pairs, ascending. */
  points: [number, number][];
  /** Bars per point. */
  bucketBars: number;
}

/**
 * At most `maxPoints` closes out of `bars` (ascending): the bars are cut into equal buckets counted back
 * from the newest, and each bucket keeps its last bar (time and close). Counting from the end keeps the
 * latest price as the last point; a close is a real traded price, where a bucket mean would not be.
 */
export function downsampleCloses(bars: readonly Candle[], maxPoints: number): DownsampledCloses {
  if (!Number.isInteger(maxPoints) || maxPoints < 1) throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);
  const bucketBars = Math.max(1, Math.ceil(bars.length / maxPoints));
  const points: [number, number][] = [];
  // The last bar of each bucket sits at index n-1, n-1-b, n-1-2b, ...: walk back, then reverse.
  for (let i = bars.length - 1; i >= 0; i -= bucketBars) points.push([bars[i]!.openTimeMs, bars[i]!.close]);
  points.reverse();
  return { points, bucketBars };
}
