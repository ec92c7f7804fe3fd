import type { BarColumns } from '../backtest/windows.js';
import { ewmaLambdaFromHalfLife } from '../risk/volatility.js';

/**
 * Which bars open in a stressed regime, ex ante: the EWMA variance of the returns before the bar (the
 * engine's half-life and seed) against the mean square of the returns of the trailing long-run window (the
 * engine's lookback), stressed when the ratio of their roots exceeds policy.stressedRegimeRatio. The same
 * test the engine applies to today's forecast (recommend.ts `regime`), with EWMA standing in for GARCH so
 * that it runs over years of bars in one pass. Returns only between consecutive bars; a gap is skipped.
 */

export interface RegimeSettings {
  ewmaHalfLifeBars: number;
  ewmaSeedBars: number;
  longRunMs: number;
  stressedRegimeRatio: number;
}

/** stressed[i] = 1 when bar i opens in a stressed regime; 0 otherwise (also before any return is seen). */
export function stressedBars(bars: BarColumns, settings: RegimeSettings): Uint8Array {
  const n = bars.open.length;
  const stressed = new Uint8Array(n);
  const lambda = ewmaLambdaFromHalfLife(settings.ewmaHalfLifeBars);
  // Returns r_j between bars j - 1 and j (NaN across a gap), with their times, for the trailing window.
  const squares = new Float64Array(n).fill(Number.NaN);
  for (let j = 1; j < n; j++) {
    if (bars.openTimeMs[j]! - bars.openTimeMs[j - 1]! !== bars.intervalMs) continue;
    const r = Math.log(bars.close[j]! / bars.close[j - 1]!);
    if (Number.isFinite(r)) squares[j] = r * r;
  }
  let variance = Number.NaN;
  let seedSum = 0;
  let seedCount = 0;
  let windowSum = 0;
  let windowCount = 0;
  let tail = 0;
  for (let i = 0; i < n; i++) {
    // Long-run window: returns of bars in [t_i - longRun, t_i).
    while (tail < i && bars.openTimeMs[tail]! < bars.openTimeMs[i]! - settings.longRunMs) {
      if (!Number.isNaN(squares[tail]!)) {
        windowSum -= squares[tail]!;
        windowCount--;
      }
      tail++;
    }
    if (Number.isFinite(variance) && windowCount > 0 && windowSum > 0) {
      stressed[i] = Math.sqrt(variance / (windowSum / windowCount)) > settings.stressedRegimeRatio ? 1 : 0;
    }
    // Then bar i's own return enters both, for the bars after it.
    const square = squares[i]!;
    if (Number.isNaN(square)) continue;
    windowSum += square;
    windowCount++;
    if (Number.isNaN(variance)) {
      seedSum += square;
      seedCount++;
      if (seedCount >= settings.ewmaSeedBars) variance = seedSum / seedCount;
    } else {
      variance = lambda * variance + (1 - lambda) * square;
    }
  }
  return stressed;
}
