import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createFinalizeHandler } from '../../functions/finalize/handler.js';
import { createWorkerHandler } from '../../functions/worker/handler.js';
import type { AdvisorConfig } from '../../shared/config/schema.js';
import { computeRecommendation, profilesFor } from '../../shared/cycle/compute-recommendation.js';
import { ingestAsset } from '../../shared/cycle/ingest-asset.js';
import type { BaseDeps } from '../../shared/cycle/deps.js';
import { readEnvironment } from '../../shared/cycle/environment.js';
import type { WorkerDeps } from '../../shared/cycle/worker-deps.js';
import { finalizeRun, type FinalizeResult } from '../../shared/cycle/finalize.js';
import { closeStuckRuns, planRun } from '../../shared/cycle/plan.js';
import { runAssetWork } from '../../shared/cycle/worker.js';
import { SimulatedMarket } from '../../shared/market/simulator.js';
import type { MarketSource } from '../../shared/market/types.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { AssetBusyError } from '../../shared/store/errors.js';
import { createStore } from '../../shared/store/index.js';
import { recordedCycle, useCycleTable } from '../support/cycle-harness.js';

/**
 * The fan-out cycle on a real local DynamoDB-API server: plan -> one worker per asset (any order, any
 * number of deliveries) -> the finalizer, once. The queue and the invoker are recorded rather than
 * run, so each test decides the delivery order, duplicates and crashes.
 */

const NOW = Date.UTC(2025, 9, 1, 12, 0, 0);
const ASSETS = ['BTC', 'ETH', 'LINK'];

/** The simulator, with chosen assets failing at their first venue call. */
function marketFailing(config: AdvisorConfig, failing: ReadonlySet<string>): MarketSource {
  const simulator = new SimulatedMarket({ seed: config.simulator.seed, originMs: Date.parse(config.simulator.originIso) });
  return {
    kind: simulator.kind,
    simulated: simulator.simulated,
    getCandles: async (request) => {
      if (failing.has(request.asset.symbol)) throw new Error(`every venue refused ${request.asset.symbol}`);
      return simulator.getCandles(request);
    },
    getOrderBook: (request) => simulator.getOrderBook(request),
  };
}

const harness = useCycleTable(ASSETS);

function deps(failing: ReadonlySet<string> = new Set(), now: () => number = () => NOW) {
  return recordedCycle(harness.config, harness.table.store, marketFailing(harness.config, failing), now);
}

async function versionsOf(asset: string, profileId: string): Promise<number[]> {
  return (await harness.table.store.recommendations.history(asset, profileId, { limit: 100 })).items.map((r) => r.version);
}

describe('plan', () => {
  it('starts the run and sends one message per asset; a second delivery of the same run sends nothing', async () => {
    const d = deps();
    const planned = await planRun(d.plan);
    expect(planned).toMatchObject({ assets: ASSETS.length });
    expect(d.queue.sent).toEqual(ASSETS.map((asset) => ({ runId: planned!.runId, asset })));
    expect(await harness.table.store.runs.get(planned!.runId)).toMatchObject({ status: 'running', assetsTotal: 3, assetsDone: 0 });
    expect(await planRun(d.plan, planned!.runId)).toBeNull();
    expect(d.queue.sent).toHaveLength(ASSETS.length);
  });
});

