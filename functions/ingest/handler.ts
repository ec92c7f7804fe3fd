import type { Context, ScheduledEvent } from 'aws-lambda';
import { depsFromEnvironment, type HandlerDeps } from '../../shared/cycle/deps.js';
import type { IngestEvent } from '../../shared/cycle/invoker.js';
import { runIngestStage } from '../../shared/cycle/stages.js';

/** Scheduled (EventBridge) or started by POST /v1/recompute with a queued run id. */
export function createIngestHandler(deps: () => HandlerDeps) {
  return async (event: IngestEvent | ScheduledEvent, context?: Context) => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    const runId = 'runId' in event && typeof event.runId === 'string' ? event.runId : undefined;
    const result = await runIngestStage(d, runId);
    return result ? { runId: result.runId, errors: result.errors.length } : { skipped: true };
  };
}

export const handler = createIngestHandler(depsFromEnvironment);
