import { pathToFileURL } from 'node:url';
import { buildConfig } from '../shared/config/load.js';
import { INTERVAL_MS, type AssetConfig, type VenueId } from '../shared/config/schema.js';
import { aggregateVenueCandles } from '../shared/market/aggregate.js';
import { DEFAULT_VENUE_RATE_LIMITS, type VenueRateLimit } from '../shared/market/resilience.js';
import { LiveMarket } from '../shared/market/venues/live.js';
import { floorTo } from '../shared/util/time.js';
import { startVenueServers, type TokenBucket } from '../test/support/venue-server.js';
import { quantileSorted } from '../shared/numerics/statistics.js';
import { line } from './print.js';

/**
 * One steady-state cycle of live market data against the loopback venue servers: N assets x 3 venues,
 * each asset-venue making the requests an incremental ingest makes (the 5m and 1h bars since the stored
 * head, one book), with added latency on every response and each server enforcing a rate limit that
 * answers 429 when exceeded. Prints wall time, requests, 429s, retries, latency percentiles, and what
 * the same cycle would take at the venues' real published limits.
 *
 * Loopback limits: Binance enforces its real 6,000 request weight per minute; Coinbase and Kraken
 * enforce 50 requests/s (burst 50), five and fifty times their public limits, so that the bench measures
 * the client (limiter, concurrency, latency) rather than waiting out Kraken's 1 request/s.
 */

const VENUES: readonly VenueId[] = ['binance', 'coinbase', 'kraken'];
const NOW = Date.UTC(2025, 5, 2, 12, 7, 30);

export const LOOPBACK_LIMITS: Record<VenueId, TokenBucket> = {
  binance: { capacity: 6000, refillPerSecond: 100 },
  coinbase: { capacity: 50, refillPerSecond: 50 },
  kraken: { capacity: 50, refillPerSecond: 50 },
};

/** The client's view of the loopback limits (same budget shares as production). */
const CLIENT_LIMITS: Record<VenueId, Partial<VenueRateLimit>> = {
  binance: { requestsPerSecond: 100, weightPerMinute: 6000, budgetShare: 0.5, maxConcurrent: 8 },
  coinbase: { requestsPerSecond: 50, budgetShare: 0.8, maxConcurrent: 8 },
  kraken: { requestsPerSecond: 50, budgetShare: 0.8, maxConcurrent: 8 },
};

export interface BenchVenuesOptions {
  assets?: number;
  latencyMs?: number;
  /** Print the figures (default true). */
  print?: boolean;
  /** Client limits per venue, over the defaults (the loopback limits at our budget shares). */
  clientLimits?: Partial<Record<VenueId, Partial<VenueRateLimit>>>;
  /** Limits the servers enforce (default LOOPBACK_LIMITS). */
  serverLimits?: Partial<Record<VenueId, TokenBucket>>;
}

export interface BenchVenuesResult {
  assets: number;
  latencyMs: number;
  wallMs: number;
  requests: Record<VenueId, number>;
  /** Most requests each server was handling at once: the client ran concurrently, within its maxConcurrent. */
  maxInFlight: Record<VenueId, number>;
  /** 429s the servers answered (the limiter's job is to keep this at zero). */
  rateLimited: number;
  retries: number;
  failedCalls: number;
  /** Asset-venues whose candles and book all arrived. */
  completeAssetVenues: number;
  callLatencyMs: { p50: number; p95: number; max: number };
  binanceWeight: number;
  /** The same cycle's pacing at each venue's published limit and our budget share, seconds. */
  projectedAtPublishedLimitsSeconds: Record<VenueId, number>;
}

function syntheticAssets(count: number): AssetConfig[] {
  const template = buildConfig().assets[0]!;
  return Array.from({ length: count }, (_, i) => {
    const symbol = `B${String(i).padStart(3, '0')}`;
    return { ...template, symbol, name: symbol, venuePairs: { binance: `${symbol}USDT`, coinbase: `${symbol}-USD`, kraken: `${symbol}USD` } };
  });
}

