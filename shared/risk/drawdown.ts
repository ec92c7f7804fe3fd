import { quantileSorted, sortUpperTail, tailMeanSorted } from '../numerics/statistics.js';
import type { PriceSeries } from './series.js';

/**
 * Where an adverse move is measured from:
 * - `window-open`: the price when the window opens (the breach price) down to the lowest low inside
 *   the window. This is the convention of the reference figures (docs/methodology.md#reference-figures:
 *   BTC 4 h q99.9 = 15.3 %).
 * - `running-peak`: the largest fall from any earlier price in the window (the open or a high) to a
 *   later low; a bar's own high counts before its low (the order inside a bar is unknown). Stricter.
 */
export type DrawdownReference = 'window-open' | 'running-peak';

/**
 * Worst drawdown inside every window of `windowBars` consecutive bars (stride 1, per segment, so no
 * window spans a gap). Values are fractions in [0, 1).
 */
export function windowWorstDrawdowns(
  segments: readonly PriceSeries[],
  windowBars: number,
  reference: DrawdownReference = 'window-open',
): Float64Array {
  let total = 0;
  for (const s of segments) total += Math.max(0, s.close.length - windowBars + 1);
  const out = new Float64Array(total);
  let k = 0;
  for (const s of segments) {
    const n = s.close.length;
    for (let start = 0; start + windowBars <= n; start++) {
      let peak = s.open[start]!;
      let worst = 0;
      for (let i = start; i < start + windowBars; i++) {
        const high = s.high[i]!;
        if (reference === 'running-peak' && high > peak) peak = high;
        const drop = 1 - s.low[i]! / peak;
        if (drop > worst) worst = drop;
      }
      out[k++] = worst;
    }
  }
  return out;
}

export interface DrawdownTail {
  /** Number of (overlapping) windows observed. */
  windows: number;
  /** D_p(h) for each requested confidence p. */
  quantiles: Record<string, number>;
  /** Mean of the drops at or beyond the highest requested quantile. */
  expectedShortfall: number;
  historicalWorst: number;
}

/** Empirical quantiles and expected shortfall of the h-bar worst drawdown distribution. */
export function drawdownTail(
  segments: readonly PriceSeries[],
  windowBars: number,
  confidences: readonly number[],
  reference: DrawdownReference = 'window-open',
): DrawdownTail {
  // Only the upper tail is ever read: sort from the lowest requested quantile up (O(n) expected).
  const sorted = windowWorstDrawdowns(segments, windowBars, reference);
  const lowest = Math.min(...confidences, 1);
  sortUpperTail(sorted, Math.floor((sorted.length - 1) * Math.max(0, lowest)));
  const quantiles: Record<string, number> = {};
  for (const p of confidences) quantiles[String(p)] = quantileSorted(sorted, p);
  const top = Math.max(...confidences);
  return {
    windows: sorted.length,
    quantiles,
    expectedShortfall: tailMeanSorted(sorted, top),
    historicalWorst: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}
