import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { AssetConfig } from '../../shared/config/schema.js';
import { VenueBudgetWaitError, type VenueRateLimit } from '../../shared/market/resilience.js';
import { StoredFleetBudget } from '../../shared/market/venues/fleet-budget.js';
import { LiveMarket } from '../../shared/market/venues/live.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { FAST_RESILIENCE, startVenueServers, type VenueServers } from '../support/venue-server.js';

/**
 * Venue limits hold for the fleet, not per process (issue 12, defect 16): several "workers" (separate
 * LiveMarket instances, each with its own in-process limiter at the full budget, as each Lambda worker
 * has) share one table, and the venue sees at most the budget. Bounds are coarse: a window may hold the
 * burst plus one window of the rate plus a little for arrival jitter; an unshared fleet is far above.
 */

const WORKERS = 4;
const REQUESTS_PER_WORKER = 12;
/** Kraken-like: a small budget, one second of burst. */
const BUDGET: VenueRateLimit = { requestsPerSecond: 8, weightPerMinute: null, budgetShare: 1, maxConcurrent: 2, burstSeconds: 1 };
const WINDOW_MS = 1000;
/** What any one-second window may hold: the burst (8) plus a second at the rate (8), plus 2 for jitter. */
const MAX_PER_WINDOW = 8 + 8 + 2;

let table: TestTable;
let servers: VenueServers;
let asset: AssetConfig;
const markets: LiveMarket[] = [];

beforeAll(async () => {
  table = await startTestTable();
  servers = await startVenueServers({ recorded: false });
  asset = buildConfig().assets.find((a) => a.symbol === 'BTC')!;
});
afterAll(async () => {
  await Promise.all(markets.map((m) => m.dispose()));
  await table?.stop();
  await servers?.close();
});

/** One worker, its Kraken budget from the config (venues[].rateLimit), as the cloud worker builds it. */
function worker(): LiveMarket {
  const { venues } = buildConfig({ venues: servers.venues.map((v) => (v.id === 'kraken' ? { ...v, rateLimit: BUDGET } : v)) } as never);
  const market = new LiveMarket({
    venues,
    resilience: { ...FAST_RESILIENCE, timeoutMs: 5_000, maxFleetBudgetWaitMs: 60_000 },
    fleetBudget: new StoredFleetBudget(table.store.venueBudgets),
  });
  markets.push(market);
  return market;
}

/** The most requests that arrived within any window of `windowMs` starting at an arrival. */
function busiestWindow(arrivals: number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

describe('fleet-wide venue budget', () => {
  it('concurrent workers with their own limiters share one budget: the venue never sees more than it in any window', { timeout: 60_000 }, async () => {
    const fleet = Array.from({ length: WORKERS }, worker);
    const before = servers.requests('kraken').length;
    await Promise.all(
      // Each worker queues all its requests at once, as a worker's assets do: its own limiter paces them.
      fleet.flatMap((market) => Array.from({ length: REQUESTS_PER_WORKER }, () => market.getOrderBook({ asset, venue: 'kraken', atMs: Date.now() }))),
    );
    const served = servers.requests('kraken').slice(before);
    expect(served).toHaveLength(WORKERS * REQUESTS_PER_WORKER);
    expect(served.every((r) => r.status === 200)).toBe(true);
    const busiest = busiestWindow(
      served.map((r) => r.arrivedAtMs),
      WINDOW_MS,
    );
    expect(busiest, `${busiest} requests within ${WINDOW_MS} ms; the fleet budget allows ${MAX_PER_WINDOW}`).toBeLessThanOrEqual(MAX_PER_WINDOW);
    // Every request took its token from the one stored bucket, and the bucket never holds more than its burst.
    const stored = await table.store.venueBudgets.get('kraken');
    expect(stored).toMatchObject({ taken: WORKERS * REQUESTS_PER_WORKER });
    expect(stored!.tokens).toBeLessThanOrEqual(BUDGET.requestsPerSecond * BUDGET.burstSeconds!);
    expect(stored!.tokens).toBeGreaterThanOrEqual(0);
  });

  it('a request that would wait past maxFleetBudgetWaitMs gives up with a named error, without calling the venue', async () => {
    const slow: VenueRateLimit = { requestsPerSecond: 0.01, weightPerMinute: null, budgetShare: 1, maxConcurrent: 1, burstSeconds: 1 };
    const workerOf = () => {
      const market = new LiveMarket({
        venues: servers.venues,
        limits: { coinbase: slow },
        resilience: { ...FAST_RESILIENCE, maxFleetBudgetWaitMs: 200 },
        fleetBudget: new StoredFleetBudget(table.store.venueBudgets),
      });
      markets.push(market);
      return market;
    };
    const [first, second] = [workerOf(), workerOf()];
    const before = servers.requests('coinbase').length;
    // The first worker takes the fleet's only token; the second, idle in its own process, must wait 100 s for the next.
    await first.getOrderBook({ asset, venue: 'coinbase', atMs: Date.now() });
    const refused = await second.getOrderBook({ asset, venue: 'coinbase', atMs: Date.now() }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(VenueBudgetWaitError);
    expect(refused).toMatchObject({ code: 'VENUE_BUDGET_WAIT', details: { venue: 'coinbase', maxWaitMs: 200 } });
    expect(servers.requests('coinbase').length - before).toBe(1);
    const market = second;
    // Not a venue fault: the circuit stays closed.
    expect(market.stats().coinbase).toMatchObject({ circuit: 'closed', attempts: 0, failed: 1 });
  });
});
