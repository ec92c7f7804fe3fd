import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { AssetConfig, VenueId } from '../../shared/config/schema.js';
import {
  CandleHistoryIncompleteError,
  VenueHttpStatusError,
  VenueMalformedResponseError,
  VenueNetworkError,
  VenuePayloadError,
  VenueTimeoutError,
  VenueUnavailableError,
} from '../../shared/market/errors.js';
import type { LiveMarket } from '../../shared/market/venues/live.js';
import { FAST_RESILIENCE, fastLiveMarket, modelBar, startVenueServers, type VenueServers } from '../support/venue-server.js';

/**
 * Transport faults through the loopback servers, each with its documented outcome (docs/market-data.md,
 * "Faults and outcomes"). Data faults (wick, gap, stale feed, books) are in ingest-venues.test.ts,
 * where their outcome is the stored snapshot.
 */

const NOW = Date.UTC(2025, 5, 1, 12, 7, 30);
const H1 = 3_600_000;
const END = Math.floor(NOW / H1) * H1;

let servers: VenueServers;
let assets: AssetConfig[];
let market: LiveMarket;

beforeAll(async () => {
  servers = await startVenueServers({ now: () => NOW });
  assets = buildConfig().assets;
});
afterAll(async () => {
  await servers?.close();
});
afterEach(async () => {
  servers.clearFaults();
  await market?.dispose();
});

const asset = (symbol: string) => assets.find((a) => a.symbol === symbol)!;
const hourly = (symbol: string, venue: VenueId, hours = 3) => market.getCandles({ asset: asset(symbol), venue, interval: '1h', startMs: END - hours * H1, endMs: END });
const sent = (venue: VenueId) => servers.stats(venue).requests;

