import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AdvisorConfig } from '../config/schema.js';
import { draftProposals } from '../governance/outbox.js';
import type { MarketSource } from '../market/types.js';
import type { Recommendation } from '../model/recommendation.js';
import type { AssetOutcome, Run } from '../model/run.js';
import type { Store } from '../store/index.js';
import { RunTransitionError } from '../store/errors.js';
import { computeRecommendation, profilesFor } from './compute.js';
import { ingestAsset } from './ingest.js';
import type { ComputeEvent, Invoker } from './invoker.js';
import type { AssetQueue, AssetWork } from './queue.js';
import { newRun } from './runs.js';

/** What every stage needs; built from the environment by deps.ts, or directly by tests. */
export interface StageDeps {
  config: AdvisorConfig;
  store: Store;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
}

/** The planner also needs the queue it fans out to. */
export interface PlanDeps extends StageDeps {
  queue: AssetQueue;
}

/** A worker also needs the market. */
export interface AssetDeps extends StageDeps {
  source: MarketSource;
  /**
   * How long a delivery holds an asset of a run against concurrent duplicates; longer than a worker
   * can run (its Lambda timeout). Default DEFAULT_ASSET_LEASE_MS.
   */
  assetLeaseMs?: number;
  /** Wall clock for leases, even when `now` is fixed (replay): a dead worker's lease must run out. */
  leaseClock?: () => number;
}

/** Longer than the worker's Lambda timeout (3 min in infra), shorter than the queue's visibility timeout. */
export const DEFAULT_ASSET_LEASE_MS = 5 * 60_000;

/** The finalizer drafts proposals: it needs their links and the label of the publish target. */
export interface FinalizeDeps extends StageDeps {
  /** Base URL of the public API, for links in proposals. */
  publicBaseUrl: string;
  /** The configured publish target (`discourse`, `webhook`, `local-outbox`, ...), or `none`. */
  publishTarget: string;
}

type RunError = Run['errors'][number];

function assetsOf(config: AdvisorConfig, run: Run): string[] {
  return run.assets.length > 0 ? run.assets : config.assets.map((a) => a.symbol);
}

/**
 * Plan stage (the `ingest` function): takes a queued run, or creates a scheduled one, starts it and
 * fans out one message per asset. Nothing per asset runs here, so 1,000 assets cost one invocation of
 * a few hundred milliseconds. Returns null when the run was already taken (a duplicate delivery).
 */
export async function runPlanStage(deps: PlanDeps, runId?: string): Promise<{ runId: string; assets: number } | null> {
  const { config, store, logger } = deps;
  let id = runId;
  if (!id) {
    // Each scheduled plan first closes the runs that lost an asset, so none stays "running" for ever.
    await closeStuckRuns(deps);
    const run = newRun({ trigger: 'schedule', requestedBy: 'schedule', reason: null, assets: [], nowMs: deps.now() });
    await store.runs.create(run);
    id = run.id;
  }
  const run = await store.runs.get(id);
  if (!run) throw new Error(`run ${id} does not exist`);
  const assets = [...new Set(assetsOf(config, run))];
  if (!(await store.runs.start(id, deps.now(), assets.length))) {
    logger.warn('run already started or finished; skipping duplicate plan', { runId: id, status: run.status });
    return null;
  }
  // A crash between start and enqueue leaves the run running with no work: the async retry of this
  // invocation then skips it (not queued), and the run is reported stuck by its age (docs/deploy.md).
  await deps.queue.enqueue(assets.map((asset) => ({ runId: id, asset })));
  logger.info('run planned', { runId: id, assets: assets.length });
  if (assets.length === 0) await deps.invoker.invoke('compute', { runId: id });
  return { runId: id, assets: assets.length };
}

/**
 * Starts the finalizer, in close-incomplete mode, of every run still running `schedule.runTimeoutMinutes`
 * after it started: one of its asset messages was parked in the dead-letter queue (or lost), so the last
 * worker never came. Returns their ids. Drops finished runs left in the active set.
 */
