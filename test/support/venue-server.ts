import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { VenueConfig, VenueId } from '../../shared/config/schema.js';
import type { Candle } from '../../shared/market/types.js';
import { VenueGuard, type ResilienceOptions, type VenueRateLimit } from '../../shared/market/resilience.js';
import { BinanceAdapter } from '../../shared/market/venues/binance.js';
import { CoinbaseAdapter } from '../../shared/market/venues/coinbase.js';
import { VenueHttp, createVenueAxios } from '../../shared/market/venues/http.js';
import { KrakenAdapter } from '../../shared/market/venues/kraken.js';
import { LiveMarket, type LiveMarketOptions } from '../../shared/market/venues/live.js';
import type { VenueAdapter } from '../../shared/market/venues/types.js';
import { REAL_DATA_DIR } from './real-data-files.js';

/**
 * Loopback HTTP servers (127.0.0.1, port 0) that speak the public REST paths and query parameters of
 * Binance spot, Coinbase Exchange and Kraken. They serve recorded real payloads where ../shared/data has
 * them (Binance klines BTCUSDT 1m, the Binance.US BTCUSDT depth, Coinbase SKL-USD and Kraken XMR/USD
 * book levels re-wrapped in the REST envelope) and a deterministic hand-written market elsewhere, and
 * can inject faults per venue, endpoint and pair, enforce a token-bucket rate limit (answering 429 with
 * Retry-After), and add latency.
 */

export type VenueEndpoint = 'candles' | 'book' | 'ping';

export type VenueFault =
  /** The request is accepted and never answered. */
  | { kind: 'timeout' }
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** A JSON content type with a body that is not JSON. */
  | { kind: 'malformed-json' }
  /** Content-Length promises the whole body; half of it is sent, then the connection is destroyed. */
  | { kind: 'truncated' }
  /** Valid JSON that is not the venue's payload. */
  | { kind: 'wrong-shape' }
  /** The bar opening at `atMs` trades down to `lowFraction` of its open (a flash-crash wick on this venue). */
  | { kind: 'flash-crash'; atMs: number; lowFraction: number }
  /** No bars with open time in [fromMs, toMs). */
  | { kind: 'gap'; fromMs: number; toMs: number }
  /** The feed stopped: no bars at or after `sinceMs`. */
  | { kind: 'stale'; sinceMs: number }
  | { kind: 'zero-volume'; fromMs: number; toMs: number }
  | { kind: 'crossed-book' }
  | { kind: 'empty-book' }
  | { kind: 'latency'; ms: number };

export interface FaultRule {
  fault: VenueFault;
  endpoint?: VenueEndpoint;
  pair?: string;
  /** Requests the fault applies to before it wears off; unlimited when absent. */
  times?: number;
  /** Only requests whose query passes (e.g. the second page of a history). */
  when?: (query: Record<string, string>) => boolean;
}

export interface TokenBucket {
  /** Cost units the bucket holds (the burst). */
  capacity: number;
  refillPerSecond: number;
}

export interface VenueServerOptions {
  /** The market clock: bars exist up to the one containing now (the open one included, as real venues do). */
  now?: () => number;
  /** Added to every response. */
  latencyMs?: number;
  /** Rate limits enforced per venue (none when absent). Binance's is in request weight. */
  rateLimits?: Partial<Record<VenueId, TokenBucket>>;
  /** Serve the recorded real payloads for the pairs that have them (default true when the data is present). */
  recorded?: boolean;
}

export interface ServedRequest {
  venue: VenueId;
  endpoint: VenueEndpoint | 'unknown';
  path: string;
  query: Record<string, string>;
  status: number;
  /** Wall-clock arrival time (Date.now()). */
  arrivedAtMs: number;
}

export interface VenueServerStats {
  requests: number;
  rateLimited: number;
  byEndpoint: Record<string, number>;
  /** Most requests the server was handling at once (arrived, not yet answered or dropped). */
  maxInFlight: number;
}

