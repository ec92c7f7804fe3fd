import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import { profilesFor } from '../../shared/cycle/compute-recommendation.js';
import { NoMarketDataError } from '../../shared/cycle/errors.js';
import { ingestAsset } from '../../shared/cycle/ingest-asset.js';
import { finalizeRun } from '../../shared/cycle/finalize.js';
import { closeStuckRuns, planRun } from '../../shared/cycle/plan.js';
import { closeInterruptedRuns, newRun } from '../../shared/cycle/runs.js';
import { runAssetWork } from '../../shared/cycle/worker.js';
import { SimulatedMarket } from '../../shared/market/simulator.js';
import type { Recommendation } from '../../shared/model/recommendation.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { createStore } from '../../shared/store/index.js';
import { keys } from '../../shared/store/table.js';
import { recordedCycle, useCycleTable } from '../support/cycle-harness.js';
import { recommendationDraft } from '../support/fixtures.js';
import { fastLiveMarket, startVenueServers, type VenueServers } from '../support/venue-server.js';

/**
 * What a crash leaves behind, on a real local DynamoDB-API server: a version without its pointer, runs
 * left queued or running, and an ingest where no venue answered.
 */

const NOW = Date.UTC(2025, 9, 1, 12, 0, 0);
const ASSETS = ['BTC', 'ETH'];

const harness = useCycleTable(ASSETS);

function deps(now: () => number = () => NOW) {
  const { config } = harness;
  return recordedCycle(config, harness.table.store, new SimulatedMarket({ seed: config.simulator.seed, originMs: Date.parse(config.simulator.originIso) }), now);
}

