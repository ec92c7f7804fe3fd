import { liquidationThreshold, roundDownBps, roundUpBps } from '../risk/lending.js';
import { quantileSorted, sortUpperTail } from '../numerics/statistics.js';

/**
 * The naive baseline the engine must beat: the unconditional alpha-quantile of the trailing lookback's
 * h-bar worst drawdowns (the same windows the engine's unconditional tail reads), no volatility
 * rescaling, no floor, with the engine's own bonus and slippage of the day.
 */

export interface TrailingQuantile {
  /** D_alpha(h) of the trailing windows; NaN when there is no window. */
  quantile: number;
  windows: number;
}

/**
 * Type-7 quantile of the complete windows opening at indices [from, lastStart] (NaN entries skipped).
 * The caller passes lastStart = (first bar at or after the step) - horizonBars, so every window read
 * closes before the step. `scratch` (length >= lastStart - from + 1) avoids an allocation per step.
 */
export function trailingQuantile(moves: Float64Array, from: number, lastStart: number, confidence: number, scratch?: Float64Array): TrailingQuantile {
  const capacity = Math.max(0, lastStart - from + 1);
  const work = scratch && scratch.length >= capacity ? scratch : new Float64Array(capacity);
  let windows = 0;
  for (let i = from; i <= lastStart; i++) {
    const move = moves[i]!;
    if (!Number.isNaN(move)) work[windows++] = move;
  }
  if (windows === 0) return { quantile: Number.NaN, windows };
  const values = work.subarray(0, windows);
  sortUpperTail(values, Math.floor((windows - 1) * confidence));
  return { quantile: quantileSorted(values, confidence), windows };
}

/** Naive lending LT: (1 - q)(1 - s) / (1 + B), rounded down to the profile's step, in bps. */
export function naiveLiquidationThresholdBps(quantile: number, slippage: number, bonus: number, roundingStepBps: number): number {
  return roundDownBps(liquidationThreshold(Math.min(1, quantile), slippage, bonus), roundingStepBps);
}

/** Naive perp maintenance margin: q + s + fee, rounded up to whole bps (capped at 100 %). */
export function naiveMaintenanceMarginBps(quantile: number, slippage: number, feeBuffer: number): number {
  return Math.min(10_000, roundUpBps(quantile + slippage + feeBuffer));
}
