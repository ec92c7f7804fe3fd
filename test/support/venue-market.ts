import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { VenueId } from '../../shared/config/schema.js';
import type { Candle } from '../../shared/market/types.js';
import { REAL_DATA_DIR } from './real-data-files.js';

/**
 * What the loopback venues (test/support/venue-server.ts) quote: a deterministic hand-written market
 * (smooth prices, per-venue basis and quote currency, generated books) and the recorded real payloads
 * of ../shared/data served for the pairs that have them.
 */

// --- the hand-written market ---------------------------------------------------------------------

const DAY_MS = 86_400_000;
/** USD per USDT and per USDC on the loopback market (Kraken's USDTZUSD / USDCUSD books sit here). */
export const LOOPBACK_USD_PER = { USDT: 1.0005, USDC: 0.9999 } as const;
const START_PRICES: Record<string, number> = { BTC: 60_000, ETH: 3_000, SOL: 150, LINK: 15, UNI: 8, AAVE: 150, DOGE: 0.15, CRV: 0.5 };
/** Each venue's small basis to the common price (so medians are not trivial). */
const VENUE_BASIS: Record<VenueId, number> = { binance: 1.0001, coinbase: 1, kraken: 0.9999 };
export const VENUE_QUOTES: Record<VenueId, 'USD' | 'USDT'> = { binance: 'USDT', coinbase: 'USD', kraken: 'USD' };

/** Deterministic uniform [0, 1) from a few labels and numbers (FNV-1a over strings, integer mix for numbers). */
function hash(...parts: (string | number)[]): number {
  let h = 2166136261;
  for (const part of parts) {
    if (typeof part === 'number') {
      h = Math.imul(h ^ (part % 4294967296), 2654435761);
      h = Math.imul(h ^ Math.floor(part / 4294967296), 2246822519);
    } else {
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 16777619);
    }
    h ^= h >>> 15;
  }
  return (h >>> 0) / 4294967296;
}

/** The common USD price of an asset: smooth (daily and weekly cycles), so bars of any interval agree. */
export function modelPriceUsd(base: string, timeMs: number): number {
  const start = START_PRICES[base] ?? 10 + hash('start', base) * 990;
  const phase = hash('phase', base) * 2 * Math.PI;
  return start * Math.exp(0.01 * Math.sin((2 * Math.PI * timeMs) / DAY_MS + phase) + 0.02 * Math.sin((2 * Math.PI * timeMs) / (7 * DAY_MS)));
}

/** A venue's bar in its own quote currency, before faults. */
export function modelBar(venue: VenueId, base: string, intervalMs: number, openTimeMs: number, nowMs = Number.POSITIVE_INFINITY): Candle {
  const quote = VENUE_QUOTES[venue];
  const toQuote = VENUE_BASIS[venue] / (quote === 'USDT' ? LOOPBACK_USD_PER.USDT : 1);
  const closeTime = Math.min(openTimeMs + intervalMs, nowMs);
  const open = modelPriceUsd(base, openTimeMs) * toQuote;
  const close = modelPriceUsd(base, closeTime) * toQuote;
  const wick = 0.0005 + 0.001 * hash('wick', venue, base, intervalMs, openTimeMs);
  const volume = (1 + hash('volume', venue, base, openTimeMs)) * (1000 / (START_PRICES[base] ?? 100)) * (intervalMs / 300_000);
  return {
    openTimeMs,
    open: round(open),
    high: round(Math.max(open, close) * (1 + wick)),
    low: round(Math.min(open, close) * (1 - wick)),
    close: round(close),
    volume: round(volume),
  };
}

/** Prices as a venue would print them: 8 significant digits. */
export function round(x: number): number {
  return Number(x.toPrecision(8));
}

/** The base asset of a venue pair (BTCUSDT, BTC-USD, XBTUSD, USDTZUSD). */
export function baseOf(venue: VenueId, pair: string): string {
  const aliases: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE', XXBT: 'BTC', XETH: 'ETH' };
  let base: string;
  if (venue === 'coinbase') base = pair.split('-')[0]!;
  else if (venue === 'kraken') base = pair.replace(/Z?USD$/, '');
  else base = pair.replace(/(USDT|USDC|USD)$/, '');
  return aliases[base] ?? base;
}

/** Kraken answers under its own pair names. */
export function krakenKey(pair: string): string {
  const known: Record<string, string> = { XBTUSD: 'XXBTZUSD', ETHUSD: 'XETHZUSD', XMRUSD: 'XXMRZUSD', XDGUSD: 'XDGUSD' };
  return known[pair] ?? pair;
}

/** A generated book around the venue's current price: `levels` per side 1 bp apart, 5,000 USD each. */
export function modelBook(venue: VenueId, pair: string, levels: number, nowMs: number): { bids: [string, string][]; asks: [string, string][] } {
  const base = baseOf(venue, pair);
  const stable = base === 'USDT' || base === 'USDC' ? LOOPBACK_USD_PER[base] : null;
  const mid = stable ?? modelBar(venue, base, 60_000, Math.floor(nowMs / 60_000) * 60_000).close;
  const step = stable ? 0.00001 : 0.0001;
  const bids: [string, string][] = [];
  const asks: [string, string][] = [];
  for (let i = 1; i <= levels; i++) {
    const bid = mid * (1 - step * i);
    const ask = mid * (1 + step * i);
    bids.push([String(round(bid)), String(round(5000 / bid))]);
    asks.push([String(round(ask)), String(round(5000 / ask))]);
  }
  return { bids, asks };
}

// --- recorded payloads --------------------------------------------------------------------------

export const RECORDED = {
  binanceKlines: { pair: 'BTCUSDT', interval: '1m', file: 'api_responses/binance_spot_api-v3-klines_BTCUSDT_1m_20211022T2303Z.json' },
  binanceDepth: { pair: 'BTCUSDT', file: 'orderbooks/binanceus_BTCUSDT_20210417T163648Z.json' },
  coinbaseBook: { pair: 'SKL-USD', file: 'orderbooks/coinbase_SKL-USD_20210417T164337Z.json' },
  krakenDepth: { pair: 'XMRUSD', file: 'orderbooks/kraken_XMR-USD_20210417T164854Z.json' },
} as const;

export function readRecorded(file: string): unknown | null {
  const path = resolve(REAL_DATA_DIR, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as unknown) : null;
}
