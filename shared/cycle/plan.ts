import { decodeTime } from 'ulid';
import { readChainOnce } from './chain-read.js';
import { MS_PER_MINUTE } from '../util/time.js';
import { RunNotFoundError } from './errors.js';
import type { AssetQueue } from './queue.js';
import { assetsOf, interruptRun, newRun, type CycleDeps } from './runs.js';

/** The planner also needs the queue it fans out to. */
export interface PlanDeps extends CycleDeps {
  queue: AssetQueue;
  /** issue 16: ADVISOR_RPC_URL; set, the lending profiles' live parameters are read once per run. */
  rpcUrl?: string | undefined;
}

/**
 * The plan function: takes a queued run, or creates a scheduled one, starts it and
 * fans out one message per asset. Nothing per asset runs here, so 1,000 assets cost one invocation of
 * a few hundred milliseconds. Returns null when the run was already taken (a duplicate delivery).
 */
export async function planRun(deps: PlanDeps, runId?: string): Promise<{ runId: string; assets: number } | null> {
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
  if (!run) throw new RunNotFoundError(id);
  const assets = [...new Set(assetsOf(config, run))];
  if (!(await store.runs.start(id, deps.now(), assets.length))) {
    logger.warn('run already started or finished; skipping duplicate plan', { runId: id, status: run.status });
    return null;
  }
  // One chain read per run, before any worker needs it; a failure is a warning, never a failed plan.
  await readChainOnce(deps, id);
  // A crash between start and enqueue leaves the run running with no work: the async retry of this
  // invocation then skips it (not queued), and the run is reported stuck by its age (docs/deploy.md).
  await deps.queue.enqueue(assets.map((asset) => ({ runId: id, asset })));
  logger.info('run planned', { runId: id, assets: assets.length });
  if (assets.length === 0) await deps.invoker.invoke('finalize', { runId: id });
  return { runId: id, assets: assets.length };
}

/**
 * Starts the finalizer, in close-incomplete mode, of every run still running `schedule.runTimeoutMinutes`
 * after it started: one of its asset messages was parked in the dead-letter queue (or lost), so the last
 * worker never came. Returns their ids. Drops finished runs left in the active set, and ids whose run
 * was never written once they are older than the timeout.
 */
export async function closeStuckRuns(deps: CycleDeps): Promise<string[]> {
  const { store, logger } = deps;
  const timeoutMs = deps.config.schedule.runTimeoutMinutes * MS_PER_MINUTE;
  const closing: string[] = [];
  for (const id of await store.runs.activeRunIds()) {
    const run = await store.runs.get(id);
    if (!run) {
      // An id without its run: its creator died between the two writes, or is between them now.
      // The id is a ULID, so its age is known: drop it only once a run that young would be stuck.
      if (createdAtMsOf(id) <= deps.now() - timeoutMs) await store.runs.forgetActive(id);
      continue;
    }
    if (run.status !== 'running' && run.status !== 'queued') {
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
    await deps.invoker.invoke('finalize', { runId: id, closeIncomplete: true });
    closing.push(id);
  }
  return closing;
}

/** When a run id was made (run ids are ULIDs); 0 for an id that is not one, so it counts as old. */
function createdAtMsOf(id: string): number {
  try {
    return decodeTime(id);
  } catch {
    return 0;
  }
}
