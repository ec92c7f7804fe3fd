import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VenueConfig, VenueId } from '../../shared/config/schema.js';
import type { Candle } from '../../shared/market/types.js';
import { VenueGuard, type ResilienceOptions, type VenueRateLimit } from '../../shared/market/resilience.js';
import { BinanceAdapter } from '../../shared/market/venues/binance.js';
import { CoinbaseAdapter } from '../../shared/market/venues/coinbase.js';
import { VenueHttp, createVenueAxios } from '../../shared/market/venues/http.js';
import { KrakenAdapter } from '../../shared/market/venues/kraken.js';
import { LiveMarket, type LiveMarketOptions } from '../../shared/market/venues/live.js';
import type { VenueAdapter } from '../../shared/market/venues/types.js';
import { baseOf, modelBar, round } from './venue-market.js';
import { HttpAnswer, RATE_LIMITED_BODY, WRONG_SHAPES, binanceWeight, endpointOf, venuePayload } from './venue-payloads.js';
import type { FaultRule, ServedRequest, VenueEndpoint, VenueFault, VenueServerOptions, VenueServerStats, VenueServers } from './venue-types.js';

export { LOOPBACK_USD_PER, RECORDED, VENUE_QUOTES, baseOf, modelBar, modelPriceUsd, readRecorded } from './venue-market.js';
export type { FaultRule, ServedRequest, TokenBucket, VenueEndpoint, VenueFault, VenueServerOptions, VenueServerStats, VenueServers } from './venue-types.js';

/**
 * Loopback HTTP servers (127.0.0.1, port 0) that speak the public REST paths and query parameters of
 * Binance spot, Coinbase Exchange and Kraken. They serve recorded real payloads where ../shared/data has
 * them (Binance klines BTCUSDT 1m, the Binance.US BTCUSDT depth, Coinbase SKL-USD and Kraken XMR/USD
 * book levels re-wrapped in the REST envelope) and a deterministic hand-written market elsewhere, and
 * can inject faults per venue, endpoint and pair, enforce a token-bucket rate limit (answering 429 with
 * Retry-After), and add latency. The market and recorded payloads: venue-market.ts; each venue's REST
 * envelope: venue-payloads.ts; options and faults: venue-types.ts.
 */

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

  const bodyFor = (state: VenueState, endpoint: VenueEndpoint | 'unknown', pair: string, query: Record<string, string>): unknown => {
    const fixture = state.fixtures.get(`${endpoint}|${pair}`);
    if (fixture !== undefined) return fixture;
    const nowMs = now();
    const bookFaults = state.rules.filter((r) => r.endpoint !== 'candles' && (!r.pair || r.pair === pair)).map((r) => r.fault.kind);
    return venuePayload(state.venue, {
      endpoint,
      pair,
      query,
      nowMs,
      recorded,
      bars: (intervalMs, fromMs, toMs, limit, newestFirst) => barsOf(state, pair, intervalMs, fromMs, toMs, limit, newestFirst),
      bookFaults,
    });
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
