import { afterAll, afterEach, beforeAll } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { AdvisorConfig, AssetConfig, CandleInterval, VenueId } from '../../shared/config/schema.js';
import { INTERVAL_MS } from '../../shared/config/schema.js';
import { ingestAsset } from '../../shared/cycle/ingest-asset.js';
import { aggregateVenueCandles } from '../../shared/market/aggregate.js';
import type { LiveMarket, LiveMarketOptions } from '../../shared/market/venues/live.js';
import type { MarketSnapshot } from '../../shared/model/snapshot.js';
import { MS_PER_DAY, floorTo } from '../../shared/util/time.js';
import { startTestTable, type TestTable } from './dynamo.js';
import { FAST_RESILIENCE, fastLiveMarket, startVenueServers, type VenueServers } from './venue-server.js';
import type { FaultRule } from './venue-types.js';

type VenueResilience = NonNullable<LiveMarketOptions['venueResilience']>;

/**
 * ingestAsset over LiveMarket, the loopback venues and a real local DynamoDB-API server, for the ingest
 * integration tests: registers its own hooks (the venues' faults are cleared after each test) and hands
 * out fresh assets, markets and checks.
 */

export const START = Date.UTC(2025, 5, 1, 12, 7, 30);
export const M5 = INTERVAL_MS['5m'];
export const H1 = INTERVAL_MS['1h'];
/** Open time of the 5m bar the flash-crash tests put a wick on: 30 bars before START. */
export const CRASH_AT = floorTo(START, M5) - 30 * M5;

/** `policy`: overrides of the config's policy (merged field by field, as a config file's are). */
export function useIngestHarness(lookbackDays: Record<CandleInterval, number>, policy: Record<string, unknown> = {}) {
  let clock = START;
  let servers: VenueServers;
  let table: TestTable;
  let config: AdvisorConfig;
  let counter = 0;
  const markets: LiveMarket[] = [];

  /** FAST_RESILIENCE's generous timeout unless a test of a hung venue gives that venue alone a shorter one. */
  function market(venueResilience: VenueResilience = {}): LiveMarket {
    const m = fastLiveMarket(servers.venues, { now: () => clock, resilience: FAST_RESILIENCE, venueResilience });
    markets.push(m);
    return m;
  }

  beforeAll(async () => {
    servers = await startVenueServers({ now: () => clock, recorded: false });
    table = await startTestTable();
    const base = buildConfig();
    config = buildConfig({
      venues: servers.venues,
      profiles: base.profiles.map((p) => ({ ...p, lookbackDays: lookbackDays[p.candleInterval], minHistoryDays: 1 })),
      policy,
    });
  });
  // Faults a test injects end with it.
  afterEach(() => servers?.clearFaults());
  afterAll(async () => {
    await Promise.all(markets.map((m) => m.dispose()));
    await table?.stop();
    await servers?.close();
  });

  return {
    get servers(): VenueServers {
      return servers;
    },
    market,

    faultEveryVenue(rule: FaultRule): void {
      for (const venue of ['binance', 'coinbase', 'kraken'] as const) servers.fault(venue, rule);
    },

    /** Kraken serves `asset`'s CRASH_AT bar trading down to half its open: a flash-crash wick on one venue. */
    krakenFlashCrash(asset: AssetConfig): void {
      servers.fault('kraken', { fault: { kind: 'flash-crash', atMs: CRASH_AT, lowFraction: 0.5 }, pair: `${asset.symbol}USD` });
    },

    /** A fresh asset per test: the series store is per asset, and ingest continues what is stored. */
    newAsset(): AssetConfig {
      const symbol = `T${String(++counter).padStart(3, '0')}`;
      const asset: AssetConfig = { ...config.assets[0]!, symbol, name: symbol, venuePairs: { binance: `${symbol}USDT`, coinbase: `${symbol}-USD`, kraken: `${symbol}USD` } };
      config.assets.push(asset);
      return asset;
    },

    ingest(asset: AssetConfig, nowMs = START, venueResilience: VenueResilience = {}): Promise<MarketSnapshot> {
      clock = nowMs;
      return ingestAsset({ config, source: market(venueResilience), store: table.store }, asset, nowMs);
    },

    /** What the aggregate must be from the given venues alone, fetched fault-free by a separate client. */
    async expectedAggregate(asset: AssetConfig, interval: CandleInterval, venues: VenueId[], nowMs = START) {
      clock = nowMs;
      const m = market();
      const endMs = floorTo(nowMs, INTERVAL_MS[interval]);
      const startMs = endMs - lookbackDays[interval] * MS_PER_DAY;
      const perVenue = await Promise.all(venues.map(async (venue) => ({ venue, candles: await m.getCandles({ asset, venue, interval, startMs, endMs }) })));
      return aggregateVenueCandles(perVenue).candles;
    },

    stored(asset: AssetConfig, interval: CandleInterval, nowMs = START) {
      const endMs = floorTo(nowMs, INTERVAL_MS[interval]);
      return table.store.series.getBars(asset.symbol, interval, endMs - lookbackDays[interval] * MS_PER_DAY, endMs);
    },

    codes(s: MarketSnapshot): string[] {
      return s.quality.issues.map((i) => `${i.code}:${i.severity}${i.venue ? `:${i.venue}` : ''}${i.interval ? `:${i.interval}` : ''}`);
    },
  };
}
