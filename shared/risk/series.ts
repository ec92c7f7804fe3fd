/**
 * Column-oriented price series, the input of every volatility and tail estimator.
 * A series is one gap-free segment: bar i+1 opens exactly one interval after bar i.
 */
export interface PriceSeries {
  intervalMs: number;
  openTimeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

export interface CandleLike {
  openTimeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/** Splits bars (ascending) into gap-free segments: a missing bar is "no data", never a zero return. */
export function splitAtGaps(candles: readonly CandleLike[], intervalMs: number): PriceSeries[] {
  const segments: PriceSeries[] = [];
  let start = 0;
  for (let i = 1; i <= candles.length; i++) {
    const isBreak = i === candles.length || candles[i]!.openTimeMs - candles[i - 1]!.openTimeMs !== intervalMs;
    if (isBreak) {
      if (i > start) segments.push(toSeries(candles.slice(start, i), intervalMs));
      start = i;
    }
  }
  return segments;
}

export function toSeries(candles: readonly CandleLike[], intervalMs: number): PriceSeries {
  const n = candles.length;
  const series: PriceSeries = {
    intervalMs,
    openTimeMs: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const c = candles[i]!;
    series.openTimeMs[i] = c.openTimeMs;
    series.open[i] = c.open;
    series.high[i] = c.high;
    series.low[i] = c.low;
    series.close[i] = c.close;
  }
  return series;
}

/** Log returns r_t = ln(C_t / C_{t-1}) inside each segment, concatenated (no return spans a gap). */
export function logReturns(segments: readonly PriceSeries[]): Float64Array {
  let total = 0;
  for (const s of segments) total += Math.max(0, s.close.length - 1);
  const returns = new Float64Array(total);
  let k = 0;
  for (const s of segments) {
    for (let i = 1; i < s.close.length; i++) returns[k++] = Math.log(s.close[i]! / s.close[i - 1]!);
  }
  return returns;
}

export function barCount(segments: readonly PriceSeries[]): number {
  return segments.reduce((n, s) => n + s.close.length, 0);
}