/** The outcome of `work` and how long it took: only ever a lower bound here (load can add time, never remove it). */
async function timed<T>(work: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const start = performance.now();
  try {
    const value = await work;
    return { value, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

describe('timeouts', () => {
  // A venue that never answers, alone on a short timeout: the healthy venues keep FAST_RESILIENCE's
  // generous one, so nothing a loaded machine does can make them time out.
  it('a request that never answers is aborted at the timeout, retried, then fails as VenueTimeoutError', async () => {
    market = fastLiveMarket(servers.venues, { venueResilience: { coinbase: { timeoutMs: 100 } } });
    servers.fault('coinbase', { fault: { kind: 'timeout' }, endpoint: 'candles' });
    const before = sent('coinbase');
    // The server never answers, so only the client's timeout can end this call (else the test times out).
    const { error, ms } = await timed(hourly('ETH', 'coinbase'));
    expect(error).toBeInstanceOf(CandleHistoryIncompleteError);
    expect((error as CandleHistoryIncompleteError).cause).toBeInstanceOf(VenueTimeoutError);
    expect((error as CandleHistoryIncompleteError).cause).toMatchObject({ timeoutMs: 100 });
    expect(sent('coinbase') - before).toBe(1 + FAST_RESILIENCE.maxRetries!);
    expect(market.stats().coinbase!.timeouts).toBe(3);
    // Each of the 3 attempts waited out its full 100 ms.
    expect(ms).toBeGreaterThanOrEqual(300);
  });

  it('a dead venue opens its circuit: later requests fail at once without reaching it', async () => {
    market = fastLiveMarket(servers.venues, { venueResilience: { kraken: { timeoutMs: 150, breakerConsecutiveFailures: 4 } } });
    servers.fault('kraken', { fault: { kind: 'timeout' } });
    const before = sent('kraken');
    await expect(market.getOrderBook({ asset: asset('BTC'), venue: 'kraken', atMs: NOW })).rejects.toThrow(VenueTimeoutError);
    // The 4th consecutive timeout opens the circuit; the retry after it is refused.
    await expect(market.getOrderBook({ asset: asset('ETH'), venue: 'kraken', atMs: NOW })).rejects.toThrow(VenueUnavailableError);
    const opened = market.stats().kraken!;
    expect(opened).toMatchObject({ circuit: 'open', circuitOpenings: 1, timeouts: 4, attempts: 4 });
    const refused = await timed(market.getOrderBook({ asset: asset('SOL'), venue: 'kraken', atMs: NOW }));
    expect(refused.error).toBeInstanceOf(VenueUnavailableError);
    expect((refused.error as Error).message).toMatch(/circuit open.*no response within 150 ms/);
    // Refused at once: no attempt made, so no timeout waited out, and nothing reached the server.
    expect(market.stats().kraken).toMatchObject({ attempts: 4, timeouts: 4, shortCircuited: opened.shortCircuited + 1 });
    expect(sent('kraken') - before).toBe(4);
    expect(market.stats().kraken).toMatchObject({ circuit: 'open', circuitOpenings: 1 });
    // Other venues are unaffected, in the same market.
    expect((await market.getOrderBook({ asset: asset('SOL'), venue: 'coinbase', atMs: NOW })).bids.length).toBeGreaterThan(0);
    expect(market.stats().coinbase).toMatchObject({ circuit: 'closed', failed: 0, timeouts: 0 });
  });
});

describe('429 with Retry-After', () => {
  it('waits at least Retry-After, then succeeds with the right data', async () => {
    market = fastLiveMarket(servers.venues);
    servers.fault('binance', { fault: { kind: 'status', status: 429, retryAfterSeconds: 1 }, endpoint: 'candles', times: 1 });
    const { value, ms } = await timed(hourly('SOL', 'binance'));
    expect(ms).toBeGreaterThanOrEqual(1_000);
    expect(value).toHaveLength(3);
    expect(value!.at(-1)!.volume).toBe(modelBar('binance', 'SOL', H1, END - H1).volume);
    expect(market.stats().binance).toMatchObject({ rateLimited: 1, retries: 1, failed: 0 });
  });

  it('a Retry-After beyond the longest we honour fails at once instead of stalling the cycle', async () => {
    market = fastLiveMarket(servers.venues);
    servers.fault('coinbase', { fault: { kind: 'status', status: 429, retryAfterSeconds: 120 }, endpoint: 'book' });
    const before = sent('coinbase');
    const { error } = await timed(market.getOrderBook({ asset: asset('BTC'), venue: 'coinbase', atMs: NOW }));
    expect(error).toBeInstanceOf(VenueHttpStatusError);
    expect(error).toMatchObject({ code: 'VENUE_RATE_LIMITED', status: 429, retryAfterMs: 120_000 });
    // Not retried after any wait (a 120 s wait would outlast the test's timeout): one request, no retry.
    expect(sent('coinbase') - before).toBe(1);
    expect(market.stats().coinbase).toMatchObject({ attempts: 1, retries: 0, rateLimited: 1, failed: 1 });
  });
});

describe('HTTP 500', () => {
  it('a transient 500 is retried with backoff and the request succeeds', async () => {
    market = fastLiveMarket(servers.venues);
    servers.fault('kraken', { fault: { kind: 'status', status: 500 }, endpoint: 'candles', times: 2 });
    const before = sent('kraken');
    const bars = await hourly('LINK', 'kraken');
    expect(bars.at(-1)).toEqual(modelBar('kraken', 'LINK', H1, END - H1));
    expect(sent('kraken') - before).toBe(3);
    expect(market.stats().kraken!.retries).toBe(2);
  });

  it('a persistent 500 fails the request with the status after the retries', async () => {
    market = fastLiveMarket(servers.venues);
    servers.fault('binance', { fault: { kind: 'status', status: 503 }, endpoint: 'book' });
    await expect(market.getOrderBook({ asset: asset('ETH'), venue: 'binance', atMs: NOW })).rejects.toMatchObject({ code: 'VENUE_HTTP_STATUS', status: 503 });
    expect(market.stats().binance).toMatchObject({ attempts: 3, retries: 2, failed: 1 });
  });
});

describe('bodies that are not the payload', () => {
  it.each(['binance', 'coinbase', 'kraken'] as const)('%s: malformed JSON fails at once as VenueMalformedResponseError (not retried)', async (venue) => {
    market = fastLiveMarket(servers.venues);
    servers.fault(venue, { fault: { kind: 'malformed-json' }, endpoint: 'candles' });
    const before = sent(venue);
    const { error } = await timed(hourly('UNI', venue));
    expect((error as CandleHistoryIncompleteError).cause).toBeInstanceOf(VenueMalformedResponseError);
    expect(sent(venue) - before).toBe(1);
    expect(market.stats()[venue]!.circuit).toBe('closed');
  });

  it.each(['binance', 'coinbase', 'kraken'] as const)('%s: valid JSON of the wrong shape fails as VenuePayloadError naming the field', async (venue) => {
    market = fastLiveMarket(servers.venues);
    servers.fault(venue, { fault: { kind: 'wrong-shape' } });
    const candles = await timed(hourly('AAVE', venue));
    expect((candles.error as CandleHistoryIncompleteError).cause).toBeInstanceOf(VenuePayloadError);
    const book = await timed(market.getOrderBook({ asset: asset('AAVE'), venue, atMs: NOW }));
    expect(book.error).toBeInstanceOf(VenuePayloadError);
    expect((book.error as VenuePayloadError).problems.length).toBeGreaterThan(0);
  });

  it('a truncated body (connection closed mid-body) is a network error: retried, and a transient one recovers', async () => {
    market = fastLiveMarket(servers.venues);
    servers.fault('coinbase', { fault: { kind: 'truncated' }, endpoint: 'book', times: 1 });
    const book = await market.getOrderBook({ asset: asset('DOGE'), venue: 'coinbase', atMs: NOW });
    expect(book.bids.length).toBe(1000);
    expect(market.stats().coinbase!.retries).toBe(1);
    servers.fault('coinbase', { fault: { kind: 'truncated' }, endpoint: 'book' });
    await expect(market.getOrderBook({ asset: asset('DOGE'), venue: 'coinbase', atMs: NOW })).rejects.toThrow(VenueNetworkError);
  });
});

describe('paging that fails part-way', () => {
  it('keeps the validated pages and resumes at the failed one on the next request', async () => {
    market = fastLiveMarket(servers.venues);
    const startMs = END - 20 * 24 * H1;
    const secondPage = (q: Record<string, string>) => Date.parse(q.start ?? '') > startMs;
    servers.fault('coinbase', { fault: { kind: 'status', status: 502 }, endpoint: 'candles', pair: 'CRV-USD', when: secondPage, times: 3 });
    const request = { asset: asset('CRV'), venue: 'coinbase' as const, interval: '1h' as const, startMs, endMs: END };
    const first = await timed(market.getCandles(request));
    expect(first.error).toBeInstanceOf(CandleHistoryIncompleteError);
    expect(first.error).toMatchObject({ resumeFromMs: startMs + 299 * H1, barsFetched: 299 });
    const before = servers.requests('coinbase').length;
    const bars = await market.getCandles(request);
    const resumed = servers.requests('coinbase').slice(before);
    expect(resumed).toHaveLength(1);
    expect(Date.parse(resumed[0]!.query.start!)).toBe(startMs + 299 * H1);
    expect(bars).toHaveLength(480);
    expect(bars[0]).toEqual(modelBar('coinbase', 'CRV', H1, startMs));
    expect(new Set(bars.map((b) => b.openTimeMs)).size).toBe(480);
  });
});
