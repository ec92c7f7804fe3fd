import { isBadPrint } from '../backtest/badprints.js';
import { parseCandleCsv } from '../backtest/csv.js';
import type { Candle } from '../market/types.js';
import { splitAtGaps, type PriceSeries } from '../risk/series.js';
import { MS_PER_HOUR } from '../util/time.js';
import { MIN_VOLUME_BARS, STRESS_EPISODES } from './constants.js';
import { isoDate } from './format.js';
import { median } from './moments.js';
import { drawdownQuantiles } from './tails.js';

/** One asset's Binance hourly file after the bad-print filter. */
export interface HourlyHistory {
  file: string;
  candles: Candle[];
  segments: PriceSeries[];
  droppedBadPrints: Candle[];
  /** The 4 h q99.9 had the bad prints been kept (to show what the filter changes); null when none was dropped. */
  q999WithBadPrints: number | null;
}

export function hourlyCandleFile(symbol: string): string {
  return `${symbol}-USDT-1h.csv`;
}

/**
 * Parses a `<SYM>-USDT-1h.csv` and drops its bad prints (shared/backtest/badprints.ts's rule, e.g. LINK
 * 2020-03-12 low = 0.0001: a wick no real market could fill and recover from in an hour).
 */
export function hourlyHistory(file: string, csvText: string): HourlyHistory {
  const all = parseCandleCsv(csvText, file);
  const candles = all.filter((bar) => !isBadPrint(bar));
  const droppedBadPrints = all.filter(isBadPrint);
  // A dropped bar becomes a gap: the segments on either side are kept, no return spans it.
  const segments = splitAtGaps(candles, MS_PER_HOUR);
  const q999WithBadPrints = droppedBadPrints.length > 0 ? drawdownQuantiles(splitAtGaps(all, MS_PER_HOUR)).q999 : null;
  return { file, candles, segments, droppedBadPrints, q999WithBadPrints };
}

/** Median hourly USD volume (close x volume) of the bars opening in [fromMs, toMs); NaN under MIN_VOLUME_BARS bars. */
export function medianHourlyUsdVolume(candles: readonly Candle[], fromMs: number, toMs: number): number {
  const usd = candles.filter((c) => c.openTimeMs >= fromMs && c.openTimeMs < toMs).map((c) => c.close * c.volume);
  return usd.length >= MIN_VOLUME_BARS ? median(usd) : Number.NaN;
}

export function dateRange(history: HourlyHistory): string {
  const candles = history.candles;
  return `${isoDate(candles[0]!.openTimeMs)}..${isoDate(candles[candles.length - 1]!.openTimeMs)}`;
}

/** The stress episodes at least 90 % covered by the file's bars. */
export function coveredEpisodes(history: HourlyHistory): string[] {
  return STRESS_EPISODES.filter(({ fromMs, toMs }) => {
    const bars = history.candles.filter((c) => c.openTimeMs >= fromMs && c.openTimeMs < toMs).length;
    return bars >= 0.9 * ((toMs - fromMs) / MS_PER_HOUR);
  }).map((e) => e.name);
}
