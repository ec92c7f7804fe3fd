import type { Context, ScheduledEvent } from 'aws-lambda';
import type { PlanEvent } from '../../shared/cycle/invoker.js';
import { planRun } from '../../shared/cycle/plan.js';
import { plannerDepsFromEnvironment, type PlannerDeps } from '../../shared/cycle/plan-deps.js';

/**
 * Plans a run: scheduled (EventBridge) or started by POST /v1/recompute with a queued run id. Starts
 * the run and fans its assets out to the worker queue; the per-asset work happens in the worker.
 */
export function createPlanHandler(deps: () => PlannerDeps) {
  return async (event: PlanEvent | ScheduledEvent, context?: Context) => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    const runId = 'runId' in event && typeof event.runId === 'string' ? event.runId : undefined;
    const result = await planRun(d, runId);
    return result ?? { skipped: true };
  };
}

export const handler = createPlanHandler(plannerDepsFromEnvironment);
