import { randomUUID } from 'node:crypto';
import type { MarketSource } from '../market/types.js';
import type { Recommendation } from '../model/recommendation.js';
import type { ChainReading } from '../model/chain.js';
import type { AssetOutcome, Run } from '../model/run.js';
import { MS_PER_MINUTE } from '../util/time.js';
import { computeRecommendation, profilesFor } from './compute-recommendation.js';
import { NoSnapshotError } from './errors.js';
import { ingestAsset } from './ingest-asset.js';
import type { AssetWork } from './queue.js';
import type { CycleDeps } from './runs.js';

/** A worker also needs the market. */
export interface AssetDeps extends CycleDeps {
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
export const DEFAULT_ASSET_LEASE_MS = 5 * MS_PER_MINUTE;

type RunError = Run['errors'][number];

/**
 * Computes (asset, profile) for a run, or returns the version this run already stored: a redelivered
 * message must not append a second version.
 */
async function recommendationForRun(deps: AssetDeps, work: AssetWork, profile: ReturnType<typeof profilesFor>[number], nowMs: number, chain: ChainReading | undefined): Promise<Recommendation> {
  const { store, config } = deps;
  // The highest stored version, not the pointer: a delivery killed between the two writes left the
  // version without the pointer; this write repairs the pointer and reuses the version.
  const { highest } = await store.recommendations.rollForward(work.asset, profile.id);
  if (highest && highest.runId === work.runId) return highest;
  const snapshot = await store.snapshots.latest(work.asset);
  if (!snapshot) throw new NoSnapshotError(work.asset);
  const recommendation = await computeRecommendation({ config, store }, snapshot, profile, work.runId, nowMs, highest?.inputsDigest, chain);
  const source = recommendation.profileKind === 'lending' ? recommendation.currentSource : undefined;
  if (source?.warning) deps.logger.warn('current values: chain read fell short', { runId: work.runId, asset: work.asset, profileId: profile.id, warning: source.warning });
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
    // issue 16: the run's chain readings (stored by the plan function; none without ADVISOR_RPC_URL).
    const chain = await store.runs.chainReadings(work.runId);
    for (const profile of profilesFor(config, work.asset)) {
      try {
        const r = await recommendationForRun(deps, work, profile, nowMs, chain[profile.id]);
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

export type AssetWorkResult =
  | { kind: 'skipped'; reason: string }
  | { kind: 'recorded'; outcome: AssetOutcome; done: number; total: number; finalizing: boolean };

/**
 * The worker function's work on one SQS message: market data and recommendations of one asset,
 * its outcome recorded once, the asset counted done; the worker that completes the run starts the
 * finalizer. Idempotent per (run, asset): a redelivery reuses the stored outcome and versions.
 * Throws only when the store or the invoker fails (the message is then redelivered).
 */
export async function runAssetWork(deps: AssetDeps, work: AssetWork): Promise<AssetWorkResult> {
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
  if (finalizing) await deps.invoker.invoke('finalize', { runId: work.runId });
  return { kind: 'recorded', outcome, ...progress, finalizing };
}
