import { baseDepsFromEnvironment, type BaseDeps } from './deps.js';
import { EnvironmentError } from './environment.js';
import type { PlanDeps } from './plan.js';
import type { AssetQueue } from './queue.js';
import { SqsAssetQueue } from './sqs-queue.js';

export type PlannerDeps = BaseDeps & PlanDeps;

/** The planner's deps: the base plus the asset queue it fans a run out to. */
export function plannerDepsOf(base: BaseDeps, queue: AssetQueue): PlannerDeps {
  return { ...base, queue, rpcUrl: base.env.ADVISOR_RPC_URL };
}

let cached: PlannerDeps | undefined;

/** Lambda: the planner's deps from the environment, with the SQS queue of ASSET_QUEUE_URL. */
export function plannerDepsFromEnvironment(): PlannerDeps {
  if (cached) return cached;
  const base = baseDepsFromEnvironment();
  if (!base.env.ASSET_QUEUE_URL) throw new EnvironmentError(['ASSET_QUEUE_URL: required by the plan function']);
  cached = plannerDepsOf(base, new SqsAssetQueue(base.env.ASSET_QUEUE_URL));
  return cached;
}
