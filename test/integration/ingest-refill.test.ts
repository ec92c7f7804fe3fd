import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import { INTERVAL_MS, type AdvisorConfig, type AssetConfig, type CandleInterval } from '../../shared/config/schema.js';
import { ingestAsset } from '../../shared/cycle/ingest-asset.js';
import type { LiveMarket } from '../../shared/market/venues/live.js';
import { MS_PER_DAY, floorTo } from '../../shared/util/time.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { FAST_RESILIENCE, fastLiveMarket, startVenueServers, type VenueServers } from '../support/venue-server.js';

/**
 * Incremental ingest refills behind the head: bars missing inside the lookback (an outage on every
 * venue during an earlier cycle) are asked for again on the next cycle, not only the bars after the
 * stored head. Loopback venues and a real DynamoDB-API server; timeouts generous (a loaded machine
 * must not turn a slow answer into a failed venue).
 */

const START = Date.UTC(2025, 5, 1, 12, 7, 30);
const H1 = INTERVAL_MS['1h'];
const LOOKBACK: Record<CandleInterval, number> = { '5m': 2, '1h': 4 } as Record<CandleInterval, number>;
const VENUES = ['binance', 'coinbase', 'kraken'] as const;

let clock = START;
let servers: VenueServers;
let table: TestTable;
let config: AdvisorConfig;
const markets: LiveMarket[] = [];

beforeAll(async () => {
  servers = await startVenueServers({ now: () => clock, recorded: false });
  table = await startTestTable();
  const base = buildConfig();
  config = buildConfig({ venues: servers.venues, profiles: base.profiles.map((p) => ({ ...p, lookbackDays: LOOKBACK[p.candleInterval], minHistoryDays: 1 })) });
});
afterAll(async () => {
  await Promise.all(markets.map((m) => m.dispose()));
  await table?.stop();
  await servers?.close();
});

function ingest(asset: AssetConfig, nowMs: number) {
  clock = nowMs;
  const market = fastLiveMarket(servers.venues, { now: () => clock, resilience: { ...FAST_RESILIENCE, timeoutMs: 10_000 } });
  markets.push(market);
  return ingestAsset({ config, source: market, store: table.store }, asset, nowMs);
}

function stored(asset: AssetConfig, interval: CandleInterval, nowMs: number) {
  const endMs = floorTo(nowMs, INTERVAL_MS[interval]);
  return table.store.series.getBars(asset.symbol, interval, endMs - LOOKBACK[interval] * MS_PER_DAY, endMs);
}

describe('ingest refills gaps behind the head', () => {
  it('a gap left by an outage on every venue is filled by the next incremental ingest', async () => {
    const asset: AssetConfig = { ...config.assets[0]!, symbol: 'GAPR', name: 'GAPR', venuePairs: { binance: 'GAPRUSDT', coinbase: 'GAPR-USD', kraken: 'GAPRUSD' } };
    config.assets.push(asset);
    const gapStart = floorTo(START, H1) - 10 * H1;
    const gapEnd = gapStart + 2 * H1;
    const inGap = (c: { openTimeMs: number }) => c.openTimeMs >= gapStart && c.openTimeMs < gapEnd;
    for (const venue of VENUES) servers.fault(venue, { fault: { kind: 'gap', fromMs: gapStart, toMs: gapEnd }, endpoint: 'candles' });
    try {
      const first = await ingest(asset, START);
      expect(first.quality.report!.gaps.map((g) => g.interval).sort()).toEqual(['1h', '5m']);
      expect((await stored(asset, '5m', START)).filter(inGap)).toEqual([]);
    } finally {
      servers.clearFaults();
    }
    const later = START + H1;
    const second = await ingest(asset, later);
    expect((await stored(asset, '5m', later)).filter(inGap)).toHaveLength(24);
    expect((await stored(asset, '1h', later)).filter(inGap)).toHaveLength(2);
    expect(second.quality.report!.gaps).toEqual([]);
    expect(second.quality.issues.map((i) => i.code)).not.toContain('GAP');
    // The head was fetched as before: the series runs to the expected end.
    expect(second.series.find((s) => s.interval === '5m')!.endMs).toBe(floorTo(later, INTERVAL_MS['5m']));
  });
});
