import { VenueAdapterBase } from './adapter-base.js';
import { barsInRange, sortBook } from './common.js';
import { coinbaseBookSchema, coinbaseCandlesSchema, coinbaseTimeSchema } from './schemas.js';
import type { CandlePage, CandlePageRequest, VenueBook } from './types.js';

/** Granularities (seconds) /products/{id}/candles accepts, by bar length in ms. */
const GRANULARITIES = new Map([60, 300, 900, 3600, 21600, 86400].map((seconds) => [seconds * 1000, seconds]));
/** Most candles one request may cover; a wider range is rejected by the venue. */
export const COINBASE_CANDLES_LIMIT = 300;

/** Coinbase Exchange: GET /products/{id}/candles and /products/{id}/book?level=2. */
export class CoinbaseAdapter extends VenueAdapterBase<number> {
  readonly venue = 'coinbase' as const;
  readonly maxBarsPerRequest = COINBASE_CANDLES_LIMIT;
  protected readonly intervalParams = GRANULARITIES;

  async fetchCandlePage(request: CandlePageRequest): Promise<CandlePage> {
    const granularity = this.intervalParam(request.intervalMs);
    const path = `/products/${encodeURIComponent(request.pair)}/candles`;
    // Pages are time windows of limit-1 bars: whether `end` is inclusive or not, a window never holds
    // more than the limit, and the bar at the window's end comes with the next page.
    const windowEndMs = Math.min(request.endMs, request.startMs + (COINBASE_CANDLES_LIMIT - 1) * request.intervalMs);
    const rows = await this.http.getJson(
      path,
      {
        granularity,
        start: new Date(request.startMs).toISOString(),
        end: new Date(windowEndMs).toISOString(),
      },
      coinbaseCandlesSchema,
    );
    const candles = barsInRange(this.venue, path, { ...request, endMs: windowEndMs }, rows);
    return { candles, nextStartMs: windowEndMs < request.endMs ? windowEndMs : null };
  }

  /** Level 2 is the full aggregated book (the `levels` cap is applied here, the venue has no parameter for it). */
  async fetchOrderBook(pair: string, levels: number): Promise<VenueBook> {
    const book = await this.http.getJson(`/products/${encodeURIComponent(pair)}/book`, { level: 2 }, coinbaseBookSchema);
    const sorted = sortBook(book.bids, book.asks);
    const timeMs = book.time ? Date.parse(book.time) : Number.NaN;
    return { bids: sorted.bids.slice(0, levels), asks: sorted.asks.slice(0, levels), exchangeTimeMs: Number.isFinite(timeMs) ? timeMs : null };
  }

  async ping(): Promise<void> {
    await this.http.getJson('/time', {}, coinbaseTimeSchema);
  }
}
