import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createApiHandler } from '../functions/api/handler.js';
import { createFinalizeHandler, NO_RUN_METRICS } from '../functions/finalize/handler.js';
import { createPlanHandler } from '../functions/plan/handler.js';
import { createPublishHandler } from '../functions/publish/handler.js';
import { createWorkerHandler } from '../functions/worker/handler.js';
import { buildBaseDeps, SERVICE_NAME, type BaseDeps } from '../shared/cycle/deps.js';
import type { Environment } from '../shared/cycle/environment.js';
import { plannerDepsOf } from '../shared/cycle/plan-deps.js';
import { publishDepsOf } from '../shared/cycle/publish-deps.js';
import { workerDepsOf } from '../shared/cycle/worker-deps.js';
import type { AssetOutcome, Run } from '../shared/model/run.js';
import { createDocumentClient } from '../shared/store/client.js';
import { InProcessInvoker, type InvocationReport } from './invoker.js';
import { InProcessAssetQueue, type AssetReport } from './queue.js';

/** One asset of a run, finished: the queue's report plus what the worker recorded and the run's size. */
export interface AssetProgress extends AssetReport {
  /** The outcome stored for (run, asset); null when the worker recorded none (e.g. the run was no longer running). */
  outcome: AssetOutcome | null;
  trigger: Run['trigger'] | null;
  /** Assets the run fans out to. */
  total: number | null;
}

export interface LocalFunctionsOptions {
  /** The functions' environment, validated (readEnvironment): what Lambda would read from process.env. */
  env: Environment;
  /** The local DynamoDB-API server. */
  dynamoEndpoint: string;
  /** Powertools log level of the handlers (their JSON logs go to stdout). */
  logLevel: LogLevel;
  /** Assets worked on at once (the cloud's worker concurrency). */
  assetConcurrency: number;
  /** Deliveries of an asset message before it is given up (the queue's redrive policy). */
  maxReceives: number;
  onInvocation?: (report: InvocationReport) => void;
  onAsset?: (progress: AssetProgress) => void;
}

export interface LocalFunctions {
  deps: BaseDeps;
  api: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /** The plan function, as the cycle schedule calls it. */
  plan: ReturnType<typeof createPlanHandler>;
  invoker: InProcessInvoker;
  queue: InProcessAssetQueue;
}

/**
 * The five Lambda handlers in this process, unchanged, each given its deps explicitly: built once
 * here, from the environment passed in, with an in-process invoker and asset queue in place of Lambda
 * and SQS. Nothing is read from or written to process.env, and nothing is registered in a module.
 */
export function wireLocalFunctions(options: LocalFunctionsOptions): LocalFunctions {
  // The handlers take their deps from a factory, called at each invocation, so the invoker and queue
  // can hold the handlers before the deps (which hold the invoker and queue) exist.
  const invoker = new InProcessInvoker(
    {
      plan: createPlanHandler(() => plannerDeps),
      finalize: createFinalizeHandler(() => base, NO_RUN_METRICS),
      publish: createPublishHandler(() => publishDeps),
    },
    options.onInvocation,
  );
  const onAsset = options.onAsset;
  const queue = new InProcessAssetQueue(createWorkerHandler(() => workerDeps), {
    concurrency: options.assetConcurrency,
    maxReceives: options.maxReceives,
    ...(onAsset
      ? {
          onReport: async (report: AssetReport) => {
            const [outcome, run] = await Promise.all([base.store.runs.assetOutcome(report.work.runId, report.work.asset), base.store.runs.get(report.work.runId)]);
            onAsset({ ...report, outcome, trigger: run?.trigger ?? null, total: run?.assetsTotal ?? null });
          },
        }
      : {}),
  });
  const documentClient = createDocumentClient({
    endpoint: options.dynamoEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const base = buildBaseDeps(options.env, {
    invoker,
    documentClient,
    logger: new Logger({ serviceName: SERVICE_NAME, logLevel: options.logLevel }),
  });
  const plannerDeps = plannerDepsOf(base, queue);
  const workerDeps = workerDepsOf(base);
  const publishDeps = publishDepsOf(base);
  return { deps: base, api: createApiHandler(() => base), plan: createPlanHandler(() => plannerDeps), invoker, queue };
}