/** A version item written without moving the pointer: what a kill between the two writes leaves. */
async function writeOrphanVersion(r: Recommendation): Promise<void> {
  const doc = createDocumentClient({ endpoint: harness.table.dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await doc.send(new PutCommand({ TableName: harness.table.tableName, Item: { pk: keys.asset(r.asset), sk: keys.recommendationVersion(r.profileId, r.version), ...r } }));
  doc.destroy();
}

describe('a version newer than its pointer (killed between the two writes)', () => {
  it('repairPointers (the local runtime at start) rolls the pointer forward to the highest version', async () => {
    const { recommendations } = harness.table.store;
    const v1 = await recommendations.append(recommendationDraft({ asset: 'UNI', runId: 'R1' }));
    await writeOrphanVersion({ ...v1, version: 2, runId: 'R2' });
    expect((await recommendations.latest('UNI', v1.profileId))?.version).toBe(1);

    const repaired = await recommendations.repairPointers([{ asset: 'UNI', profileId: v1.profileId }, { asset: 'NONE', profileId: v1.profileId }]);
    expect(repaired).toEqual([{ asset: 'UNI', profileId: v1.profileId, version: 2 }]);
    const latest = await recommendations.latest('UNI', v1.profileId);
    expect(latest).toMatchObject({ version: 2, runId: 'R2' });
    // The pointer and the history agree.
    expect((await recommendations.history('UNI', v1.profileId, { limit: 1 })).items[0]?.version).toBe(2);
    expect(await recommendations.repairPointers([{ asset: 'UNI', profileId: v1.profileId }])).toEqual([]);
  });

  it('the next append ends with the pointer on the highest version', async () => {
    const { recommendations } = harness.table.store;
    const v1 = await recommendations.append(recommendationDraft({ asset: 'SOL', runId: 'R1' }));
    await writeOrphanVersion({ ...v1, version: 2, runId: 'R2' });
    const v3 = await recommendations.append(recommendationDraft({ asset: 'SOL', runId: 'R3' }));
    expect(v3.version).toBe(3);
    expect((await recommendations.latest('SOL', v1.profileId))?.version).toBe(3);
  });

  it('the redelivered asset of the killed run reuses its version and repairs the pointer, with no second version for the run', async () => {
    const d = deps();
    const { runId } = (await planRun(d.plan))!;
    const work = d.queue.sent.find((w) => w.asset === 'ETH')!;
    const profile = profilesFor(harness.config, 'ETH')[0]!;
    const before = (await harness.table.store.recommendations.latest('ETH', profile.id))?.version ?? 0;
    // The first delivery computed and stored a version for this run, then died before the pointer.
    const template = await harness.table.store.recommendations.append(recommendationDraft({ asset: 'ETH', profileId: profile.id, runId: 'OLDER' }));
    await writeOrphanVersion({ ...template, version: template.version + 1, runId });
    const orphan = template.version + 1;

    await runAssetWork(d.worker, work);
    const history = (await harness.table.store.recommendations.history('ETH', profile.id, { limit: 100 })).items;
    expect(history.filter((r) => r.runId === runId).map((r) => r.version)).toEqual([orphan]);
    expect((await harness.table.store.recommendations.latest('ETH', profile.id))?.version).toBe(orphan);
    expect(orphan).toBeGreaterThan(before);
  });
});

describe('run statuses', () => {
  it('a run whose assets partly failed is partial; with nothing produced it is failed', async () => {
    const d = deps();
    const partial = await d.workAdhocRun(['BTC', 'XYZ'], NOW);
    expect(await finalizeRun(d.finalize, { runId: partial })).toMatchObject({ status: 'partial', assetsFailed: 1 });
    expect((await harness.table.store.runs.get(partial))?.status).toBe('partial');

    const d2 = deps();
    const nothing = await d2.workAdhocRun(['XYZ'], NOW);
    expect(await finalizeRun(d2.finalize, { runId: nothing })).toMatchObject({ status: 'failed', proposals: 0 });
  });

  it('at local start every queued or running run is closed as interrupted, with no proposal; finished runs are untouched', async () => {
    const d = deps();
    const queued = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: null, assets: ['BTC'], nowMs: NOW });
    await harness.table.store.runs.create(queued);
    const { runId: running } = (await planRun(d.plan))!;
    // One asset reported before the kill.
    await runAssetWork(d.worker, d.queue.sent.find((w) => w.asset === 'BTC')!);
    const finished = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: null, assets: ['ETH'], nowMs: NOW });
    await harness.table.store.runs.create(finished);
    const d2 = deps();
    await planRun(d2.plan, finished.id);
    for (const work of d2.queue.sent) await runAssetWork(d2.worker, work);
    await finalizeRun(d2.finalize, { runId: finished.id });

    const closed = await closeInterruptedRuns(d.plan);
    // (Runs other tests left running on this table are closed too: every unfinished run is dead here.)
    expect(closed).toEqual(expect.arrayContaining([queued.id, running]));
    for (const id of [queued.id, running]) {
      const run = await harness.table.store.runs.get(id);
      expect(run).toMatchObject({ status: 'interrupted', proposals: [] });
      expect(run!.finishedAtMs).not.toBeNull();
      expect(run!.errors).toContainEqual(expect.objectContaining({ stage: 'run', message: expect.stringContaining('interrupted') }));
    }
    // What the interrupted run's assets stored stays on record.
    expect((await harness.table.store.runs.get(running))!.recommendations.map((r) => r.asset)).toEqual(profilesFor(harness.config, 'BTC').map(() => 'BTC'));
    expect((await harness.table.store.runs.get(finished.id))?.status).toBe('succeeded');
    expect(await harness.table.store.runs.activeRunIds()).toEqual([]);
    // Late work for an interrupted run is dropped, and its finalizer does nothing.
    expect(await runAssetWork(d.worker, d.queue.sent.find((w) => w.asset === 'ETH')!)).toEqual({ kind: 'skipped', reason: 'run is interrupted' });
    expect(await finalizeRun(d.finalize, { runId: running })).toBeNull();
  });

  it('the scheduled sweep closes a run still queued after runTimeoutMinutes as interrupted (its plan never ran)', async () => {
    let clock = NOW;
    const d = deps(() => clock);
    const queued = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: null, assets: ['BTC'], nowMs: NOW });
    await harness.table.store.runs.create(queued);
    clock = NOW + (harness.config.schedule.runTimeoutMinutes - 1) * 60_000;
    await closeStuckRuns(d.plan);
    expect((await harness.table.store.runs.get(queued.id))?.status).toBe('queued');
    clock = NOW + (harness.config.schedule.runTimeoutMinutes + 1) * 60_000;
    await closeStuckRuns(d.plan);
    expect((await harness.table.store.runs.get(queued.id))?.status).toBe('interrupted');
    expect(await harness.table.store.runs.activeRunIds()).not.toContain(queued.id);
  });
});

