import type { Logger } from '@aws-lambda-powertools/logger';
import type { AdvisorConfig } from '../config/schema.js';
import { draftProposals } from '../governance/outbox.js';
import type { ProposalSink } from '../governance/sinks.js';
import type { MarketSource } from '../market/types.js';
import type { Recommendation } from '../model/recommendation.js';
import type { Run } from '../model/run.js';
import type { Store } from '../store/index.js';
import { computeRecommendation, profilesFor } from './compute.js';
import { ingestAsset } from './ingest.js';
import type { ComputeEvent, Invoker } from './invoker.js';
import { newRun } from './runs.js';

/** Everything a stage needs; built from the environment by deps.ts, or directly by tests. */
export interface CycleDeps {
  config: AdvisorConfig;
  store: Store;
  source: MarketSource;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
  /** Base URL of the public API, for links in proposals. */
  publicBaseUrl: string;
  /** Null when no publish target is configured: proposals stay pending in the outbox. */
  sink: ProposalSink | null;
  maxPublishAttempts: number;
}

type RunError = Run['errors'][number];

function assetsOf(config: AdvisorConfig, run: Run): string[] {
  return run.assets.length > 0 ? run.assets : config.assets.map((a) => a.symbol);
}

/**
 * Ingest stage: takes a queued run (or creates a scheduled one), pulls every asset's market data and
 * hands over to compute. Returns null when the run was already taken (a duplicate delivery).
 */
export async function runIngestStage(deps: CycleDeps, runId?: string): Promise<{ runId: string; errors: RunError[] } | null> {
  const { config, store, logger } = deps;
  let id = runId;
  if (!id) {
    const run = newRun({ trigger: 'schedule', requestedBy: 'schedule', reason: null, assets: [], nowMs: deps.now() });
    await store.runs.create(run);
    id = run.id;
  }
  const run = await store.runs.get(id);
  if (!run) throw new Error(`run ${id} does not exist`);
  if (!(await store.runs.start(id, deps.now()))) {
    logger.warn('run already started or finished; skipping duplicate ingest', { runId: id, status: run.status });
    return null;
  }
  const errors: RunError[] = [];
  const nowMs = deps.now();
  for (const symbol of assetsOf(config, run)) {
    const asset = config.assets.find((a) => a.symbol === symbol);
    if (!asset) {
      errors.push({ asset: symbol, stage: 'ingest', message: `unknown asset ${symbol}` });
      continue;
    }
    try {
      const snapshot = await ingestAsset({ config, source: deps.source, store }, asset, nowMs);
      logger.info('ingested', { runId: id, asset: symbol, quality: snapshot.quality.passed, issues: snapshot.quality.issues.length });
    } catch (error) {
      logger.error('ingest failed', { runId: id, asset: symbol, error: error as Error });
      errors.push({ asset: symbol, stage: 'ingest', message: (error as Error).message });
    }
  }
  await deps.invoker.invoke('compute', { runId: id, ingestErrors: errors });
  return { runId: id, errors };
}

/**
 * Compute stage: a new recommendation version per (asset, profile) from the latest snapshots, then one
 * proposal per profile into the outbox, then the run is finished and publish is started.
 */
export async function runComputeStage(deps: CycleDeps, event: ComputeEvent): Promise<Run['status'] | null> {
  const { config, store, logger } = deps;
  const run = await store.runs.get(event.runId);
  if (!run || run.status !== 'running') {
    logger.warn('run is not running; skipping compute', { runId: event.runId, status: run?.status });
    return null;
  }
  const errors: RunError[] = [...event.ingestErrors];
  const failedIngest = new Set(event.ingestErrors.map((e) => e.asset));
  const recommendations: Recommendation[] = [];
  const nowMs = deps.now();
  for (const symbol of assetsOf(config, run)) {
    if (failedIngest.has(symbol)) continue;
    const snapshot = await store.snapshots.latest(symbol);
    if (!snapshot) {
      errors.push({ asset: symbol, stage: 'compute', message: `no market snapshot for ${symbol}` });
      continue;
    }
    for (const profile of profilesFor(config, symbol)) {
      try {
        recommendations.push(await computeRecommendation({ config, store }, snapshot, profile, run.id, nowMs));
      } catch (error) {
        logger.error('compute failed', { runId: run.id, asset: symbol, profileId: profile.id, error: error as Error });
        errors.push({ asset: symbol, stage: 'compute', message: `${profile.id}: ${(error as Error).message}` });
      }
    }
  }
  const proposals = draftProposals({
    config,
    runId: run.id,
    nowMs,
    publicBaseUrl: deps.publicBaseUrl,
    target: deps.sink?.target ?? 'none',
    recommendations,
  });
  for (const proposal of proposals) await store.proposals.createPending(proposal);
  const status: Run['status'] = recommendations.length > 0 ? 'succeeded' : 'failed';
  await store.runs.finish(run.id, {
    status,
    recommendations: recommendations.map((r) => ({ asset: r.asset, profileId: r.profileId, version: r.version })),
    proposals: proposals.map((p) => p.id),
    errors,
    finishedAtMs: deps.now(),
  });
  logger.info('run finished', { runId: run.id, status, recommendations: recommendations.length, proposals: proposals.length, errors: errors.length });
  if (proposals.length > 0) await deps.invoker.invoke('publish', { reason: `run ${run.id}` });
  return status;
}
