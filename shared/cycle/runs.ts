import type { Logger } from '@aws-lambda-powertools/logger';
import { ulid } from 'ulid';
import type { AdvisorConfig } from '../config/schema.js';
import type { Run } from '../model/run.js';
import type { Store } from '../store/index.js';
import type { Invoker } from './invoker.js';

/** What every function of the cycle needs; built by deps.ts (from the environment, or by the local runtime), or by tests. */
export interface CycleDeps {
  config: AdvisorConfig;
  store: Store;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
}

export function newRun(input: { trigger: Run['trigger']; requestedBy: string; reason: string | null; assets: string[]; nowMs: number }): Run {
  return {
    id: ulid(input.nowMs),
    trigger: input.trigger,
    requestedBy: input.requestedBy,
    reason: input.reason,
    assets: input.assets,
    status: 'queued',
    createdAtMs: input.nowMs,
    startedAtMs: null,
    finishedAtMs: null,
    recommendations: [],
    proposals: [],
    publication: [],
    errors: [],
    assetsTotal: null,
    assetsDone: 0,
  };
}

/** The assets a run covers: those it names, else the whole configured universe. */
export function assetsOf(config: AdvisorConfig, run: Run): string[] {
  return run.assets.length > 0 ? run.assets : config.assets.map((a) => a.symbol);
}

/** Closes one run as interrupted, keeping the versions its assets recorded. */
export async function interruptRun(store: Store, run: Run, why: string, nowMs: number): Promise<boolean> {
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
export async function closeInterruptedRuns(deps: Pick<CycleDeps, 'store' | 'now' | 'logger'>): Promise<string[]> {
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
