import { drawdownTail } from '../risk/drawdown.js';
import { logReturns, type PriceSeries } from '../risk/series.js';
import { quantileSorted, sampleStdDev, sortedCopy } from '../numerics/statistics.js';
import { CONFIDENCES, DRAWDOWN_WINDOW_BARS, HOURS_PER_YEAR, RV_STRIDE_BARS, RV_WINDOW_BARS } from './constants.js';

/** The tail and volatility figures compared between the real history and the simulation. */
export interface TailFigures {
  q99: number;
  q999: number;
  /** Median, 10th and 90th percentiles of the rolling 30-day realized volatilities (annualized). */
  realizedVol30d: number;
  realizedVol30dP10: number;
  realizedVol30dP90: number;
  /** How much the intrabar lows add to q99.9: q99.9 / (q99.9 with lows replaced by min(open, close)) - 1. */
  wickUplift999: number;
}

/** The 4 h worst-drawdown quantiles (window-open reference) at the calibration's two confidences. */
export function drawdownQuantiles(segments: readonly PriceSeries[]): { q99: number; q999: number } {
  const tail = drawdownTail(segments, DRAWDOWN_WINDOW_BARS, CONFIDENCES);
  return { q99: tail.quantiles[String(CONFIDENCES[0])]!, q999: tail.quantiles[String(CONFIDENCES[1])]! };
}

/** Each gap-free segment's hourly log returns (empty ones left out). */
export function returnSegmentsOf(segments: readonly PriceSeries[]): Float64Array[] {
  return segments.map((s) => logReturns([s])).filter((r) => r.length > 0);
}

/** Annualized realized volatility of every 30-day window (daily stride) inside each return segment, ascending. */
export function rollingRealizedVols(returnSegments: readonly Float64Array[]): Float64Array {
  const vols: number[] = [];
  for (const r of returnSegments) {
    for (let end = RV_WINDOW_BARS; end <= r.length; end += RV_STRIDE_BARS) {
      vols.push(sampleStdDev(r, end - RV_WINDOW_BARS, end) * Math.sqrt(HOURS_PER_YEAR));
    }
  }
  return sortedCopy(vols);
}

/** The same series with every low moved up to the bar's body: the drawdowns closes alone would show. */
export function withoutWicks(segments: readonly PriceSeries[]): PriceSeries[] {
  return segments.map((s) => ({ ...s, low: s.open.map((open, i) => Math.min(open, s.close[i]!)) }));
}

export function tailFigures(segments: readonly PriceSeries[]): TailFigures {
  const { q99, q999 } = drawdownQuantiles(segments);
  const vols = rollingRealizedVols(returnSegmentsOf(segments));
  return {
    q99,
    q999,
    realizedVol30d: quantileSorted(vols, 0.5),
    realizedVol30dP10: quantileSorted(vols, 0.1),
    realizedVol30dP90: quantileSorted(vols, 0.9),
    wickUplift999: q999 / drawdownQuantiles(withoutWicks(segments)).q999 - 1,
  };
}
