import type { VenueId } from '../../shared/config/schema.js';
import type { Candle } from '../../shared/market/types.js';
import { RECORDED, krakenKey, modelBook, readRecorded, round } from './venue-market.js';
import type { VenueEndpoint, VenueFault } from './venue-types.js';

/**
 * The loopback venues' REST payloads (test/support/venue-server.ts): which endpoint a path is, what it
 * costs, and each venue's answer in its own envelope (Binance spot, Coinbase Exchange, Kraken).
 */

export const WRONG_SHAPES: Record<VenueId, Record<VenueEndpoint, unknown>> = {
  binance: { candles: [{ open: '1', close: '2' }], book: { bids: 'none', asks: [] }, ping: [] },
  coinbase: { candles: { candles: [] }, book: { message: 'ok' }, ping: { time: 'now' } },
  kraken: { candles: { error: [], result: { XXBTZUSD: 'n/a', last: 1 } }, book: { error: [], result: { XXBTZUSD: { asks: 'none' } } }, ping: { error: [] } },
};

export const RATE_LIMITED_BODY: Record<VenueId, unknown> = {
  binance: { code: -1003, msg: 'Too many requests; current limit of IP is 6000 request weight per 1 MINUTE.' },
  coinbase: { message: 'Public rate limit exceeded' },
  kraken: { error: ['EAPI:Rate limit exceeded'] },
};

export function endpointOf(venue: VenueId, path: string): { endpoint: VenueEndpoint | 'unknown'; pair?: string } {
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

export function binanceWeight(endpoint: VenueEndpoint | 'unknown', query: Record<string, string>): number {
  if (endpoint === 'candles') return 2;
  if (endpoint === 'book') {
    const limit = Number(query.limit ?? 100);
    return limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
  }
  return 1;
}

const BINANCE_INTERVALS: Record<string, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 };

/** A non-200 answer in the venue's error envelope. */
export class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

type Book = { bids: [string, string][]; asks: [string, string][] };

/** One request as the payload builders see it. */
export interface PayloadRequest {
  endpoint: VenueEndpoint | 'unknown';
  pair: string;
  query: Record<string, string>;
  nowMs: number;
  /** Serve the recorded real payloads for the pairs that have them. */
  recorded: boolean;
  /** The venue's bars of this pair (inclusive bounds on open time), data faults applied. */
  bars: (intervalMs: number, fromMs: number, toMs: number, limit: number, newestFirst?: boolean) => Candle[];
  /** The fault kinds that apply to this pair's book. */
  bookFaults: readonly VenueFault['kind'][];
}

function shapeBook(book: Book, bookFaults: readonly VenueFault['kind'][]): Book {
  if (bookFaults.includes('empty-book')) return { bids: [] as [string, string][], asks: book.asks };
  if (bookFaults.includes('crossed-book')) {
    // The best bid moved above the best ask: a stale or broken snapshot.
    const bestAsk = Number(book.asks[0]![0]);
    return { bids: [[String(round(bestAsk * 1.001)), '1'] as [string, string], ...book.bids], asks: book.asks };
  }
  return book;
}

function binancePayload({ endpoint, pair, query, nowMs, recorded, bars, bookFaults }: PayloadRequest): unknown {
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
    return bars(intervalMs, start, end, limit).map((b) => [
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
    return { lastUpdateId: Math.floor(nowMs / 1000), ...shapeBook(modelBook('binance', pair, Math.min(limit, 1000), nowMs), bookFaults) };
  }
  return new HttpAnswer(404, { code: -1, msg: 'not found' });
}

function coinbasePayload({ endpoint, pair, query, nowMs, recorded, bars, bookFaults }: PayloadRequest): unknown {
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
    return bars(intervalMs, start, end, 300, true).map((b) => [b.openTimeMs / 1000, b.low, b.high, b.open, b.close, b.volume]);
  }
  if (endpoint === 'book') {
    if (recorded && pair === RECORDED.coinbaseBook.pair) {
      const payload = readRecorded(RECORDED.coinbaseBook.file) as Book | null;
      // The websocket level-2 snapshot's levels, in the REST envelope of /book?level=2.
      if (payload) return { bids: payload.bids.map(([p, s]) => [p, s, 1]), asks: payload.asks.map(([p, s]) => [p, s, 1]), sequence: 1, auction_mode: false, auction: null, time: '2021-04-17T16:43:37Z' };
    }
    const book = shapeBook(modelBook('coinbase', pair, 1000, nowMs), bookFaults);
    return { bids: book.bids.map((l) => [...l, 2]), asks: book.asks.map((l) => [...l, 2]), sequence: 1, auction_mode: false, auction: null, time: new Date(nowMs).toISOString() };
  }
  return new HttpAnswer(404, { message: 'NotFound' });
}

function krakenPayload({ endpoint, pair, query, nowMs, recorded, bars, bookFaults }: PayloadRequest): unknown {
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
    const served = bars(intervalMs, Math.max(oldest, since), lastOpen, 720);
    const rows = served.map((b) => [b.openTimeMs / 1000, String(b.open), String(b.high), String(b.low), String(b.close), String(round((b.open + b.close) / 2)), String(b.volume), 42]);
    const lastCommitted = served.length > 1 ? served[served.length - 2]!.openTimeMs / 1000 : Math.floor(oldest / 1000);
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
    const book = shapeBook(modelBook('kraken', pair, Math.min(count, 1000), nowMs), bookFaults);
    const ts = Math.floor(nowMs / 1000);
    return { error: [], result: { [krakenKey(pair)]: { asks: book.asks.map((l) => [...l, ts]), bids: book.bids.map((l) => [...l, ts]) } } };
  }
  return new HttpAnswer(404, { error: ['EGeneral:Unknown method'] });
}

/** The venue's answer to a request: a payload (200) or an HttpAnswer. */
export function venuePayload(venue: VenueId, request: PayloadRequest): unknown {
  switch (venue) {
    case 'binance':
      return binancePayload(request);
    case 'coinbase':
      return coinbasePayload(request);
    case 'kraken':
      return krakenPayload(request);
  }
}
