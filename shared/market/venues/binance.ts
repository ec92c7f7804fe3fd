import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../../util/time.js';
import { VenueAdapterBase } from './adapter-base.js';
import { barsInRange, nextStartAfterFullPage, sortBook } from './common.js';
import { binanceDepthSchema, binanceKlinesSchema, binancePingSchema } from './schemas.js';
import type { CandlePage, CandlePageRequest, VenueBook } from './types.js';

/** Binance's interval codes by bar length. */
const INTERVAL_CODES = new Map<number, string>([
  [MS_PER_MINUTE, '1m'],
  [5 * MS_PER_MINUTE, '5m'],
  [15 * MS_PER_MINUTE, '15m'],
  [30 * MS_PER_MINUTE, '30m'],
  [MS_PER_HOUR, '1h'],
  [4 * MS_PER_HOUR, '4h'],
  [MS_PER_DAY, '1d'],
]);

/** Bars per /api/v3/klines request (the documented maximum). */
export const BINANCE_KLINES_LIMIT = 1000;
/** Request weight of /api/v3/klines. */
export const BINANCE_KLINES_WEIGHT = 2;
/** Levels per side /api/v3/depth serves at most. */
export const BINANCE_DEPTH_MAX_LEVELS = 5000;

/** Request weight of /api/v3/depth by levels asked (Binance spot docs). */
export function binanceDepthWeight(levels: number): number {
  if (levels <= 100) return 5;
  if (levels <= 500) return 25;
  if (levels <= 1000) return 50;
  return 250;
}

/** Binance spot: GET /api/v3/klines and /api/v3/depth. */
export class BinanceAdapter extends VenueAdapterBase<string> {
  readonly venue = 'binance' as const;
  readonly maxBarsPerRequest = BINANCE_KLINES_LIMIT;
  protected readonly intervalParams = INTERVAL_CODES;

  async fetchCandlePage(request: CandlePageRequest): Promise<CandlePage> {
    const interval = this.intervalParam(request.intervalMs);
    const path = '/api/v3/klines';
    // startTime and endTime are both inclusive bounds on the open time.
    const rows = await this.http.getJson(
      path,
      { symbol: request.pair, interval, startTime: request.startMs, endTime: request.endMs - 1, limit: BINANCE_KLINES_LIMIT },
      binanceKlinesSchema,
      { weight: BINANCE_KLINES_WEIGHT },
    );
    const candles = barsInRange(this.venue, path, request, rows);
    // A full page means there may be more; a short one ends the range.
    return { candles, nextStartMs: nextStartAfterFullPage(rows.map((r) => r.openTimeMs), BINANCE_KLINES_LIMIT, request) };
  }

  async fetchOrderBook(pair: string, levels: number): Promise<VenueBook> {
    const limit = Math.min(levels, BINANCE_DEPTH_MAX_LEVELS);
    const book = await this.http.getJson('/api/v3/depth', { symbol: pair, limit }, binanceDepthSchema, { weight: binanceDepthWeight(limit) });
    return { ...sortBook(book.bids, book.asks), exchangeTimeMs: null };
  }

  async ping(): Promise<void> {
    await this.http.getJson('/api/v3/ping', {}, binancePingSchema);
  }
}
