import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig } from '../config/load.js';
import type { AdvisorConfig } from '../config/schema.js';
import { createDocumentClient } from '../store/client.js';
import { createStore, type Store } from '../store/index.js';
import { readEnvironment, type Environment } from './environment.js';
import { LambdaInvoker, registeredInvoker, type Invoker } from './invoker.js';

export { EnvironmentError, environmentSchema, readEnvironment, type Environment } from './environment.js';

/**
 * What every function needs, built from the environment once per process. The parts only some
 * functions need (the market for the worker, publish targets for publish, the queue for the planner)
 * are built by their own modules, so each function's bundle carries only its own dependencies.
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

let cached: BaseDeps | undefined;
const resetters: (() => void)[] = [];

/** Modules that cache a part of the deps register here, so resetDeps() forgets them too. */
export function onResetDeps(reset: () => void): void {
  resetters.push(reset);
}

export function baseDepsFromEnvironment(): BaseDeps {
  if (cached) return cached;
  const env = readEnvironment();
  const config = loadConfig(env.ADVISOR_CONFIG_FILE);
  const doc = createDocumentClient();
  cached = {
    env,
    config,
    store: createStore(doc, env.TABLE_NAME),
    invoker:
      registeredInvoker() ??
      new LambdaInvoker({ ingest: env.INGEST_FUNCTION_NAME, compute: env.COMPUTE_FUNCTION_NAME, publish: env.PUBLISH_FUNCTION_NAME }),
    logger: new Logger({ serviceName: 'leverage-advisor' }),
    now: env.ADVISOR_CLOCK_MS !== undefined ? () => env.ADVISOR_CLOCK_MS! : () => Date.now(),
    publicBaseUrl: env.ADVISOR_PUBLIC_URL.replace(/\/$/, ''),
    simulated: env.ADVISOR_SOURCE === 'sim',
    historical: env.ADVISOR_SOURCE === 'replay',
    dispose: () => doc.destroy(),
  };
  return cached;
}

/** Forgets the cached dependencies (the local runtime and tests rebuild them after changing env). */
export function resetDeps(): void {
  cached = undefined;
  for (const reset of resetters) reset();
}
