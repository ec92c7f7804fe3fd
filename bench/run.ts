import '../local/preamble.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../shared/config/load.js';
import { INTERVAL_MS } from '../shared/config/schema.js';
import { ingestAsset, summarizeBook } from '../shared/cycle/ingest-asset.js';
import { marketSourceFor } from '../shared/cycle/worker-deps.js';
import { SimulatedMarket } from '../shared/market/simulator.js';
import { aggregateCandles } from '../shared/market/aggregate.js';
import type { BookSummary } from '../shared/model/snapshot.js';
import { computeParameters } from '../shared/risk/engine/recommend.js';
import { startRuntime } from '../local/runtime.js';
import { benchCompute } from './compute.js';
import { benchVenues } from './venues.js';
import { benchBundles } from './bundles.js';
import { benchApi } from './api.js';
import { benchMonitor } from './monitor.js';
import { MS_PER_DAY, floorTo } from '../shared/util/time.js';
import { line } from './print.js';

/**
 * `npm run bench`: figures, not pass/fail. Each section prints what it measured and how often.
 * Run on an idle machine; numbers are wall-clock on one core.
 */

function timeIt<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

async function benchSimulator() {
  console.log('\nSimulator (5-minute path, Student-t + GARCH + jumps)');
  const config = buildConfig();
  const asset = config.assets[0]!;
  const market = new SimulatedMarket({ seed: 1, originMs: Date.UTC(2024, 0, 1) });
  const endMs = Date.UTC(2025, 0, 1);
  const { ms } = timeIt(() => market.candlesSync({ asset, venue: 'binance', interval: '5m', startMs: Date.UTC(2024, 0, 1), endMs }));
  const steps = 366 * 288;
  line('one asset-year of 5-minute bars (first call, path built)', `${ms.toFixed(0)} ms (${((steps / ms) * 1000).toFixed(0)} bars/s)`);
  const again = timeIt(() => market.candlesSync({ asset, venue: 'coinbase', interval: '1h', startMs: Date.UTC(2024, 0, 1), endMs }));
  line('same year as 1h bars on another venue (path cached)', `${again.ms.toFixed(0)} ms`);
}

async function benchProfiles() {
  console.log('\nRisk engine on the simulated default universe (computeParameters, per asset and profile)');
  const config = buildConfig();
  const market = new SimulatedMarket({ seed: 2, originMs: Date.UTC(2025, 0, 1) });
  const nowMs = Date.UTC(2026, 0, 15);
  for (const profile of config.profiles) {
    const intervalMs = INTERVAL_MS[profile.candleInterval];
    const endMs = floorTo(nowMs, intervalMs);
    const inputs = await Promise.all(
      config.assets.map(async (asset) => {
        const venues = Object.keys(asset.venuePairs) as ('binance' | 'coinbase' | 'kraken')[];
        const perVenue = venues.map((venue) =>
          market.candlesSync({ asset, venue, interval: profile.candleInterval, startMs: endMs - profile.lookbackDays * MS_PER_DAY, endMs }),
        );
        const books: BookSummary[] = [];
        for (const venue of venues) {
          const summary = summarizeBook(await market.getOrderBook({ asset, venue, atMs: nowMs }), 0.1);
          if (summary) books.push(summary);
        }
        return { candles: aggregateCandles(perVenue), books };
      }),
    );
    const quality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };
    const rounds = 5;
    const { ms } = timeIt(() => {
      for (let r = 0; r < rounds; r++) {
        for (const input of inputs) computeParameters({ asset: 'TEST', nowMs: 0, profile, policy: config.policy, candles: input.candles, books: input.books, quality });
      }
    });
    const calls = rounds * inputs.length;
    line(
      `${profile.id} (${profile.lookbackDays} d of ${profile.candleInterval} bars = ${inputs[0]!.candles.length} bars)`,
      `${(ms / calls).toFixed(1)} ms/asset, ${((calls / ms) * 1000).toFixed(0)} assets/s`,
    );
  }
}

async function benchIngest() {
  console.log('\nIngest into the local DynamoDB-API server (8 assets x 3 venues, both intervals)');
  const dataDir = mkdtempSync(join(tmpdir(), 'advisor-bench-'));
  const runtime = await startRuntime({ dataDir, port: 0 });
  try {
    const { config, store, env } = runtime.deps;
    const source = marketSourceFor(env, config, store);
    const start = performance.now();
    for (const asset of config.assets) await ingestAsset({ config, source, store }, asset, Date.now());
    line('ingest, all assets (simulator + series chunks + snapshots)', `${(performance.now() - start).toFixed(0)} ms`);
    const cycle = await runtime.runCycle();
    line('one full cycle: plan -> 8 asset workers -> finalize -> publish (first)', `${cycle.ms.toFixed(0)} ms`);
    const second = await runtime.runCycle();
    line('one full cycle (second, warm)', `${second.ms.toFixed(0)} ms`);
    const rss = process.memoryUsage().rss / 2 ** 20;
    line('process resident memory after the cycles', `${rss.toFixed(0)} MiB`);
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`Leverage Advisor benchmarks (node ${process.version}, ${new Date().toISOString()})`);
// The large-universe run first, on a fresh heap.
await benchCompute();
await benchSimulator();
await benchProfiles();
await benchMonitor();
await benchVenues();
await benchIngest();
await benchApi();
await benchBundles();
