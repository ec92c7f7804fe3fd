import { describe, expect, it } from 'vitest';
import { benchVenues } from '../../bench/venues.js';
import { buildConfig } from '../../shared/config/load.js';
import type { VenueId } from '../../shared/config/schema.js';
import type { VenueRateLimit } from '../../shared/market/resilience.js';
import { LiveMarket } from '../../shared/market/venues/live.js';
import { FAST_RESILIENCE, startVenueServers, type TokenBucket } from '../support/venue-server.js';

const NOW = Date.UTC(2025, 5, 2, 12, 7, 30);
const M5 = 300_000;
const END = Math.floor(NOW / M5) * M5;
const VENUES: readonly VenueId[] = ['binance', 'coinbase', 'kraken'];

/**
 * No assertion here reads a clock: how long a cycle takes is `npm run bench`'s to print. What holds under
 * any CPU load is what the servers count. A token bucket (capacity C, refill r/s, full at the start) never
 * answers 429 to a client that keeps at most K requests in flight and starts them at least 1/q s apart
 * when C >= K + 1 and r >= q: the requests a server checks in any window of d seconds are at most the K
 * in flight when it opens plus 1 + q*d started inside it, against the C + r*d tokens the bucket allows.
 * Load only delays arrivals, so it can bunch them by no more than the K in flight.
 */
describe('a live-data cycle against rate-limited loopback venues', () => {
  it('15 assets x 3 venues, 50 ms latency: every call succeeds, run concurrently within each venue\'s limits, zero 429s', async () => {
    // Coinbase and Kraken tightened from the bench's burst of 50 to 10 (at 50/s), just above what the bench
    // client's 8 in flight at 40/s needs (10 >= 8 + 1, 50 >= 40), so a pacing slip would show as a 429.
    const tight: TokenBucket = { capacity: 10, refillPerSecond: 50 };
    const r = await benchVenues({ assets: 15, latencyMs: 50, print: false, serverLimits: { coinbase: tight, kraken: tight } });
    expect(r.failedCalls).toBe(0);
    expect(r.completeAssetVenues).toBe(45);
    // 5m bars, 1h bars and a book per asset-venue; Kraken also serves the USDT/USD book once (Binance quotes USDT).
    expect(r.requests).toEqual({ binance: 45, coinbase: 45, kraken: 46 });
    expect(r.rateLimited).toBe(0);
    expect(r.retries).toBe(0);
    for (const venue of VENUES) {
      // Not one request at a time (what a 15 s budget for 100 assets needs), never beyond maxConcurrent 8.
      expect(r.maxInFlight[venue], venue).toBeGreaterThan(1);
      expect(r.maxInFlight[venue], venue).toBeLessThanOrEqual(8);
    }
  });

  it('the limits are real: a greedy client draws 429s from a loopback venue, the limiter at the venue\'s rate draws none', async () => {
    // Coinbase tightened to a burst of 6 at 6 requests/s; 12 candle requests for 12 assets.
    const bucket: TokenBucket = { capacity: 6, refillPerSecond: 6 };
    const template = buildConfig().assets[0]!;
    const assets = Array.from({ length: 12 }, (_, i) => ({ ...template, symbol: `R${i}`, venuePairs: { coinbase: `R${i}-USD` } }));
    // Each client on its own servers, so each meets a full bucket.
    const cycle = async (limit: Partial<VenueRateLimit>) => {
      const servers = await startVenueServers({ now: () => NOW, rateLimits: { coinbase: bucket }, recorded: false });
      const market = new LiveMarket({ venues: servers.venues, limits: { coinbase: limit }, resilience: FAST_RESILIENCE, now: () => NOW });
      try {
        const bars = await Promise.all(assets.map((asset) => market.getCandles({ asset, venue: 'coinbase', interval: '5m', startMs: END - 12 * M5, endMs: END })));
        return { server: servers.stats('coinbase'), bars, stats: market.stats().coinbase! };
      } finally {
        await market.dispose();
        await servers.close();
      }
    };
    // All 12 at once: 429s unless the server saw them spread over more than (12 - 6) / 6 = 1 s.
    const greedy = await cycle({ requestsPerSecond: 10_000, budgetShare: 1, maxConcurrent: 100 });
    expect(greedy.server.rateLimited).toBeGreaterThan(0);
    expect(greedy.stats.rateLimited).toBe(greedy.server.rateLimited);
    // Retry-After is honoured (the first 429 pauses the whole venue), so every call is still served.
    expect(greedy.stats.retries).toBe(greedy.server.rateLimited);
    expect(greedy.server.requests).toBe(12 + greedy.server.rateLimited);
    expect(greedy.bars.every((b) => b.length === 12)).toBe(true);
    // 4 in flight at most, starts 1 / (6 x 0.8) s apart: 6 >= 4 + 1 and 6 >= 4.8, so no 429 under any load.
    const paced = await cycle({ requestsPerSecond: 6, budgetShare: 0.8, maxConcurrent: 4 });
    expect(paced.server.rateLimited).toBe(0);
    expect(paced.server.requests).toBe(12);
    expect(paced.server.maxInFlight).toBeLessThanOrEqual(4);
    expect(paced.stats.retries).toBe(0);
    expect(paced.bars.every((b) => b.length === 12)).toBe(true);
  });
});
