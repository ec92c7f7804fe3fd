import { toSeries, type CandleLike, type PriceSeries } from '../risk/series.js';

/**
 * Realized outcomes the backtest scores recommendations against: for every bar, the worst move of the
 * h-bar window that opens with it. Computed once per series (outcomes are only ever read for windows that
 * start at or after the step that made the recommendation, never fed to the model).
 */

/**
 * Bars as columns, ascending by open time; may contain gaps (a window never spans one). The same shape as
 * the engine's PriceSeries, which is one gap-free segment.
 */
export type BarColumns = PriceSeries;

export function toColumns(candles: readonly CandleLike[], intervalMs: number): BarColumns {
  return toSeries(candles, intervalMs);
}

export interface WindowMoves {
  /** Long side: 1 - (lowest low) / (window open), the drawdown.ts 'window-open' reference. NaN = incomplete window. */
  drop: Float64Array;
  /** Short side: (highest high) / (window open) - 1. NaN = incomplete window. */
  rise: Float64Array;
}

/**
 * The move of the window of `horizonBars` consecutive bars opening with bar i, for every i. A window
 * is complete when its bars are contiguous (bar i + h - 1 opens (h - 1) intervals after bar i): near
 * a gap or the end of the data it is NaN and never counted.
 */
export function windowMoves(bars: BarColumns, horizonBars: number): WindowMoves {
  const n = bars.open.length;
  const drop = new Float64Array(n).fill(Number.NaN);
  const rise = new Float64Array(n).fill(Number.NaN);
  const span = (horizonBars - 1) * bars.intervalMs;
  for (let i = 0; i + horizonBars <= n; i++) {
    if (bars.openTimeMs[i + horizonBars - 1]! - bars.openTimeMs[i]! !== span) continue;
    let lowest = Infinity;
    let highest = -Infinity;
    for (let k = i; k < i + horizonBars; k++) {
      if (bars.low[k]! < lowest) lowest = bars.low[k]!;
      if (bars.high[k]! > highest) highest = bars.high[k]!;
    }
    const open = bars.open[i]!;
    drop[i] = Math.max(0, 1 - lowest / open);
    rise[i] = Math.max(0, highest / open - 1);
  }
  return { drop, rise };
}

/** First index in an ascending array whose value is >= x (binary search; n when none). */
export function lowerBound(sorted: Float64Array, x: number, from = 0, to = sorted.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
