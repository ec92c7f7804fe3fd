import { randomUUID } from 'node:crypto';
import { ensureTable, localDynamoClient, startLocalDynamo } from '../../local/dynamo.js';
import { INTERVAL_MS } from '../../shared/config/schema.js';
import { loadConfig } from '../../shared/config/load.js';
import { ingestAsset, seriesNeeds } from '../../shared/cycle/ingest-asset.js';
import { SimulatedMarket } from '../../shared/market/simulator.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { createStore, type Store } from '../../shared/store/index.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../../shared/util/time.js';
import type { ScenarioContext } from './context.js';
import { Rng } from './random.js';
import { Checks, type ScenarioResult } from './result.js';

const CHECK_NO_LOSS = 'no bar lost (stored = union of both ingests)';
const CHECK_NO_EXTRA = 'no bar from nowhere';
/** The racers' clocks are this many whole hours apart at most (seeded), so each brings bars the other lacks. */
const MAX_CLOCK_GAP_HOURS = 6;
/** The race's clock is this long after the simulator's origin plus the longest lookback. */
const CLOCK_MARGIN_DAYS = 30;

/**
 * (d) Two ingests of one asset at once against one table (two workers of a scheduled run and a
 * recompute), through shared/cycle/ingest-asset.ts with the simulator, their clocks a few hours apart so each
 * stores bars the other does not. Each is also run alone on a table of its own: the raced table must
 * hold the union of the two.
 */
export async function ingestRaceScenario(context: ScenarioContext): Promise<ScenarioResult> {
  const { counts } = context;
  const checks = new Checks([CHECK_NO_LOSS, CHECK_NO_EXTRA]);
  const result: ScenarioResult = { id: 'd', scenario: 'racing ingests', trials: counts.ingestRaces, checks: [], notes: [] };
  const configured = loadConfig();
  const lookback = context.limits.raceLookbackDays;
  const config = lookback === null ? configured : { ...configured, profiles: configured.profiles.map((p) => ({ ...p, lookbackDays: lookback })) };
  const maxLookbackDays = Math.max(...config.profiles.map((p) => p.lookbackDays));
  const source = new SimulatedMarket({ seed: config.simulator.seed, originMs: Date.parse(config.simulator.originIso) });
  const rng = new Rng(context.seed, 'ingest-race');
  const dynamo = await startLocalDynamo();
  const stopDynamo = context.registry.add('stop the ingest-race DynamoDB server', () => dynamo.stop());
  const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const newStore = async (): Promise<Store> => {
    const tableName = `race-${randomUUID().slice(0, 8)}`;
    const raw = localDynamoClient(dynamo.endpoint);
    await ensureTable(raw, tableName).finally(() => raw.destroy());
    return createStore(doc, tableName);
  };
  let bars = 0;
  try {
    for (let trial = 1; trial <= counts.ingestRaces; trial++) {
      const asset = rng.pick(config.assets);
      const baseMs = Date.parse(config.simulator.originIso) + (maxLookbackDays + CLOCK_MARGIN_DAYS) * MS_PER_DAY + rng.int(0, 24 * 30) * MS_PER_HOUR;
      const clocks = [baseMs, baseMs + rng.int(1, MAX_CLOCK_GAP_HOURS) * MS_PER_HOUR] as const;
      const deps = (store: Store) => ({ config, source, store });
      const [aloneA, aloneB, raced] = [await newStore(), await newStore(), await newStore()];
      // Alone, each on its own table (at once: they share nothing).
      await Promise.all([ingestAsset(deps(aloneA), asset, clocks[0]), ingestAsset(deps(aloneB), asset, clocks[1])]);
      await Promise.all([ingestAsset(deps(raced), asset, clocks[0]), ingestAsset(deps(raced), asset, clocks[1])]);
      for (const [interval, lookbackDays] of seriesNeeds(config)) {
        const fromMs = clocks[0] - (lookbackDays + 1) * MS_PER_DAY;
        const toMs = clocks[1] + INTERVAL_MS[interval];
        const times = async (store: Store) => new Set((await store.series.getBars(asset.symbol, interval, fromMs, toMs)).map((b) => b.openTimeMs));
        const union = new Set([...(await times(aloneA)), ...(await times(aloneB))]);
        const stored = await times(raced);
        bars += union.size;
        const lost = [...union].filter((t) => !stored.has(t));
        const extra = [...stored].filter((t) => !union.has(t));
        const where = `trial ${trial}: ${asset.symbol} ${interval}, clocks ${new Date(clocks[0]).toISOString()} and +${(clocks[1] - clocks[0]) / MS_PER_HOUR} h`;
        if (lost.length > 0) checks.fail(CHECK_NO_LOSS, `${where}: ${lost.length} of ${union.size} bars lost (first ${new Date(Math.min(...lost)).toISOString()})`);
        if (extra.length > 0) checks.fail(CHECK_NO_EXTRA, `${where}: ${extra.length} bars neither ingest stored alone`);
      }
    }
  } finally {
    doc.destroy();
    await stopDynamo();
  }
  result.notes.push(`${bars} bars compared over ${counts.ingestRaces} race(s)`);
  result.checks = checks.list();
  return result;
}
