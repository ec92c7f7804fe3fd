import type { VenueId } from '../../config/schema.js';
import type { BookLevel, Candle } from '../types.js';

export type QuoteCurrency = 'USD' | 'USDT' | 'USDC';

/** One page of a venue's candles, prices in the venue's quote currency. */
export interface CandlePageRequest {
  pair: string;
  intervalMs: number;
  /** Inclusive start and exclusive end of bar open times, epoch ms. */
  startMs: number;
  endMs: number;
}

export interface CandlePage {
  /** Validated bars with open time in [startMs, endMs), ascending, no duplicates. */
  candles: Candle[];
  /** Where the next page starts; null when the range is done (or the venue has nothing further back/forward). */
  nextStartMs: number | null;
}

/** A venue's book as returned, prices in its quote currency; sides sorted best first, empty levels dropped. */
export interface VenueBook {
  bids: BookLevel[];
  asks: BookLevel[];
  /** The venue's own timestamp of the snapshot, when the payload carries one. */
  exchangeTimeMs: number | null;
}

/**
 * One exchange's public REST market data. Adapters only translate: paths, query parameters and payloads
 * (each validated by its zod schema); rate limiting, retries and the breaker sit in the VenueGuard
 * underneath, paging in fetchCandleHistory above.
 */
export interface VenueAdapter {
  readonly venue: VenueId;
  readonly quoteCurrency: QuoteCurrency;
  /** Most bars one candle request returns. */
  readonly maxBarsPerRequest: number;
  supportsInterval(intervalMs: number): boolean;
  fetchCandlePage(request: CandlePageRequest): Promise<CandlePage>;
  /** `levels` per side, capped to what the venue serves. */
  fetchOrderBook(pair: string, levels: number): Promise<VenueBook>;
  /** The venue's cheapest public request (server time / ping), for reachability probes. */
  ping(): Promise<void>;
}

/** The USD value of one unit of a quote currency, as used to normalize a venue's prices. */
export interface QuoteConversion {
  currency: QuoteCurrency;
  usdPerQuote: number;
  /** Where the rate came from: `identity` (USD), `<venue>:<pair> mid`, `fixed`, or `assumed-par` when the reference failed. */
  source: string;
  observedAtMs: number;
}

/** A market source that normalizes quotes and can say which rate it used per venue (ingest stores it). */
export interface QuoteAware {
  quoteConversion(venue: VenueId): QuoteConversion | null;
}

export function isQuoteAware(source: unknown): source is QuoteAware {
  return typeof (source as Partial<QuoteAware> | null)?.quoteConversion === 'function';
}
