import { AdvisorError } from '../../util/errors.js';
import { MS_PER_DAY } from '../../util/time.js';
import type { CandleLike } from '../series.js';

/**
 * What the through-the-cycle tail remembers of an asset: every bar-to-bar log return since its first bar,
 * kept as a sum of squares (the through-the-cycle volatility) and as sums over consecutive blocks of
 * returns (the sampling error of that volatility, by batch means). A few hundred numbers summarize years of
 * bars, so the record can be carried forward bar by bar (the walk-forward) or stored (the calibration's
 * records for the live engine, which only fetches its lookback). Pure: extending returns a new record.
 *
 * A return is counted only between consecutive bars (next open = previous open + one interval), as
 * series.ts splits at gaps; a gap just starts a new run.
 */

export interface TailHistory {
  intervalMs: number;
  /** Returns per block of the batch-means error (the EWMA half-life in bars: the memory of volatility). */
  blockBars: number;
  /** Open time of the first bar seen; null when empty. */
  firstOpenMs: number | null;
  /** Open time and close of the last bar seen (the next return starts from it). */
  lastOpenMs: number | null;
  lastClose: number | null;
  returns: number;
  sumSquares: number;
  /** Sums of squared returns of each completed block, oldest first. */
  blockSums: number[];
  /** The block being filled. */
  openBlockSum: number;
  openBlockReturns: number;
}

export class TailHistoryError extends AdvisorError {
  constructor(field: string, reason: string, value: unknown) {
    super('TAIL_HISTORY_INVALID', `${field}: ${reason}`, { field, reason, value });
  }
}

export function emptyTailHistory(intervalMs: number, blockBars: number): TailHistory {
  if (!(intervalMs > 0)) throw new TailHistoryError('intervalMs', 'must be > 0', intervalMs);
  if (!(Number.isInteger(blockBars) && blockBars >= 1)) throw new TailHistoryError('blockBars', 'must be a positive integer', blockBars);
  return { intervalMs, blockBars, firstOpenMs: null, lastOpenMs: null, lastClose: null, returns: 0, sumSquares: 0, blockSums: [], openBlockSum: 0, openBlockReturns: 0 };
}

/**
 * The record extended by the candles opening after its last bar and before `untilMs` (ascending; earlier
 * ones are skipped, so overlapping inputs are safe). Non-positive or non-finite closes are skipped.
 */
export function extendTailHistory(history: TailHistory, candles: readonly CandleLike[], untilMs = Number.POSITIVE_INFINITY): TailHistory {
  const next: TailHistory = { ...history, blockSums: history.blockSums };
  let copied = false;
  for (const c of candles) {
    if (c.openTimeMs >= untilMs) break;
    if (next.lastOpenMs !== null && c.openTimeMs <= next.lastOpenMs) continue;
    if (!(c.close > 0 && c.close < Infinity)) continue;
    if (next.firstOpenMs === null) next.firstOpenMs = c.openTimeMs;
    if (next.lastOpenMs !== null && next.lastClose !== null && c.openTimeMs - next.lastOpenMs === next.intervalMs) {
      const r = Math.log(c.close / next.lastClose);
      const square = r * r;
      next.returns++;
      next.sumSquares += square;
      next.openBlockSum += square;
      next.openBlockReturns++;
      if (next.openBlockReturns === next.blockBars) {
        if (!copied) {
          next.blockSums = [...history.blockSums];
          copied = true;
        }
        next.blockSums.push(next.openBlockSum);
        next.openBlockSum = 0;
        next.openBlockReturns = 0;
      }
    }
    next.lastOpenMs = c.openTimeMs;
    next.lastClose = c.close;
  }
  return next;
}

export interface HistoryVolatility {
  /** Root mean square of all returns x sqrt(h): the through-the-cycle h-bar volatility. */
  sigmaHorizon: number;
  /** Standard error of ln(sigma) by batch means over the completed blocks; null with fewer than two blocks. */
  logSigmaStandardError: number | null;
  returns: number;
  blocks: number;
  /** Calendar span of the record, days (first bar to last bar). */
  spanDays: number;
}

/** Volatility of the record over an h-bar horizon; null when it holds no return. */
export function historyVolatility(history: TailHistory, horizonBars: number): HistoryVolatility | null {
  if (history.returns === 0) return null;
  const sigmaHorizon = Math.sqrt((history.sumSquares / history.returns) * horizonBars);
  const k = history.blockSums.length;
  let logSigmaStandardError: number | null = null;
  if (k >= 2) {
    let mean = 0;
    for (const b of history.blockSums) mean += b;
    mean /= k;
    let variance = 0;
    for (const b of history.blockSums) variance += (b - mean) ** 2;
    variance /= k - 1;
    // SE of the mean square relative to it, halved for the log of its square root.
    logSigmaStandardError = mean > 0 ? Math.sqrt(variance / k) / mean / 2 : null;
  }
  const spanDays = history.firstOpenMs !== null && history.lastOpenMs !== null ? (history.lastOpenMs - history.firstOpenMs) / MS_PER_DAY : 0;
  return { sigmaHorizon, logSigmaStandardError, returns: history.returns, blocks: k, spanDays };
}
