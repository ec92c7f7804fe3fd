import type { BookLevel, Candle } from '../types.js';
import type { QuoteConversion, QuoteCurrency, VenueAdapter } from './types.js';

/** The USD value of a quote currency at a moment. */
export interface QuoteRateProvider {
  usdPer(currency: QuoteCurrency, nowMs: number): Promise<QuoteConversion>;
}

/** Known rates (tests, replays, or an operator pinning them). USD is always 1. */
export class FixedQuoteRates implements QuoteRateProvider {
  constructor(private readonly rates: Partial<Record<QuoteCurrency, number>> = {}) {}

  async usdPer(currency: QuoteCurrency, nowMs: number): Promise<QuoteConversion> {
    if (currency === 'USD') return { currency, usdPerQuote: 1, source: 'identity', observedAtMs: nowMs };
    const rate = this.rates[currency];
    return rate !== undefined
      ? { currency, usdPerQuote: rate, source: 'fixed', observedAtMs: nowMs }
      : { currency, usdPerQuote: 1, source: 'assumed-par', observedAtMs: nowMs };
  }
}

export interface BookMidQuoteRatesOptions {
  /** The USD-quoted pair of each stablecoin on the reference venue (Kraken: USDTZUSD, USDCUSD). */
  pairs: Partial<Record<QuoteCurrency, string>>;
  /** A fetched rate is reused this long (stablecoins move little within a cycle). */
  ttlMs: number;
  /** After the reference failed, par is reused this long before asking again (a dead reference must not slow every request). */
  failureTtlMs: number;
}

export const DEFAULT_QUOTE_PAIRS: Partial<Record<QuoteCurrency, string>> = { USDT: 'USDTZUSD', USDC: 'USDCUSD' };
/** Default reuse time of a stablecoin rate: 10 minutes; of an assumed par after a failure: 1 minute. */
export const DEFAULT_QUOTE_TTL_MS = 600_000;
export const DEFAULT_QUOTE_FAILURE_TTL_MS = 60_000;

/**
 * Stablecoin rates from the mid of a USD-quoted book on a reference venue (one small depth request per
 * currency and TTL). When the reference fails, par is assumed and said so (`assumed-par`), so the
 * quality report can flag it rather than the whole venue being lost.
 */
export class BookMidQuoteRates implements QuoteRateProvider {
  private readonly cache = new Map<QuoteCurrency, QuoteConversion>();
  private readonly inflight = new Map<QuoteCurrency, Promise<QuoteConversion>>();
  private readonly options: BookMidQuoteRatesOptions;

  constructor(
    private readonly reference: VenueAdapter,
    options: Partial<BookMidQuoteRatesOptions> = {},
  ) {
    this.options = { pairs: DEFAULT_QUOTE_PAIRS, ttlMs: DEFAULT_QUOTE_TTL_MS, failureTtlMs: DEFAULT_QUOTE_FAILURE_TTL_MS, ...options };
  }

  async usdPer(currency: QuoteCurrency, nowMs: number): Promise<QuoteConversion> {
    if (currency === 'USD') return { currency, usdPerQuote: 1, source: 'identity', observedAtMs: nowMs };
    const cached = this.cache.get(currency);
    const ttl = cached?.source === 'assumed-par' ? this.options.failureTtlMs : this.options.ttlMs;
    if (cached && nowMs - cached.observedAtMs < ttl) return cached;
    let pending = this.inflight.get(currency);
    if (!pending) {
      pending = this.fetch(currency, nowMs).finally(() => this.inflight.delete(currency));
      this.inflight.set(currency, pending);
    }
    return pending;
  }

  private async fetch(currency: QuoteCurrency, nowMs: number): Promise<QuoteConversion> {
    const pair = this.options.pairs[currency];
    let conversion: QuoteConversion = { currency, usdPerQuote: 1, source: 'assumed-par', observedAtMs: nowMs };
    if (pair) {
      try {
        const book = await this.reference.fetchOrderBook(pair, 1);
        const bid = book.bids[0]?.price;
        const ask = book.asks[0]?.price;
        if (bid !== undefined && ask !== undefined && bid < ask) {
          conversion = { currency, usdPerQuote: (bid + ask) / 2, source: `${this.reference.venue}:${pair} mid`, observedAtMs: nowMs };
        }
      } catch {
        // The reference is down: par, flagged by its source.
      }
    }
    this.cache.set(currency, conversion);
    return conversion;
  }
}

/** Candles in USD: prices times the rate, volume (base units) unchanged. */
export function candlesInUsd(candles: readonly Candle[], usdPerQuote: number): Candle[] {
  if (usdPerQuote === 1) return candles.slice();
  return candles.map((c) => ({
    openTimeMs: c.openTimeMs,
    open: c.open * usdPerQuote,
    high: c.high * usdPerQuote,
    low: c.low * usdPerQuote,
    close: c.close * usdPerQuote,
    volume: c.volume,
  }));
}

/** Book levels in USD: prices times the rate, quantities (base units) unchanged. */
export function levelsInUsd(levels: readonly BookLevel[], usdPerQuote: number): BookLevel[] {
  return usdPerQuote === 1 ? levels.slice() : levels.map((l) => ({ price: l.price * usdPerQuote, quantity: l.quantity }));
}
