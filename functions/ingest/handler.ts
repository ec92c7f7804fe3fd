import type { Context, ScheduledEvent } from 'aws-lambda';
import type { IngestEvent } from '../../shared/cycle/invoker.js';
import { plannerDepsFromEnvironment, type PlannerDeps } from '../../shared/cycle/plan-deps.js';
import { runPlanStage } from '../../shared/cycle/stages.js';

/**
 * Plans a run: scheduled (EventBridge) or started by POST /v1/recompute with a queued run id. Starts
 * the run and fans its assets out to the worker queue; the per-asset work happens in the worker.
 */
export function createIngestHandler(deps: () => PlannerDeps) {
  return async (event: IngestEvent | ScheduledEvent, context?: Context) => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    const runId = 'runId' in event && typeof event.runId === 'string' ? event.runId : undefined;
    const result = await runPlanStage(d, runId);
    return result ?? { skipped: true };
  };
}

export const handler = createIngestHandler(plannerDepsFromEnvironment);