describe('a run killed between the two writes that create it', () => {
  /** The store over a client that dies (every call fails) from its `killAt`-th call on. */
  function storeKilledAt(killAt: number) {
    const doc = createDocumentClient({ endpoint: harness.table.dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    let calls = 0;
    const send = doc.send.bind(doc);
    (doc as { send: unknown }).send = (command: Parameters<typeof doc.send>[0]) => (++calls >= killAt ? Promise.reject(new Error('killed')) : send(command));
    return { store: createStore(doc, harness.table.tableName), close: () => doc.destroy() };
  }

  it.each([1, 2])('killed at its write %i: the sweep at local start leaves no run queued', async (killAt) => {
    const run = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: null, assets: ['BTC'], nowMs: NOW });
    const killed = storeKilledAt(killAt);
    await expect(killed.store.runs.create(run)).rejects.toThrow('killed');
    killed.close();
    await closeInterruptedRuns(deps().plan);
    const stored = await harness.table.store.runs.get(run.id);
    expect(stored === null || stored.status === 'interrupted').toBe(true);
    expect(await harness.table.store.runs.activeRunIds()).not.toContain(run.id);
  });

  it('the scheduled sweep keeps a young id without its run (its creator may be between the writes) and drops an old one', async () => {
    let clock = NOW;
    const d = deps(() => clock);
    const run = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: null, assets: ['BTC'], nowMs: NOW });
    const killed = storeKilledAt(2);
    await expect(killed.store.runs.create(run)).rejects.toThrow('killed');
    killed.close();
    await closeStuckRuns(d.plan);
    expect(await harness.table.store.runs.activeRunIds()).toContain(run.id);
    clock = NOW + (harness.config.schedule.runTimeoutMinutes + 1) * 60_000;
    await closeStuckRuns(d.plan);
    expect(await harness.table.store.runs.activeRunIds()).not.toContain(run.id);
  });
});

describe('ingest when no venue answers', () => {
  let servers: VenueServers;
  beforeAll(async () => {
    servers = await startVenueServers({ now: () => NOW, recorded: false });
  });
  afterAll(async () => servers?.close());

  it('fails with a named error carrying every venue\'s error, and stores no snapshot with a made-up price', async () => {
    for (const venue of ['binance', 'coinbase', 'kraken'] as const) servers.fault(venue, { fault: { kind: 'status', status: 404 } });
    const live = buildConfig({ venues: servers.venues } as never);
    const asset = { ...live.assets[0]!, symbol: 'NOVENUE', name: 'x', venuePairs: { binance: 'NOVENUEUSDT', coinbase: 'NOVENUE-USD', kraken: 'NOVENUEUSD' } };
    const market = fastLiveMarket(servers.venues, { now: () => NOW });
    try {
      const error = await ingestAsset({ config: live, source: market, store: harness.table.store }, asset, NOW).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NoMarketDataError);
      const failure = error as NoMarketDataError;
      expect(failure.venues.map((v) => v.venue).sort()).toEqual(['binance', 'coinbase', 'kraken']);
      for (const v of failure.venues) expect(v.error).toMatch(/404/);
      expect(failure.message).toMatch(/no venue answered for NOVENUE: .*binance.*404/);
      expect(await harness.table.store.snapshots.latest('NOVENUE')).toBeNull();
    } finally {
      await market.dispose();
      servers.clearFaults();
    }
  });
});
