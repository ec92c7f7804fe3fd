import type { Recommendation } from '../model/recommendation.js';
import type { AssetOutcome, Run } from '../model/run.js';
import { RunTransitionError } from '../store/errors.js';
import type { Store } from '../store/index.js';
import type { FinalizeEvent } from './invoker.js';
import { draftMarkets } from './publication.js';
import { chainWarningsOf } from '../chain/warnings.js';
import { loadPositionsFile, type PositionsSnapshot } from '../governance/positions.js';
import { assetsOf, type CycleDeps } from './runs.js';

/** The finalizer drafts proposals: it needs their links and the label of the publish target. */
export interface FinalizeDeps extends CycleDeps {
  /** Base URL of the public API, for links in proposals. */
  publicBaseUrl: string;
  /** The configured publish target (`discourse`, `webhook`, `local-outbox`, ...), or `none`. */
  publishTarget: string;
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
  /** Markets (profiles) with changes whose proposal was held (no material change, or within the interval). */
  marketsHeld: number;
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
 * The finalize function (started by the worker that completed the run): per profile, a proposal into
 * the outbox when the run's changes are worth one against the market's last published proposal
 * (publication.ts; the decision is kept on the run either way), the run finished, publish started.
 * Idempotent: proposal ids are deterministic and the run finishes once; a second call returns null.
 */
export async function finalizeRun(deps: FinalizeDeps, event: FinalizeEvent): Promise<FinalizeResult | null> {
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
  // issue 16, part 4: a positions file for the induced liquidations; unreadable, the simulated books (with a warning).
  const positionWarnings: { asset: null; stage: string; message: string }[] = [];
  let positions: PositionsSnapshot | null = null;
  if (config.proposals.positionsFile) {
    try {
      positions = loadPositionsFile(config.proposals.positionsFile);
    } catch (error) {
      positionWarnings.push({ asset: null, stage: 'positions', message: `${(error as Error).message}; induced liquidations on simulated books` });
    }
  }
  // Publish only what matters (issue 16): per market, against its last published proposal.
  const { decisions, proposals } = await draftMarkets({ config, store, runId: run.id, nowMs, publicBaseUrl: deps.publicBaseUrl, target: deps.publishTarget, recommendations, positions });
  for (const proposal of proposals) await store.proposals.createPending(proposal);
  const status = runStatusOf(recommendations.length, outcomes, missing.length);
  const errors = [
    ...outcomes.flatMap((o) => o.errors),
    // issue 16: a chain read that fell short is said in the run too (its proposals say it per asset); not a failure.
    ...chainWarningsOf(await store.runs.chainReadings(run.id)),
    ...positionWarnings,
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
      publication: decisions,
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
    marketsHeld: decisions.filter((d) => !d.publish && d.decision !== 'nothing-to-propose').length,
    dataAgeMaxSeconds: ages.length > 0 ? Math.max(...ages) : null,
    recommendationsMissingInputs: recommendations.filter((r) => (r.alerts?.length ?? 0) > 0).length,
  };
  logger.info('run finished', { runId: run.id, ...result, errors: errors.length, publication: decisions.map((d) => `${d.profileId}: ${d.decision}`) });
  if (proposals.length > 0) await deps.invoker.invoke('publish', { reason: `run ${run.id}` });
  return result;
}