describe('workers and the finalizer', () => {
  it('any delivery order and duplicate deliveries: one version per (asset, profile), one finalize, one proposal per profile', async () => {
    const d = deps();
    const { runId } = (await planRun(d.plan))!;
    const before = await Promise.all(profilesFor(harness.config, 'ETH').map((p) => versionsOf('ETH', p.id)));
    // Out of order, with ETH delivered three times (once concurrently with itself).
    const [eth] = d.queue.sent.filter((w) => w.asset === 'ETH');
    const others = d.queue.sent.filter((w) => w.asset !== 'ETH');
    const concurrent = await Promise.allSettled([runAssetWork(d.worker, eth!), runAssetWork(d.worker, eth!)]);
    // One delivery does the work; its concurrent duplicate is refused and would come back from the queue.
    expect(concurrent.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(concurrent.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(AssetBusyError) });
    await runAssetWork(d.worker, eth!);
    const results = [];
    for (const work of [...others].reverse()) results.push(await runAssetWork(d.worker, work));
    expect(results.map((r) => r.kind === 'recorded' && r.finalizing)).toEqual([false, true]);
    expect(d.invoker.of('finalize')).toEqual([{ role: 'finalize', event: { runId } }]);

    const after = await Promise.all(profilesFor(harness.config, 'ETH').map((p) => versionsOf('ETH', p.id)));
    after.forEach((versions, i) => expect(versions.length).toBe(before[i]!.length + 1));

    // A late redelivery after the run is complete: counts nothing new, asks for the finalizer again.
    expect(await runAssetWork(d.worker, eth!)).toMatchObject({ kind: 'recorded', done: 3, total: 3 });
    const first = await finalizeRun(d.finalize, { runId });
    const second = await finalizeRun(d.finalize, { runId });
    expect(second).toBeNull();
    expect(first).toMatchObject({ status: 'succeeded', assets: 3, assetsFailed: 0, recommendations: 3 * harness.config.profiles.length });
    const run = await harness.table.store.runs.get(runId);
    expect(run).toMatchObject({ status: 'succeeded', assetsTotal: 3, assetsDone: 3 });
    expect(run!.recommendations).toHaveLength(first!.recommendations);
    expect(run!.proposals).toHaveLength(first!.proposals);
    for (const id of run!.proposals) expect((await harness.table.store.proposals.get(id))?.status).toBe('pending');
    expect(d.invoker.of('publish')).toHaveLength(first!.proposals > 0 ? 1 : 0);
    // After the run finished, more work for it is dropped.
    expect(await runAssetWork(d.worker, eth!)).toEqual({ kind: 'skipped', reason: 'run is succeeded' });
  });

  it('a worker that crashed after storing a recommendation does not store a second one on redelivery', async () => {
    const d = deps();
    const { runId } = (await planRun(d.plan))!;
    const [crashed, other] = profilesFor(harness.config, 'BTC');
    // The first delivery ingested BTC and stored one profile's recommendation, then died.
    const snapshot = await ingestAsset({ config: harness.config, source: d.worker.source, store: harness.table.store }, harness.config.assets.find((a) => a.symbol === 'BTC')!, NOW);
    await computeRecommendation({ config: harness.config, store: harness.table.store }, snapshot, crashed!, runId, NOW);
    const crashedVersions = await versionsOf('BTC', crashed!.id);
    const otherVersions = await versionsOf('BTC', other!.id);
    // The redelivery reuses that version and computes only what is missing.
    const result = await runAssetWork(d.worker, { runId, asset: 'BTC' });
    expect(await versionsOf('BTC', crashed!.id)).toEqual(crashedVersions);
    expect(await versionsOf('BTC', other!.id)).toHaveLength(otherVersions.length + 1);
    expect(result.kind === 'recorded' && result.outcome.recommendations).toEqual([
      { asset: 'BTC', profileId: crashed!.id, version: crashedVersions[0] },
      { asset: 'BTC', profileId: other!.id, version: otherVersions.length + 1 },
    ]);
  });

  it('an asset whose venues all fail keeps its stored history: recommended on weak evidence (tighten only), not dropped', async () => {
    const d = deps(new Set(['LINK']));
    const { runId } = (await planRun(d.plan))!;
    for (const work of d.queue.sent) await runAssetWork(d.worker, work);
    expect(await finalizeRun(d.finalize, { runId })).toMatchObject({ status: 'succeeded', assets: 3, assetsFailed: 0 });
    const link = await harness.table.store.recommendations.latest('LINK', profilesFor(harness.config, 'LINK')[0]!.id);
    expect(link).toMatchObject({ runId, quality: { passed: false } });
  });

  it('an asset that cannot be worked on is recorded as failed; the run completes with the others and says why', async () => {
    const d = deps();
    // The run asked for an asset the configuration no longer has.
    const runId = await d.workAdhocRun(['BTC', 'XYZ'], NOW);
    const result = await finalizeRun(d.finalize, { runId });
    // Some assets produced nothing: partial, not succeeded.
    expect(result).toMatchObject({ status: 'partial', assets: 2, assetsFailed: 1 });
    const run = await harness.table.store.runs.get(runId);
    expect(run!.errors).toEqual([{ asset: 'XYZ', stage: 'ingest', message: 'unknown asset XYZ' }]);
    expect(run!.recommendations.map((r) => r.asset)).toEqual(profilesFor(harness.config, 'BTC').map(() => 'BTC'));
  });

  it('the finalizer waits while assets are in flight (a start raced ahead of the last outcome)', async () => {
    const d = deps();
    const { runId } = (await planRun(d.plan))!;
    await runAssetWork(d.worker, d.queue.sent[0]!);
    expect(await finalizeRun(d.finalize, { runId })).toBeNull();
    expect((await harness.table.store.runs.get(runId))?.status).toBe('running');
  });
});