export interface VenueServers {
  /** Venue configs pointing at the loopback servers (binance USDT, coinbase USD, kraken USD). */
  venues: VenueConfig[];
  url(venue: VenueId): string;
  fault(venue: VenueId, rule: FaultRule): void;
  clearFaults(): void;
  /** Hand-written payload for one pair and endpoint (served verbatim, JSON-encoded). */
  fixture(venue: VenueId, endpoint: VenueEndpoint, pair: string, body: unknown): void;
  requests(venue?: VenueId): ServedRequest[];
  stats(venue: VenueId): VenueServerStats;
  close(): Promise<void>;
}

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
function round(x: number): number {
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
function krakenKey(pair: string): string {
  const known: Record<string, string> = { XBTUSD: 'XXBTZUSD', ETHUSD: 'XETHZUSD', XMRUSD: 'XXMRZUSD', XDGUSD: 'XDGUSD' };
  return known[pair] ?? pair;
}

/** A generated book around the venue's current price: `levels` per side 1 bp apart, 5,000 USD each. */
function modelBook(venue: VenueId, pair: string, levels: number, nowMs: number): { bids: [string, string][]; asks: [string, string][] } {
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

// --- the servers --------------------------------------------------------------------------------

interface VenueState {
  venue: VenueId;
  server: Server;
  url: string;
  rules: FaultRule[];
  fixtures: Map<string, unknown>;
  log: ServedRequest[];
  stats: VenueServerStats;
  bucket: { tokens: number; updatedMs: number } | null;
  inFlight: number;
}

const WRONG_SHAPES: Record<VenueId, Record<VenueEndpoint, unknown>> = {
  binance: { candles: [{ open: '1', close: '2' }], book: { bids: 'none', asks: [] }, ping: [] },
  coinbase: { candles: { candles: [] }, book: { message: 'ok' }, ping: { time: 'now' } },
  kraken: { candles: { error: [], result: { XXBTZUSD: 'n/a', last: 1 } }, book: { error: [], result: { XXBTZUSD: { asks: 'none' } } }, ping: { error: [] } },
};

const RATE_LIMITED_BODY: Record<VenueId, unknown> = {
  binance: { code: -1003, msg: 'Too many requests; current limit of IP is 6000 request weight per 1 MINUTE.' },
  coinbase: { message: 'Public rate limit exceeded' },
  kraken: { error: ['EAPI:Rate limit exceeded'] },
};

function endpointOf(venue: VenueId, path: string): { endpoint: VenueEndpoint | 'unknown'; pair?: string } {
  if (venue === 'binance') {
    if (path === '/api/v3/klines') return { endpoint: 'candles' };
    if (path === '/api/v3/depth') return { endpoint: 'book' };
    if (path === '/api/v3/ping') return { endpoint: 'ping' };
  } else if (venue === 'coinbase') {
    const m = /^\/products\/([^/]+)\/(candles|book)$/.exec(path);
    if (m) return { endpoint: m[2] === 'candles' ? 'candles' : 'book', pair: decodeURIComponent(m[1]!) };
    if (path === '/time') return { endpoint: 'ping' };
  } else {
    if (path === '/0/public/OHLC') return { endpoint: 'candles' };
    if (path === '/0/public/Depth') return { endpoint: 'book' };
    if (path === '/0/public/Time') return { endpoint: 'ping' };
  }
  return { endpoint: 'unknown' };
}

function binanceWeight(endpoint: VenueEndpoint | 'unknown', query: Record<string, string>): number {
  if (endpoint === 'candles') return 2;
  if (endpoint === 'book') {
    const limit = Number(query.limit ?? 100);
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  }
  return 1;
}

const BINANCE_INTERVALS: Record<string, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '4h': 14_400_000, '1d': DAY_MS };

export async function startVenueServers(options: VenueServerOptions = {}): Promise<VenueServers> {
  const now = options.now ?? Date.now;
  const recorded = options.recorded ?? true;
  const states = new Map<VenueId, VenueState>();
  /** Every request of every venue, in arrival order. */
  const allRequests: ServedRequest[] = [];

  /** The venue's bars for a pair over [fromMs, toMs] (inclusive bounds on open time), data faults applied. */
  const barsOf = (state: VenueState, pair: string, intervalMs: number, fromMs: number, toMs: number, limit: number, newestFirst = false): Candle[] => {
    const nowMs = now();
    const base = baseOf(state.venue, pair);
    const lastOpen = Math.floor(nowMs / intervalMs) * intervalMs;
    const first = Math.ceil(fromMs / intervalMs) * intervalMs;
    const last = Math.min(lastOpen, Math.floor(toMs / intervalMs) * intervalMs);
    const dataRules = state.rules.filter((r) => (!r.endpoint || r.endpoint === 'candles') && (!r.pair || r.pair === pair));
    const out: Candle[] = [];
    const times: number[] = [];
    for (let t = first; t <= last; t += intervalMs) times.push(t);
    if (newestFirst) times.reverse();
    for (const t of times) {
      if (out.length >= limit) break;
      let bar = modelBar(state.venue, base, intervalMs, t, nowMs);
      let skip = false;
      for (const { fault } of dataRules) {
        if (fault.kind === 'gap' && t >= fault.fromMs && t < fault.toMs) skip = true;
        if (fault.kind === 'stale' && t >= fault.sinceMs) skip = true;
        if (fault.kind === 'zero-volume' && t >= fault.fromMs && t < fault.toMs) bar = { ...bar, volume: 0, high: bar.open, low: bar.open, close: bar.open };
        if (fault.kind === 'flash-crash' && t <= fault.atMs && fault.atMs < t + intervalMs) bar = { ...bar, low: round(bar.open * fault.lowFraction) };
      }
      if (!skip) out.push(bar);
    }
    return out;
  };

  const handle = async (state: VenueState, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const { endpoint, pair: pathPair } = endpointOf(state.venue, url.pathname);
    const pair = pathPair ?? query.symbol ?? query.pair ?? '';
    const entry: ServedRequest = { venue: state.venue, endpoint, path: url.pathname, query, status: 200, arrivedAtMs: Date.now() };
    state.log.push(entry);
    allRequests.push(entry);
    state.stats.requests++;
    state.stats.byEndpoint[endpoint] = (state.stats.byEndpoint[endpoint] ?? 0) + 1;

    const send = async (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
      res.end(text);
    };

    // Faults that match this request, each spending one of its `times`.
    const matching = state.rules.filter((r) => (!r.endpoint || r.endpoint === endpoint) && (!r.pair || r.pair === pair) && (!r.when || r.when(query)));
    let latency = options.latencyMs ?? 0;
    let transport: VenueFault | null = null;
    for (const rule of matching) {
      const f = rule.fault;
      if (f.kind === 'latency') latency += f.ms;
      const isTransport = ['timeout', 'status', 'malformed-json', 'truncated', 'wrong-shape'].includes(f.kind);
      if (!isTransport || transport) continue;
      if (rule.times !== undefined) {
        if (rule.times <= 0) continue;
        rule.times--;
      }
      transport = f;
    }

    if (state.bucket) {
      const limit = options.rateLimits![state.venue]!;
      const t = Date.now();
      state.bucket.tokens = Math.min(limit.capacity, state.bucket.tokens + ((t - state.bucket.updatedMs) / 1000) * limit.refillPerSecond);
      state.bucket.updatedMs = t;
      const cost = state.venue === 'binance' ? binanceWeight(endpoint, query) : 1;
      if (state.bucket.tokens < cost) {
        state.stats.rateLimited++;
        const waitSeconds = Math.max(1, Math.ceil((cost - state.bucket.tokens) / limit.refillPerSecond));
        return send(429, RATE_LIMITED_BODY[state.venue], { 'Retry-After': String(waitSeconds) });
      }
      state.bucket.tokens -= cost;
    }

    if (transport) {
      switch (transport.kind) {
        case 'timeout':
          entry.status = 0;
          return; // never answered; close() destroys the socket
        case 'status':
          return send(
            transport.status,
            transport.status === 429 ? RATE_LIMITED_BODY[state.venue] : { message: `injected ${transport.status}` },
            transport.retryAfterSeconds !== undefined ? { 'Retry-After': String(transport.retryAfterSeconds) } : {},
          );
        case 'malformed-json':
          return send(200, '{"bids": [["1.0", ');
        case 'wrong-shape':
          return send(200, WRONG_SHAPES[state.venue][endpoint === 'unknown' ? 'ping' : endpoint]);
        case 'truncated': {
          const full = JSON.stringify(bodyFor(state, endpoint, pair, query));
          if (latency > 0) await new Promise((r) => setTimeout(r, latency));
          entry.status = 200;
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(full) });
          res.write(full.slice(0, Math.floor(full.length / 2)));
          setTimeout(() => res.destroy(), 5);
          return;
        }
        default:
          break;
      }
    }
    const body = bodyFor(state, endpoint, pair, query);
    if (body instanceof HttpAnswer) return send(body.status, body.body);
    return send(200, body);
  };

  class HttpAnswer {
    constructor(
      readonly status: number,
      readonly body: unknown,
    ) {}
  }

  const bodyFor = (state: VenueState, endpoint: VenueEndpoint | 'unknown', pair: string, query: Record<string, string>): unknown => {
    const fixture = state.fixtures.get(`${endpoint}|${pair}`);
    if (fixture !== undefined) return fixture;
    const nowMs = now();
    const bookRules = state.rules.filter((r) => r.endpoint !== 'candles' && (!r.pair || r.pair === pair)).map((r) => r.fault.kind);
    const shapeBook = (book: { bids: [string, string][]; asks: [string, string][] }) => {
      if (bookRules.includes('empty-book')) return { bids: [] as [string, string][], asks: book.asks };
      if (bookRules.includes('crossed-book')) {
        // The best bid moved above the best ask: a stale or broken snapshot.
        const bestAsk = Number(book.asks[0]![0]);
        return { bids: [[String(round(bestAsk * 1.001)), '1'] as [string, string], ...book.bids], asks: book.asks };
      }
      return book;
    };
    switch (state.venue) {
      case 'binance': {
        if (endpoint === 'ping') return {};
        if (endpoint === 'candles') {
          const intervalMs = BINANCE_INTERVALS[query.interval ?? ''];
          if (!intervalMs) return new HttpAnswer(400, { code: -1120, msg: 'Invalid interval.' });
          const limit = Number(query.limit ?? 500);
          if (!(limit >= 1 && limit <= 1000)) return new HttpAnswer(400, { code: -1130, msg: 'Invalid data sent for a parameter.' });
          if (recorded && pair === RECORDED.binanceKlines.pair && query.interval === RECORDED.binanceKlines.interval) {
            const payload = readRecorded(RECORDED.binanceKlines.file);
            if (payload) return payload;
          }
          const end = query.endTime !== undefined ? Number(query.endTime) : nowMs;
          const start = query.startTime !== undefined ? Number(query.startTime) : end - (limit - 1) * intervalMs;
          return barsOf(state, pair, intervalMs, start, end, limit).map((b) => [
            b.openTimeMs,
            String(b.open),
            String(b.high),
            String(b.low),
            String(b.close),
            String(b.volume),
            b.openTimeMs + intervalMs - 1,
            String(round(b.volume * b.close)),
            100,
            String(round(b.volume / 2)),
            String(round((b.volume * b.close) / 2)),
            '0',
          ]);
        }
        if (endpoint === 'book') {
          const limit = Math.min(5000, Number(query.limit ?? 100));
          if (recorded && pair === RECORDED.binanceDepth.pair) {
            const payload = readRecorded(RECORDED.binanceDepth.file);
            if (payload) return payload;
          }
          return { lastUpdateId: Math.floor(nowMs / 1000), ...shapeBook(modelBook('binance', pair, Math.min(limit, 1000), nowMs)) };
        }
        return new HttpAnswer(404, { code: -1, msg: 'not found' });
      }
      case 'coinbase': {
        if (endpoint === 'ping') return { iso: new Date(nowMs).toISOString(), epoch: nowMs / 1000 };
        if (endpoint === 'candles') {
          const granularity = Number(query.granularity);
          if (![60, 300, 900, 3600, 21600, 86400].includes(granularity)) return new HttpAnswer(400, { message: 'Unsupported granularity' });
          const intervalMs = granularity * 1000;
          let start = query.start !== undefined ? Date.parse(query.start) : Number.NaN;
          let end = query.end !== undefined ? Date.parse(query.end) : Number.NaN;
          if (!Number.isFinite(start) || !Number.isFinite(end)) {
            end = nowMs;
            start = end - 299 * intervalMs;
          }
          if ((end - start) / intervalMs > 300) {
            return new HttpAnswer(400, { message: 'granularity too small for the requested time range. Count of aggregations requested exceeds 300' });
          }
          return barsOf(state, pair, intervalMs, start, end, 300, true).map((b) => [b.openTimeMs / 1000, b.low, b.high, b.open, b.close, b.volume]);
        }
        if (endpoint === 'book') {
          if (recorded && pair === RECORDED.coinbaseBook.pair) {
            const payload = readRecorded(RECORDED.coinbaseBook.file) as { bids: [string, string][]; asks: [string, string][] } | null;
            // The websocket level-2 snapshot's levels, in the REST envelope of /book?level=2.
            if (payload) return { bids: payload.bids.map(([p, s]) => [p, s, 1]), asks: payload.asks.map(([p, s]) => [p, s, 1]), sequence: 1, auction_mode: false, auction: null, time: '2021-04-17T16:43:37Z' };
          }
          const book = shapeBook(modelBook('coinbase', pair, 1000, nowMs));
          return { bids: book.bids.map((l) => [...l, 2]), asks: book.asks.map((l) => [...l, 2]), sequence: 1, auction_mode: false, auction: null, time: new Date(nowMs).toISOString() };
        }
        return new HttpAnswer(404, { message: 'NotFound' });
      }
      case 'kraken': {
        if (endpoint === 'ping') return { error: [], result: { unixtime: Math.floor(nowMs / 1000), rfc1123: new Date(nowMs).toUTCString() } };
        if (!pair) return { error: ['EGeneral:Invalid arguments'] };
        if (endpoint === 'candles') {
          const minutes = Number(query.interval ?? 1);
          if (![1, 5, 15, 30, 60, 240, 1440, 10080, 21600].includes(minutes)) return { error: ['EGeneral:Invalid arguments'] };
          const intervalMs = minutes * 60_000;
          const lastOpen = Math.floor(nowMs / intervalMs) * intervalMs;
          // Only the latest 720 bars exist; `since` keeps those after it.
          const oldest = lastOpen - 719 * intervalMs;
          const since = query.since !== undefined ? Number(query.since) * 1000 + 1 : oldest;
          const bars = barsOf(state, pair, intervalMs, Math.max(oldest, since), lastOpen, 720);
          const rows = bars.map((b) => [b.openTimeMs / 1000, String(b.open), String(b.high), String(b.low), String(b.close), String(round((b.open + b.close) / 2)), String(b.volume), 42]);
          const lastCommitted = bars.length > 1 ? bars[bars.length - 2]!.openTimeMs / 1000 : Math.floor(oldest / 1000);
          return { error: [], result: { [krakenKey(pair)]: rows, last: lastCommitted } };
        }
        if (endpoint === 'book') {
          const count = Math.min(500, Math.max(1, Number(query.count ?? 100)));
          if (recorded && pair === RECORDED.krakenDepth.pair) {
            const payload = readRecorded(RECORDED.krakenDepth.file) as [number, { as: [string, string, string][]; bs: [string, string, string][] }] | null;
            if (payload) {
              // The websocket book-1000 snapshot's levels, in the REST envelope of /0/public/Depth.
              const rest = (levels: [string, string, string][]) => levels.slice(0, count).map(([p, v, t]) => [p, v, Math.floor(Number(t))]);
              return { error: [], result: { [krakenKey(pair)]: { asks: rest(payload[1].as), bids: rest(payload[1].bs) } } };
            }
          }
          const book = shapeBook(modelBook('kraken', pair, Math.min(count, 1000), nowMs));
          const ts = Math.floor(nowMs / 1000);
          return { error: [], result: { [krakenKey(pair)]: { asks: book.asks.map((l) => [...l, ts]), bids: book.bids.map((l) => [...l, ts]) } } };
        }
        return new HttpAnswer(404, { error: ['EGeneral:Unknown method'] });
      }
    }
  };

  for (const venue of ['binance', 'coinbase', 'kraken'] as const) {
    const state: VenueState = {
      venue,
      server: createServer(),
      url: '',
      rules: [],
      fixtures: new Map(),
      log: [],
      stats: { requests: 0, rateLimited: 0, byEndpoint: {}, maxInFlight: 0 },
      bucket: options.rateLimits?.[venue] ? { tokens: options.rateLimits[venue]!.capacity, updatedMs: Date.now() } : null,
      inFlight: 0,
    };
    state.server.on('request', (req, res) => {
      state.inFlight++;
      state.stats.maxInFlight = Math.max(state.stats.maxInFlight, state.inFlight);
      // Answered once the last byte is handed to the socket ('finish'), or dropped ('close' without it).
      let done = false;
      const settle = () => {
        if (!done) state.inFlight--;
        done = true;
      };
      res.once('finish', settle);
      res.once('close', settle);
      handle(state, req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: (error as Error).message }));
      });
    });
    await new Promise<void>((done) => state.server.listen(0, '127.0.0.1', done));
    state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
    states.set(venue, state);
  }
  const get = (venue: VenueId) => states.get(venue)!;
  return {
    venues: [
      { id: 'binance', name: 'Binance spot (loopback)', quoteCurrency: 'USDT', baseUrl: get('binance').url, enabled: true },
      { id: 'coinbase', name: 'Coinbase Exchange (loopback)', quoteCurrency: 'USD', baseUrl: get('coinbase').url, enabled: true },
      { id: 'kraken', name: 'Kraken (loopback)', quoteCurrency: 'USD', baseUrl: get('kraken').url, enabled: true },
    ],
    url: (venue) => get(venue).url,
    fault: (venue, rule) => void get(venue).rules.push({ ...rule }),
    clearFaults: () => {
      for (const s of states.values()) s.rules.length = 0;
    },
    fixture: (venue, endpoint, pair, body) => void get(venue).fixtures.set(`${endpoint}|${pair}`, body),
    requests: (venue) => (venue ? [...get(venue).log] : [...allRequests]),
    stats: (venue) => ({ ...get(venue).stats, byEndpoint: { ...get(venue).stats.byEndpoint } }),
    close: async () => {
      await Promise.all(
        [...states.values()].map(
          (s) =>
            new Promise<void>((done) => {
              s.server.closeAllConnections();
              s.server.close(() => done());
            }),
        ),
      );
    },
  };
}