export async function closeStuckRuns(deps: StageDeps): Promise<string[]> {
  const { store, logger } = deps;
  const timeoutMs = deps.config.schedule.runTimeoutMinutes * 60_000;
  const closing: string[] = [];
  for (const id of await store.runs.activeRunIds()) {
    const run = await store.runs.get(id);
    if (!run || (run.status !== 'running' && run.status !== 'queued')) {
      await store.runs.forgetActive(id);
      continue;
    }
    if ((run.startedAtMs ?? run.createdAtMs) > deps.now() - timeoutMs) continue;
    if (run.status === 'queued') {
      // Its plan invocation never ran (retries exhausted, or the process that owned it died): nothing
      // was computed, and a late start would publish numbers a newer run has superseded.
      logger.warn('run still queued after its timeout; closing it as interrupted', { runId: id });
      await interruptRun(store, run, `not started ${deps.config.schedule.runTimeoutMinutes} min after it was queued`, deps.now());
      continue;
    }
    logger.warn('run exceeded its timeout; closing it with the assets it has', { runId: id, done: run.assetsDone, total: run.assetsTotal });
    await deps.invoker.invoke('compute', { runId: id, closeIncomplete: true });
    closing.push(id);
  }
  return closing;
}

/** Closes one run as interrupted, keeping the versions its assets recorded. */
async function interruptRun(store: Store, run: Run, why: string, nowMs: number): Promise<boolean> {
  const outcomes = run.status === 'running' ? await store.runs.assetOutcomes(run.id) : [];
  return store.runs.interrupt(run.id, {
    recommendations: outcomes.flatMap((o) => o.recommendations),
    errors: [{ asset: null, stage: 'run', message: `interrupted: ${why}` }],
    finishedAtMs: nowMs,
  });
}

/**
 * Closes every queued or running run as `interrupted`. For the local runtime at start: there the
 * process is the owner of every run, so a run left unfinished belongs to a process that is gone. Its
 * proposals are never drafted (they would carry superseded numbers). Returns the ids closed.
 */
export async function closeInterruptedRuns(deps: Pick<StageDeps, 'store' | 'now' | 'logger'>): Promise<string[]> {
  const closed: string[] = [];
  for (const id of await deps.store.runs.activeRunIds()) {
    const run = await deps.store.runs.get(id);
    if (!run || (run.status !== 'running' && run.status !== 'queued')) {
      await deps.store.runs.forgetActive(id);
      continue;
    }
    if (await interruptRun(deps.store, run, 'the process running it stopped before it finished', deps.now())) {
      deps.logger.warn('closed a run left unfinished by a previous process', { runId: id, status: run.status });
      closed.push(id);
    }
  }
  return closed;
}

/**
 * Computes (asset, profile) for a run, or returns the version this run already stored: a redelivered
 * message must not append a second version.
 */
async function recommendationForRun(deps: AssetDeps, work: AssetWork, profile: ReturnType<typeof profilesFor>[number], nowMs: number): Promise<Recommendation> {
  const { store, config } = deps;
  // The highest stored version, not the pointer: a delivery killed between the two writes left the
  // version without the pointer; this write repairs the pointer and reuses the version.
  const { highest } = await store.recommendations.rollForward(work.asset, profile.id);
  if (highest && highest.runId === work.runId) return highest;
  const snapshot = await store.snapshots.latest(work.asset);
  if (!snapshot) throw new Error(`no market snapshot for ${work.asset}`);
  const recommendation = await computeRecommendation({ config, store }, snapshot, profile, work.runId, nowMs);
  // Missing input holds parameters (no-data): say so in the run's log, not only in the stored item.
  for (const alert of recommendation.alerts ?? []) deps.logger.warn('missing input: parameters held', { runId: work.runId, ...alert });
  return recommendation;
}

