import type { Context } from 'aws-lambda';
import { depsFromEnvironment, type HandlerDeps } from '../../shared/cycle/deps.js';
import type { ComputeEvent } from '../../shared/cycle/invoker.js';
import { runComputeStage } from '../../shared/cycle/stages.js';

/** Started by ingest with the run id: recommendations, proposals, run outcome. */
export function createComputeHandler(deps: () => HandlerDeps) {
  return async (event: ComputeEvent, context?: Context) => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    const status = await runComputeStage(d, { runId: event.runId, ingestErrors: event.ingestErrors ?? [] });
    return { runId: event.runId, status };
  };
}

export const handler = createComputeHandler(depsFromEnvironment);