// --- clients with test-speed limits ----------------------------------------------------------------

/** Limits for loopback tests: high enough never to be the bottleneck of a test. */
export const FAST_LIMIT: VenueRateLimit = { requestsPerSecond: 1000, weightPerMinute: null, budgetShare: 1, maxConcurrent: 16 };
export const FAST_LIMITS: Record<VenueId, Partial<VenueRateLimit>> = { binance: FAST_LIMIT, coinbase: FAST_LIMIT, kraken: FAST_LIMIT };

/**
 * A request timeout no loopback answer comes near even on a loaded CI machine (a 100-300 ms timeout made
 * healthy requests fail under CPU load). Tests of the timeout itself set a short one against a venue that
 * never answers (the `timeout` fault), so nothing races.
 */
export const GENEROUS_TIMEOUT_MS = 15_000;

/** Short backoffs so fault tests take milliseconds, not the production seconds; see GENEROUS_TIMEOUT_MS. */
export const FAST_RESILIENCE: Partial<ResilienceOptions> = {
  timeoutMs: GENEROUS_TIMEOUT_MS,
  maxRetries: 2,
  initialBackoffMs: 10,
  maxBackoffMs: 40,
  maxRetryAfterMs: 5_000,
  breakerConsecutiveFailures: 5,
  breakerHalfOpenAfterMs: 60_000,
};

/** One adapter per venue over the given configs, each with its own fast guard. */
export function adaptersFor(venues: readonly VenueConfig[], resilience: Partial<ResilienceOptions> = FAST_RESILIENCE): Record<VenueId, VenueAdapter> {
  const axios = createVenueAxios();
  const make = (id: VenueId) => {
    const config = venues.find((v) => v.id === id)!;
    const http = new VenueHttp(id, config.baseUrl, new VenueGuard(id, FAST_LIMIT, resilience, { random: () => 0.5 }), axios);
    return id === 'binance' ? new BinanceAdapter(http, config.quoteCurrency) : id === 'coinbase' ? new CoinbaseAdapter(http, config.quoteCurrency) : new KrakenAdapter(http, config.quoteCurrency);
  };
  return { binance: make('binance'), coinbase: make('coinbase'), kraken: make('kraken') };
}

/** A LiveMarket over the loopback venues with test-speed limits and resilience. */
export function fastLiveMarket(venues: readonly VenueConfig[], overrides: Partial<LiveMarketOptions> = {}): LiveMarket {
  return new LiveMarket({ venues, limits: FAST_LIMITS, resilience: FAST_RESILIENCE, random: () => 0.5, ...overrides });
}
