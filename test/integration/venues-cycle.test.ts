import { describe, expect, it } from 'vitest';
import { benchVenues } from '../../bench/venues.js';
import { buildConfig } from '../../shared/config/load.js';
import type { VenueRateLimit } from '../../shared/market/resilience.js';
import { LiveMarket } from '../../shared/market/venues/live.js';
import { FAST_RESILIENCE, startVenueServers } from '../support/venue-server.js';

const NOW = Date.UTC(2025, 5, 2, 12, 7, 30);
const M5 = 300_000;
const END = Math.floor(NOW / M5) * M5;

/**
 * The bench's cycle, shortened: 15 assets x 3 venues with 50 ms added latency against loopback servers
 * that answer 429 past their limit (`npm run bench` runs the 100-asset version and prints the figures).
 */
describe('a live-data cycle against rate-limited loopback venues', () => {
  it('15 assets x 3 venues, 50 ms latency: every call succeeds, zero 429s, well inside the time budget', async () => {
    const r = await benchVenues({ assets: 15, latencyMs: 50, print: false });
    expect(r.rateLimited).toBe(0);
    expect(r.failedCalls).toBe(0);
    expect(r.completeAssetVenues).toBe(45);
    expect(r.requests.coinbase).toBe(45);
    // Paced at 40 requests/s on Coinbase and Kraken: 45 requests need about 1.1 s; 15 s is the 100-asset budget.
    expect(r.wallMs).toBeLessThan(15_000 * 0.15 + 2_000);
  });

  it('the limits are real: a greedy client draws 429s from a loopback venue, the limiter at the venue\'s rate draws none', async () => {
    // Coinbase tightened to a burst of 8 and 20 requests/s; 12 candle requests for 12 assets.
    const servers = await startVenueServers({ now: () => NOW, rateLimits: { coinbase: { capacity: 8, refillPerSecond: 20 } }, recorded: false });
    const template = buildConfig().assets[0]!;
    const assets = Array.from({ length: 12 }, (_, i) => ({ ...template, symbol: `R${i}`, venuePairs: { coinbase: `R${i}-USD` } }));
    const cycle = async (limit: Partial<VenueRateLimit>) => {
      const market = new LiveMarket({ venues: servers.venues, limits: { coinbase: limit }, resilience: FAST_RESILIENCE, now: () => NOW });
      try {
        const before = servers.stats('coinbase').rateLimited;
        const bars = await Promise.all(assets.map((asset) => market.getCandles({ asset, venue: 'coinbase', interval: '5m', startMs: END - 12 * M5, endMs: END })));
        return { rateLimited: servers.stats('coinbase').rateLimited - before, bars, stats: market.stats().coinbase! };
      } finally {
        await market.dispose();
      }
    };
    try {
      const greedy = await cycle({ requestsPerSecond: 10_000, budgetShare: 1, maxConcurrent: 100 });
      // The first 429 pauses the whole venue (Retry-After), so requests still queued are held back too.
      expect(greedy.rateLimited).toBeGreaterThan(0);
      // Retry-After is honoured, so the greedy client still ends with every call served, a second later.
      expect(greedy.stats.retries).toBe(greedy.rateLimited);
      expect(greedy.bars.every((b) => b.length === 12)).toBe(true);
      const paced = await cycle({ requestsPerSecond: 20, budgetShare: 0.8, maxConcurrent: 4 });
      expect(paced.rateLimited).toBe(0);
      expect(paced.stats.retries).toBe(0);
      expect(paced.bars.every((b) => b.length === 12)).toBe(true);
    } finally {
      await servers.close();
    }
  });
});
