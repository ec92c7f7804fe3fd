import { baseDepsFromEnvironment, onResetDeps, type BaseDeps } from './deps.js';
import { EnvironmentError } from './environment.js';
import { registeredAssetQueue } from './queue.js';
import { SqsAssetQueue } from './sqs-queue.js';
import type { PlanDeps } from './stages.js';

export type PlannerDeps = BaseDeps & PlanDeps;

let cached: PlannerDeps | undefined;
onResetDeps(() => (cached = undefined));

/** The planner's deps: the base plus the asset queue (SQS in the cloud, the in-process pool locally). */
export function plannerDepsFromEnvironment(): PlannerDeps {
  if (cached) return cached;
  const base = baseDepsFromEnvironment();
  const queue = registeredAssetQueue() ?? (base.env.ASSET_QUEUE_URL ? new SqsAssetQueue(base.env.ASSET_QUEUE_URL) : undefined);
  if (!queue) throw new EnvironmentError(['ASSET_QUEUE_URL: required by the planner (ingest) outside the local runtime']);
  cached = { ...base, queue };
  return cached;
}