export async function benchVenues(options: BenchVenuesOptions = {}): Promise<BenchVenuesResult> {
  const assetCount = options.assets ?? 100;
  const latencyMs = options.latencyMs ?? 50;
  const servers = await startVenueServers({ now: () => NOW, latencyMs, rateLimits: { ...LOOPBACK_LIMITS, ...options.serverLimits }, recorded: false });
  const limits = Object.fromEntries(VENUES.map((v) => [v, { ...CLIENT_LIMITS[v], ...options.clientLimits?.[v] }]));
  const market = new LiveMarket({ venues: servers.venues, limits, now: () => NOW });
  const assets = syntheticAssets(assetCount);
  const latencies: number[] = [];
  let failedCalls = 0;
  let complete = 0;
  const timed = async <T>(work: () => Promise<T>): Promise<T | null> => {
    const start = performance.now();
    try {
      return await work();
    } catch {
      failedCalls++;
      return null;
    } finally {
      latencies.push(performance.now() - start);
    }
  };
  const start = performance.now();
  try {
    await Promise.all(
      assets.map(async (asset) => {
        const perVenue = await Promise.all(
          VENUES.map(async (venue) => {
            // What an incremental cycle asks: the bars since the stored head (one hour back, one bar of overlap).
            const [m5, h1, book] = await Promise.all([
              timed(() => market.getCandles({ asset, venue, interval: '5m', startMs: floorTo(NOW, INTERVAL_MS['5m']) - 13 * INTERVAL_MS['5m'], endMs: floorTo(NOW, INTERVAL_MS['5m']) })),
              timed(() => market.getCandles({ asset, venue, interval: '1h', startMs: floorTo(NOW, INTERVAL_MS['1h']) - 2 * INTERVAL_MS['1h'], endMs: floorTo(NOW, INTERVAL_MS['1h']) })),
              timed(() => market.getOrderBook({ asset, venue, atMs: NOW })),
            ]);
            if (m5?.length && h1?.length && book?.bids.length) complete++;
            return { venue, candles: m5 ?? [] };
          }),
        );
        aggregateVenueCandles(perVenue);
      }),
    );
  } finally {
    await market.dispose();
  }
  const wallMs = performance.now() - start;
  const stats = market.stats();
  const requests = Object.fromEntries(VENUES.map((v) => [v, servers.stats(v).requests])) as Record<VenueId, number>;
  const maxInFlight = Object.fromEntries(VENUES.map((v) => [v, servers.stats(v).maxInFlight])) as Record<VenueId, number>;
  const rateLimited = VENUES.reduce((sum, v) => sum + servers.stats(v).rateLimited, 0);
  const binanceWeight = servers
    .requests('binance')
    .reduce((sum, r) => sum + (r.endpoint === 'candles' ? 2 : r.endpoint === 'book' ? (Number(r.query.limit) <= 100 ? 5 : Number(r.query.limit) <= 500 ? 25 : 50) : 1), 0);
  await servers.close();
  const projected = Object.fromEntries(
    VENUES.map((v) => {
      const limit = DEFAULT_VENUE_RATE_LIMITS[v];
      const byRate = requests[v] / (limit.requestsPerSecond * limit.budgetShare);
      // Weight beyond one budgeted minute's bucket waits for the refill.
      const byWeight = limit.weightPerMinute ? Math.max(0, binanceWeight - limit.weightPerMinute * limit.budgetShare) / ((limit.weightPerMinute * limit.budgetShare) / 60) : 0;
      return [v, Math.max(byRate, v === 'binance' ? byWeight : 0)];
    }),
  ) as Record<VenueId, number>;
  latencies.sort((a, b) => a - b);
  const result: BenchVenuesResult = {
    assets: assetCount,
    latencyMs,
    wallMs,
    requests,
    maxInFlight,
    rateLimited,
    retries: VENUES.reduce((sum, v) => sum + (stats[v]?.retries ?? 0), 0),
    failedCalls,
    completeAssetVenues: complete,
    callLatencyMs: { p50: quantileSorted(latencies, 0.5), p95: quantileSorted(latencies, 0.95), max: latencies.at(-1) ?? 0 },
    binanceWeight,
    projectedAtPublishedLimitsSeconds: projected,
  };
  if (options.print ?? true) printResult(result);
  return result;
}

function printResult(r: BenchVenuesResult): void {
  console.log(`\nLive venues on loopback servers (${r.assets} assets x 3 venues, ${r.latencyMs} ms added latency, rate limits enforced)`);
  line('one incremental cycle (5m + 1h candles + book per asset-venue)', `${(r.wallMs / 1000).toFixed(2)} s (target < 15 s)`);
  line('requests binance / coinbase / kraken', `${r.requests.binance} / ${r.requests.coinbase} / ${r.requests.kraken}`);
  line('429 answers from the servers', String(r.rateLimited));
  line('retries / failed calls', `${r.retries} / ${r.failedCalls}`);
  line('asset-venues complete (candles and book)', `${r.completeAssetVenues} of ${r.assets * 3}`);
  line('call latency p50 / p95 / max (queueing included)', `${r.callLatencyMs.p50.toFixed(0)} / ${r.callLatencyMs.p95.toFixed(0)} / ${r.callLatencyMs.max.toFixed(0)} ms`);
  line('Binance request weight used (limit 6,000 a minute)', String(r.binanceWeight));
  const p = r.projectedAtPublishedLimitsSeconds;
  line('same cycle at the published limits (our budget share)', `binance ${p.binance.toFixed(0)} s, coinbase ${p.coinbase.toFixed(0)} s, kraken ${p.kraken.toFixed(0)} s`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchVenues();
  if (result.wallMs >= 15_000 || result.rateLimited > 0) process.exitCode = 1;
}
