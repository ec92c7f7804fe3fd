import { DEFAULT_AGGREGATION } from '../config/defaults.js';
import type { Candle } from './types.js';

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

export interface AggregationOptions {
  /**
   * k: a venue's high (low) further than k robust scales from the cross-venue median high (low) of the
   * bar is an outlier and not taken. The scale is the bar's median absolute deviation (MAD), floored.
   */
  outlierMads: number;
  /**
   * Floor of the scale as a fraction of the bar's median close, so venues agreeing to the tick (MAD near 0)
   * do not turn every small difference into an outlier. With the defaults a wick must be at least
   * k x 0.2 % = 1 % beyond the consensus to be dropped.
   */
  minScaleFraction: number;
  /** Venues a bar needs before one can be out-voted; with fewer, every wick is kept and a wide disagreement is only counted. */
  minVenuesToVote: number;
}

/** The config's policy.aggregation defaults (shared/config/defaults.ts); ingest passes the configured ones. */
export { DEFAULT_AGGREGATION };

export interface VenueCandles {
  venue: string;
  candles: readonly Candle[];
}

/** A venue's wick the aggregate did not take. */
export interface OutlierWick {
  openTimeMs: number;
  venue: string;
  side: 'high' | 'low';
  valueUsd: number;
  /** The cross-venue median of that side. */
  medianUsd: number;
  /** Distance from the median in scales (MADs, floored). */
  deviationMads: number;
}

export interface CandleAggregation {
  candles: Candle[];
  /** Wicks dropped as outliers, in time order. */
  outliers: OutlierWick[];
  /** Bars whose venues disagreed beyond the outlier threshold but were too few to out-vote one (wick kept). */
  disputedBars: number[];
}

/**
 * Cross-venue candles. Per bar open time: open and close are the medians over the venues that have the
 * bar; high (low) is the highest high (lowest low) among the venues that agree, i.e. within k MADs of the
 * cross-venue median, widened to contain the open and close; volume is summed over every venue. A wick
 * on one venue only (a flash crash on a thin book) is thus not taken when enough venues out-vote it, while
 * a move every venue saw keeps its full depth. A bar no venue has stays missing (gaps are never filled).
 */
export function aggregateVenueCandles(perVenue: readonly VenueCandles[], options: Partial<AggregationOptions> = {}): CandleAggregation {
  const o = { ...DEFAULT_AGGREGATION, ...options };
  const byTime = new Map<number, { venue: string; bar: Candle }[]>();
  for (const { venue, candles } of perVenue) {
    for (const bar of candles) {
      let list = byTime.get(bar.openTimeMs);
      if (!list) byTime.set(bar.openTimeMs, (list = []));
      list.push({ venue, bar });
    }
  }
  const candles: Candle[] = [];
  const outliers: OutlierWick[] = [];
  const disputedBars: number[] = [];
  for (const openTimeMs of [...byTime.keys()].sort((a, b) => a - b)) {
    const bars = byTime.get(openTimeMs)!;
    if (bars.length === 1) {
      candles.push({ ...bars[0]!.bar });
      continue;
    }
    const open = median(bars.map((b) => b.bar.open));
    const close = median(bars.map((b) => b.bar.close));
    const floor = o.minScaleFraction * close;
    const canVote = bars.length >= o.minVenuesToVote;
    let disputed = false;
    const side = (which: 'high' | 'low'): number => {
      const values = bars.map((b) => b.bar[which]);
      const center = median(values.slice());
      const mad = median(values.map((v) => Math.abs(v - center)));
      const scale = Math.max(mad, floor);
      let extreme = which === 'high' ? -Infinity : Infinity;
      bars.forEach(({ venue }, i) => {
        const value = values[i]!;
        const deviationMads = Math.abs(value - center) / scale;
        if (deviationMads > o.outlierMads) {
          if (canVote) {
            outliers.push({ openTimeMs, venue, side: which, valueUsd: value, medianUsd: center, deviationMads });
            return;
          }
        }
        // Two venues are each exactly one MAD from their mean: a disagreement shows against the floor alone.
        if (!canVote && Math.abs(value - center) > o.outlierMads * floor) disputed = true;
        extreme = which === 'high' ? Math.max(extreme, value) : Math.min(extreme, value);
      });
      return extreme;
    };
    const high = Math.max(side('high'), open, close);
    const low = Math.min(side('low'), open, close);
    if (disputed) disputedBars.push(openTimeMs);
    candles.push({ openTimeMs, open, high, low, close, volume: bars.reduce((sum, b) => sum + b.bar.volume, 0) });
  }
  return { candles, outliers, disputedBars };
}

/** Cross-venue candles from unnamed per-venue lists (see aggregateVenueCandles for the rules). */
export function aggregateCandles(perVenue: readonly (readonly Candle[])[], options: Partial<AggregationOptions> = {}): Candle[] {
  return aggregateVenueCandles(
    perVenue.map((candles, i) => ({ venue: `venue-${i}`, candles })),
    options,
  ).candles;
}
