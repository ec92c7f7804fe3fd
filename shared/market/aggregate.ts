import type { Candle } from './types.js';

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * Cross-venue candles: per bar open time, the median of each price field over the venues that have
 * the bar, and the summed volume. A bar no venue has stays missing (gaps are kept, never filled).
 */
export function aggregateCandles(perVenue: readonly (readonly Candle[])[]): Candle[] {
  const byTime = new Map<number, Candle[]>();
  for (const candles of perVenue) {
    for (const candle of candles) {
      let list = byTime.get(candle.openTimeMs);
      if (!list) byTime.set(candle.openTimeMs, (list = []));
      list.push(candle);
    }
  }
  const out: Candle[] = [];
  for (const openTimeMs of [...byTime.keys()].sort((a, b) => a - b)) {
    const bars = byTime.get(openTimeMs)!;
    if (bars.length === 1) {
      out.push(bars[0]!);
      continue;
    }
    const open = median(bars.map((b) => b.open));
    const close = median(bars.map((b) => b.close));
    out.push({
      openTimeMs,
      open,
      // Medians of highs and lows, widened to contain the median open and close.
      high: Math.max(median(bars.map((b) => b.high)), open, close),
      low: Math.min(median(bars.map((b) => b.low)), open, close),
      close,
      volume: bars.reduce((sum, b) => sum + b.volume, 0),
    });
  }
  return out;
}