/** The outcome of one asset in a run: ingest, then every profile covering it. Never throws for the asset's own failures. */
async function produceOutcome(deps: AssetDeps, work: AssetWork): Promise<AssetOutcome> {
  const { config, store, logger } = deps;
  const nowMs = deps.now();
  const errors: RunError[] = [];
  const recommendations: AssetOutcome['recommendations'] = [];
  const asset = config.assets.find((a) => a.symbol === work.asset);
  let snapshotTakenAtMs: number | null = null;
  if (!asset) {
    errors.push({ asset: work.asset, stage: 'ingest', message: `unknown asset ${work.asset}` });
  } else {
    try {
      const snapshot = await ingestAsset({ config, source: deps.source, store }, asset, nowMs);
      snapshotTakenAtMs = snapshot.takenAtMs;
      logger.info('ingested', { runId: work.runId, asset: work.asset, quality: snapshot.quality.passed, issues: snapshot.quality.issues.length });
    } catch (error) {
      logger.error('ingest failed', { runId: work.runId, asset: work.asset, error: error as Error });
      errors.push({ asset: work.asset, stage: 'ingest', message: (error as Error).message });
      // The freshest data we still have: what the staleness alarm measures.
      snapshotTakenAtMs = (await store.snapshots.latest(work.asset))?.takenAtMs ?? null;
    }
  }
  if (errors.length === 0) {
    for (const profile of profilesFor(config, work.asset)) {
      try {
        const r = await recommendationForRun(deps, work, profile, nowMs);
        recommendations.push({ asset: r.asset, profileId: r.profileId, version: r.version });
      } catch (error) {
        logger.error('compute failed', { runId: work.runId, asset: work.asset, profileId: profile.id, error: error as Error });
        errors.push({ asset: work.asset, stage: 'compute', message: `${profile.id}: ${(error as Error).message}` });
      }
    }
  }
  return {
    runId: work.runId,
    asset: work.asset,
    status: recommendations.length > 0 ? 'succeeded' : 'failed',
    recommendations,
    errors,
    snapshotTakenAtMs,
    finishedAtMs: deps.now(),
  };
}

export type AssetStageResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'recorded'; outcome: AssetOutcome; done: number; total: number; finalizing: boolean };

/**
 * Asset stage (the `worker` function, one SQS message): market data and recommendations of one asset,
 * its outcome recorded once, the asset counted done; the worker that completes the run starts the
 * finalizer. Idempotent per (run, asset): a redelivery reuses the stored outcome and versions.
 * Throws only when the store or the invoker fails (the message is then redelivered).
 */
export async function runAssetStage(deps: AssetDeps, work: AssetWork): Promise<AssetStageResult> {
  const { store, logger } = deps;
  const run = await store.runs.get(work.runId);
  if (!run || run.status !== 'running') {
    logger.warn('run is not running; dropping asset work', { ...work, status: run?.status });
    return { kind: 'skipped', reason: run ? `run is ${run.status}` : 'no such run' };
  }
  let outcome = await store.runs.assetOutcome(work.runId, work.asset);
  if (!outcome) {
    // Throws AssetBusyError while a concurrent delivery of the same message works on it.
    await store.runs.claimAsset(work.runId, work.asset, randomUUID(), (deps.leaseClock ?? Date.now)(), deps.assetLeaseMs ?? DEFAULT_ASSET_LEASE_MS);
    const produced = await produceOutcome(deps, work);
    // Another delivery of the same message may have recorded first: theirs is the outcome.
    outcome = (await store.runs.recordAssetOutcome(produced)).recorded ? produced : ((await store.runs.assetOutcome(work.runId, work.asset)) ?? produced);
  }
  const progress = await store.runs.markAssetDone(work.runId, work.asset);
  if (!progress) return { kind: 'skipped', reason: 'run finished meanwhile' };
  const finalizing = progress.done >= progress.total;
  if (finalizing) await deps.invoker.invoke('compute', { runId: work.runId });
  return { kind: 'recorded', outcome, ...progress, finalizing };
}

/** What the finalizer reports, for the run's metrics (the staleness alarm reads `dataAgeMaxSeconds`). */
export interface FinalizeResult {
  status: Run['status'];
  assets: number;
  /** Assets with a failed outcome, plus those with none (a run closed incomplete). */
  assetsFailed: number;
  /** Assets that never reported (a run closed incomplete after its timeout). */
  assetsMissing: number;
  recommendations: number;
  proposals: number;
  /** Age of the oldest market snapshot behind this run (its freshest data per asset); null when none. */
  dataAgeMaxSeconds: number | null;
  /** Recommendations holding a parameter for want of an input (their `alerts`): the missing-data alarm. */
  recommendationsMissingInputs: number;
}

/**
 * A run's final status: `failed` when nothing was produced, `partial` when some asset failed, has an
 * error or never reported, else `succeeded`.
 */
