import type { AxiosInstance } from 'axios';
import { INTERVAL_MS, type VenueConfig, type VenueId } from '../../config/schema.js';
import { MS_PER_HOUR } from '../../util/time.js';
import { VenueDisabledError, VenueIntervalUnsupportedError, VenueNotListedError } from '../errors.js';
import { DEFAULT_VENUE_RATE_LIMITS, VenueGuard, type CircuitStatus, type FleetVenueBudget, type ResilienceOptions, type VenueCallStats, type VenueRateLimit } from '../resilience.js';
import type { Candle, CandleRequest, MarketSource, OrderBook, OrderBookRequest } from '../types.js';
import { BinanceAdapter } from './binance.js';
import { CoinbaseAdapter } from './coinbase.js';
import { VenueHttp, createVenueAxios } from './http.js';
import { KrakenAdapter } from './kraken.js';
import { ResumableHistoryError, fetchCandleHistory, type HistoryCursor } from './paging.js';
import { BookMidQuoteRates, FixedQuoteRates, candlesInUsd, levelsInUsd, type QuoteRateProvider } from './quote.js';
import type { QuoteAware, QuoteConversion, VenueAdapter } from './types.js';

/**
 * Book levels per side asked by default. Binance 500 (weight 25: a 100-asset cycle then costs 2,900 of the
 * 3,000 weight a minute we budget; 1,000 levels would weigh 50 each); Kraken serves at most 500; Coinbase's
 * level-2 book is complete and is cut to 1,000 here. A book that ends before a depth band's edge gives a
 * lower bound for that band (conservative).
 */
export const DEFAULT_BOOK_LEVELS: Readonly<Record<VenueId, number>> = { binance: 500, coinbase: 1000, kraken: 500 };
/** Pages of a failed history are kept this long for the next request to resume from: 6 hours. */
export const DEFAULT_RESUME_TTL_MS = 6 * MS_PER_HOUR;
/** Reachability probe: one ping per venue, no retry, this timeout. */
export const DEFAULT_PROBE_TIMEOUT_MS = 3_000;

export interface LiveMarketOptions {
  /** The configured venues (config.venues); disabled ones are never called. */
  venues: readonly VenueConfig[];
  /** An axios instance to use (default: one created for venue calls). */
  http?: AxiosInstance;
  /** Per-venue overrides of the published limits and of the budget share used (over each venue's config `rateLimit`). */
  limits?: Partial<Record<VenueId, Partial<VenueRateLimit>>>;
  /**
   * Each venue's budget shared with every other process calling it (the cloud workers, the local
   * runtime: a token bucket item per venue in the table). Absent: this process's limiter only (bench).
   */
  fleetBudget?: FleetVenueBudget;
  /** Timeout, retries, backoff and breaker for every venue. */
  resilience?: Partial<ResilienceOptions>;
  /** Per-venue overrides of `resilience` (a venue known to be slow; a test's hung venue, alone on a short timeout). */
  venueResilience?: Partial<Record<VenueId, Partial<ResilienceOptions>>>;
  /** Stablecoin rates. Default: mid of Kraken's USDTZUSD / USDCUSD books when Kraken is configured, else par (flagged). */
  quoteRates?: QuoteRateProvider;
  /** Levels per side asked for books (venues cap it: Kraken 500, Binance 5,000). */
  bookLevels?: number | Partial<Record<VenueId, number>>;
  resumeTtlMs?: number;
  now?: () => number;
  /** Uniform [0, 1) for backoff jitter (tests pin it). */
  random?: () => number;
}

export interface VenueProbe {
  venue: VenueId;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface ProbeResult {
  /** True when at least `minReachable` venues answered. */
  reachable: boolean;
  venues: VenueProbe[];
}

export type LiveMarketStats = Record<string, VenueCallStats & { circuit: CircuitStatus }>;

interface VenueHandle {
  config: VenueConfig;
  guard: VenueGuard;
  adapter: VenueAdapter;
}

function adapterFor(config: VenueConfig, http: VenueHttp): VenueAdapter {
  switch (config.id) {
    case 'binance':
      return new BinanceAdapter(http, config.quoteCurrency);
    case 'coinbase':
      return new CoinbaseAdapter(http, config.quoteCurrency);
    case 'kraken':
      return new KrakenAdapter(http, config.quoteCurrency);
  }
}

/**
 * Live public market data from the configured venues (no API keys): candles paged and resumable, books,
 * every price in USD (stablecoin quotes converted at a recorded rate), each venue behind its own rate
 * limiter, retry policy and circuit breaker.
 */
export class LiveMarket implements MarketSource, QuoteAware {
  readonly kind = 'live' as const;
  readonly simulated = false;
  private readonly handles = new Map<VenueId, VenueHandle>();
  private readonly axios: AxiosInstance;
  private readonly quoteRates: QuoteRateProvider;
  private readonly conversions = new Map<VenueId, QuoteConversion>();
  private readonly cursors = new Map<string, { cursor: HistoryCursor; savedAtMs: number }>();
  private readonly now: () => number;
  private readonly resumeTtlMs: number;

  constructor(private readonly options: LiveMarketOptions) {
    this.now = options.now ?? Date.now;
    this.axios = options.http ?? createVenueAxios();
    this.resumeTtlMs = options.resumeTtlMs ?? DEFAULT_RESUME_TTL_MS;
    for (const config of options.venues) {
      const handle = this.buildHandle(config, { ...options.resilience, ...options.venueResilience?.[config.id] });
      this.handles.set(config.id, handle);
    }
    const kraken = this.handles.get('kraken');
    this.quoteRates = options.quoteRates ?? (kraken?.config.enabled ? new BookMidQuoteRates(kraken.adapter) : new FixedQuoteRates());
  }