describe('a run that lost an asset', () => {
  it('is closed by the next scheduled plan after runTimeoutMinutes, with the missing asset named; a late worker changes nothing', async () => {
    let clock = NOW;
    const d = deps(new Set(), () => clock);
    const { runId } = (await planRun(d.plan))!;
    // Two of three assets report; the third message went to the dead-letter queue.
    const [lost, ...delivered] = d.queue.sent;
    for (const work of delivered) await runAssetWork(d.worker, work);
    expect(await harness.table.store.runs.activeRunIds()).toContain(runId);

    clock = NOW + (harness.config.schedule.runTimeoutMinutes - 1) * 60_000;
    expect(await closeStuckRuns(d.plan)).not.toContain(runId);
    clock = NOW + (harness.config.schedule.runTimeoutMinutes + 1) * 60_000;
    expect(await closeStuckRuns(d.plan)).toContain(runId);
    expect(d.invoker.of('finalize')).toContainEqual({ role: 'finalize', event: { runId, closeIncomplete: true } });

    const result = await finalizeRun(d.finalize, { runId, closeIncomplete: true });
    expect(result).toMatchObject({ status: 'partial', assets: 3, assetsMissing: 1, assetsFailed: 1 });
    const run = await harness.table.store.runs.get(runId);
    expect(run!.errors).toContainEqual(expect.objectContaining({ asset: lost!.asset, stage: 'worker', message: expect.stringContaining('dead-letter queue') }));
    expect(new Set(run!.recommendations.map((r) => r.asset))).toEqual(new Set(delivered.map((w) => w.asset)));
    expect(await harness.table.store.runs.activeRunIds()).not.toContain(runId);
    // The parked message, replayed after the run closed: dropped, the run untouched.
    expect(await runAssetWork(d.worker, lost!)).toEqual({ kind: 'skipped', reason: 'run is partial' });
    expect(await closeStuckRuns(d.plan)).not.toContain(runId);
  });
});

describe('worker handler (SQS batch)', () => {
  const record = (messageId: string, body: string) => ({ messageId, body }) as SQSEvent['Records'][number];

  it('reports malformed messages and store failures for redelivery; good messages in the same batch succeed', async () => {
    const d = deps();
    const { runId } = (await planRun(d.plan))!;
    const handler = createWorkerHandler(() => ({ ...d.worker }) as unknown as WorkerDeps);
    const response = await handler({
      Records: [
        record('not-json', '{'),
        record('wrong-shape', JSON.stringify({ runId, asset: 'btc lower' })),
        record('good', JSON.stringify({ runId, asset: 'BTC' })),
      ],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'not-json' }, { itemIdentifier: 'wrong-shape' }]);
    expect(await harness.table.store.runs.assetOutcome(runId, 'BTC')).toMatchObject({ status: 'succeeded' });

    // A table that does not exist: the store throws, the message goes back to the queue.
    const doc = createDocumentClient({ endpoint: harness.table.dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const broken = createWorkerHandler(() => ({ ...d.worker, store: createStore(doc, 'no-such-table') }) as unknown as WorkerDeps);
    expect((await broken({ Records: [record('m1', JSON.stringify({ runId, asset: 'ETH' }))] })).batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    doc.destroy();
  });
});

describe('finalize handler metrics', () => {
  it('records the data age, failed assets and recommendations of the finished run, once', async () => {
    const d = deps();
    const runId = await d.workAdhocRun([...ASSETS, 'XYZ'], NOW);
    const recorded: FinalizeResult[] = [];
    const env = readEnvironment({ TABLE_NAME: harness.table.tableName });
    const handler = createFinalizeHandler(() => ({ ...d.finalize, env, publicBaseUrl: 'http://x', simulated: true, dispose: () => {} }) as BaseDeps, (r) => recorded.push(r));
    await handler({ runId });
    await handler({ runId });
    expect(recorded).toHaveLength(1);
    const snapshotAges = await Promise.all(ASSETS.map(async (a) => (NOW - (await harness.table.store.snapshots.latest(a))!.takenAtMs) / 1000));
    expect(recorded[0]).toMatchObject({ assetsFailed: 1, dataAgeMaxSeconds: Math.max(...snapshotAges) });
    const latest = (await Promise.all(d.finalize.config.profiles.map((p) => harness.table.store.recommendations.latestForProfile(p.id)))).flat();
    expect(recorded[0]!.recommendationsMissingInputs).toBe(latest.filter((r) => (r.alerts?.length ?? 0) > 0).length);
  });
});