export function runStatusOf(recommendations: number, outcomes: readonly AssetOutcome[], missing: number): Run['status'] {
  if (recommendations === 0) return 'failed';
  const incomplete = missing > 0 || outcomes.some((o) => o.status === 'failed' || o.errors.length > 0);
  return incomplete ? 'partial' : 'succeeded';
}

/** Loads the versions the outcomes point to, a few at a time. */
async function loadRecommendations(store: Store, refs: AssetOutcome['recommendations']): Promise<Recommendation[]> {
  const loaded: Recommendation[] = [];
  const concurrency = 16;
  for (let start = 0; start < refs.length; start += concurrency) {
    const batch = await Promise.all(refs.slice(start, start + concurrency).map((r) => store.recommendations.version(r.asset, r.profileId, r.version)));
    for (const r of batch) if (r) loaded.push(r);
  }
  return loaded;
}

/**
 * Finalize stage (the `compute` function, started by the worker that completed the run): one proposal
 * per profile into the outbox from the run's recommendations, the run finished, publish started.
 * Idempotent: proposal ids are deterministic and the run finishes once; a second call returns null.
 */
export async function runFinalizeStage(deps: FinalizeDeps, event: ComputeEvent): Promise<FinalizeResult | null> {
  const { config, store, logger } = deps;
  const run = await store.runs.get(event.runId);
  if (!run || run.status !== 'running') {
    logger.warn('run is not running; skipping finalize', { runId: event.runId, status: run?.status });
    return null;
  }
  const outcomes = await store.runs.assetOutcomes(run.id);
  const reported = new Set(outcomes.map((o) => o.asset));
  const missing = event.closeIncomplete ? [...new Set(assetsOf(config, run))].filter((a) => !reported.has(a)) : [];
  if (!event.closeIncomplete && run.assetsTotal !== null && outcomes.length < run.assetsTotal) {
    // Started early by a redelivery race: the worker that records the last outcome starts it again.
    logger.warn('run still has assets in flight; not finalizing yet', { runId: run.id, done: outcomes.length, total: run.assetsTotal });
    return null;
  }
  const nowMs = deps.now();
  const recommendations = await loadRecommendations(
    store,
    outcomes.flatMap((o) => o.recommendations),
  );
  recommendations.sort((a, b) => a.asset.localeCompare(b.asset) || a.profileId.localeCompare(b.profileId));
  const proposals = draftProposals({ config, runId: run.id, nowMs, publicBaseUrl: deps.publicBaseUrl, target: deps.publishTarget, recommendations });
  for (const proposal of proposals) await store.proposals.createPending(proposal);
  const status = runStatusOf(recommendations.length, outcomes, missing.length);
  const errors = [
    ...outcomes.flatMap((o) => o.errors),
    ...missing.map((asset) => ({
      asset,
      stage: 'worker',
      message: `no outcome ${config.schedule.runTimeoutMinutes} min after the run started: its message is in the asset dead-letter queue, or was lost`,
    })),
  ];
  try {
    await store.runs.finish(run.id, {
      status,
      recommendations: recommendations.map((r) => ({ asset: r.asset, profileId: r.profileId, version: r.version })),
      proposals: proposals.map((p) => p.id),
      errors,
      finishedAtMs: deps.now(),
    });
  } catch (error) {
    if (!(error instanceof RunTransitionError)) throw error;
    logger.warn('run finished by another finalizer', { runId: run.id });
    return null;
  }
  const ages = outcomes.flatMap((o) => (o.snapshotTakenAtMs === null ? [] : [(nowMs - o.snapshotTakenAtMs) / 1000]));
  const result: FinalizeResult = {
    status,
    assets: outcomes.length + missing.length,
    assetsFailed: outcomes.filter((o) => o.status === 'failed').length + missing.length,
    assetsMissing: missing.length,
    recommendations: recommendations.length,
    proposals: proposals.length,
    dataAgeMaxSeconds: ages.length > 0 ? Math.max(...ages) : null,
    recommendationsMissingInputs: recommendations.filter((r) => (r.alerts?.length ?? 0) > 0).length,
  };
  logger.info('run finished', { runId: run.id, ...result, errors: errors.length });
  if (proposals.length > 0) await deps.invoker.invoke('publish', { reason: `run ${run.id}` });
  return result;
}