  async getCandles({ asset, venue, interval, startMs, endMs }: CandleRequest): Promise<Candle[]> {
    const { adapter } = this.handleOf(venue);
    const pair = asset.venuePairs[venue];
    if (!pair) throw new VenueNotListedError(asset.symbol, venue);
    const intervalMs = INTERVAL_MS[interval];
    if (!adapter.supportsInterval(intervalMs)) throw new VenueIntervalUnsupportedError(venue, intervalMs);
    if (endMs <= startMs) return [];
    const key = `${venue}|${pair}|${intervalMs}`;
    const saved = this.cursors.get(key);
    const resume = saved && this.now() - saved.savedAtMs <= this.resumeTtlMs ? saved.cursor : undefined;
    let candles: Candle[];
    try {
      ({ candles } = await fetchCandleHistory(adapter, { pair, intervalMs, startMs, endMs }, resume));
    } catch (error) {
      if (error instanceof ResumableHistoryError) this.cursors.set(key, { cursor: error.cursor, savedAtMs: this.now() });
      throw error;
    }
    this.cursors.delete(key);
    const conversion = await this.convert(venue, adapter);
    return candlesInUsd(candles, conversion.usdPerQuote);
  }

  async getOrderBook({ asset, venue }: OrderBookRequest): Promise<OrderBook> {
    const { adapter } = this.handleOf(venue);
    const pair = asset.venuePairs[venue];
    if (!pair) throw new VenueNotListedError(asset.symbol, venue);
    const book = await adapter.fetchOrderBook(pair, this.bookLevelsOf(venue));
    const fetchedAtMs = this.now();
    const conversion = await this.convert(venue, adapter);
    return {
      asset: asset.symbol,
      venue,
      pair,
      fetchedAtMs,
      bids: levelsInUsd(book.bids, conversion.usdPerQuote),
      asks: levelsInUsd(book.asks, conversion.usdPerQuote),
    };
  }

  /** The stablecoin rate last applied to this venue's prices (null before its first request). */
  quoteConversion(venue: VenueId): QuoteConversion | null {
    return this.conversions.get(venue) ?? null;
  }

  /**
   * Whether live venues answer: one ping per enabled venue, in parallel, no retry, through a separate
   * breaker (a failed probe does not open the data path's circuit). For `--source auto`.
   */
  async probe(options: { timeoutMs?: number; minReachable?: number } = {}): Promise<ProbeResult> {
    const enabled = this.options.venues.filter((v) => v.enabled);
    const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    const minReachable = options.minReachable ?? Math.min(2, enabled.length);
    const venues = await Promise.all(
      enabled.map(async (config): Promise<VenueProbe> => {
        const handle = this.buildHandle(config, { timeoutMs, maxRetries: 0 });
        const start = performance.now();
        try {
          await handle.adapter.ping();
          return { venue: config.id, ok: true, latencyMs: Math.round(performance.now() - start) };
        } catch (error) {
          return { venue: config.id, ok: false, latencyMs: Math.round(performance.now() - start), error: (error as Error).message };
        } finally {
          await handle.guard.dispose();
        }
      }),
    );
    return { reachable: enabled.length > 0 && venues.filter((v) => v.ok).length >= minReachable, venues };
  }

  /** Per-venue counters: attempts, retries, timeouts, 429s, short-circuits, and the circuit state. */
  stats(): LiveMarketStats {
    const out: LiveMarketStats = {};
    for (const [venue, { guard }] of this.handles) out[venue] = { ...guard.stats, circuit: guard.circuit };
    return out;
  }

  /** Stops the limiters (queued requests are dropped). */
  async dispose(): Promise<void> {
    await Promise.all([...this.handles.values()].map((h) => h.guard.dispose()));
  }

  private buildHandle(config: VenueConfig, resilience: Partial<ResilienceOptions>): VenueHandle {
    const limit: VenueRateLimit = { ...DEFAULT_VENUE_RATE_LIMITS[config.id], ...config.rateLimit, ...this.options.limits?.[config.id] };
    const guard = new VenueGuard(config.id, limit, resilience, {
      now: this.now,
      ...(this.options.random ? { random: this.options.random } : {}),
      ...(this.options.fleetBudget ? { fleetBudget: this.options.fleetBudget } : {}),
    });
    const http = new VenueHttp(config.id, config.baseUrl, guard, this.axios, this.now);
    return { config, guard, adapter: adapterFor(config, http) };
  }

  private handleOf(venue: VenueId): VenueHandle {
    const handle = this.handles.get(venue);
    if (!handle || !handle.config.enabled) throw new VenueDisabledError(venue);
    return handle;
  }

  private bookLevelsOf(venue: VenueId): number {
    const levels = this.options.bookLevels;
    if (typeof levels === 'number') return levels;
    return levels?.[venue] ?? DEFAULT_BOOK_LEVELS[venue];
  }

  private async convert(venue: VenueId, adapter: VenueAdapter): Promise<QuoteConversion> {
    const conversion = await this.quoteRates.usdPer(adapter.quoteCurrency, this.now());
    this.conversions.set(venue, conversion);
    return conversion;
  }
}
