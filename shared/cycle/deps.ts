import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../config/load.js';
import type { AdvisorConfig } from '../config/schema.js';
import { createDocumentClient } from '../store/client.js';
import { createStore, type Store } from '../store/index.js';
import { readEnvironment, type Environment } from './environment.js';
import { LambdaInvoker, type Invoker } from './invoker.js';

export { EnvironmentError, environmentSchema, readEnvironment, type Environment } from './environment.js';

/** Powertools' service name: the `service` dimension of the run metrics and a field of every log line. */
export const SERVICE_NAME = 'leverage-advisor';

/**
 * What every function needs. The parts only some functions need (the market for the worker, publish
 * targets for publish, the queue for the planner) are built by their own modules, so each function's
 * bundle carries only its own dependencies.
 */
export interface BaseDeps {
  env: Environment;
  config: AdvisorConfig;
  store: Store;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
  /** Base URL of the public API, for links in proposals. */
  publicBaseUrl: string;
  /** True when the market source is the simulator: every API response and proposal says so. */
  simulated: boolean;
  /** True when the market source replays recorded history: outputs say HISTORICAL, proposals stay local. */
  historical?: boolean;
  /** Releases the SDK client's sockets (the local runtime on stop; Lambda never needs it). */
  dispose(): void;
}

/** What the caller decides rather than the environment: how functions start each other, and optionally the client and logger. */
export interface BaseDepsParts {
  invoker: Invoker;
  /** Default: a document client from the SDK's defaults (in Lambda, the function's region and role). */
  documentClient?: DynamoDBDocumentClient;
  /** Default: Powertools' logger at POWERTOOLS_LOG_LEVEL. */
  logger?: Logger;
}

/** The base deps of a validated environment (the config file it names, its table, its clock). */
export function buildBaseDeps(env: Environment, parts: BaseDepsParts): BaseDeps {
  const config = loadConfig(env.ADVISOR_CONFIG_FILE);
  const doc = parts.documentClient ?? createDocumentClient();
  return {
    env,
    config,
    store: createStore(doc, env.TABLE_NAME),
    invoker: parts.invoker,
    logger: parts.logger ?? new Logger({ serviceName: SERVICE_NAME }),
    now: env.ADVISOR_CLOCK_MS !== undefined ? () => env.ADVISOR_CLOCK_MS! : () => Date.now(),
    publicBaseUrl: env.ADVISOR_PUBLIC_URL.replace(/\/$/, ''),
    simulated: env.ADVISOR_SOURCE === 'sim',
    historical: env.ADVISOR_SOURCE === 'replay',
    dispose: () => doc.destroy(),
  };
}

let cached: BaseDeps | undefined;

/**
 * Lambda: the base deps from the process environment, built at the first invocation and kept for the
 * container's life; functions start each other by asynchronous Lambda invocation.
 */
export function baseDepsFromEnvironment(): BaseDeps {
  if (cached) return cached;
  const env = readEnvironment();
  cached = buildBaseDeps(env, {
    invoker: new LambdaInvoker({ plan: env.PLAN_FUNCTION_NAME, finalize: env.FINALIZE_FUNCTION_NAME, publish: env.PUBLISH_FUNCTION_NAME }),
  });
  return cached;
}
