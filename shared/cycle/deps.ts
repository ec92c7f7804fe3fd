import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { loadConfig } from '../config/load.js';
import type { AdvisorConfig } from '../config/schema.js';
import { LocalOutboxSink, type ProposalSink } from '../governance/sinks.js';
import { SimulatedMarket } from '../market/simulator.js';
import type { MarketSource } from '../market/types.js';
import { createDocumentClient } from '../store/client.js';
import { createStore } from '../store/index.js';
import { AdvisorError } from '../util/errors.js';
import { LambdaInvoker, registeredInvoker } from './invoker.js';
import type { CycleDeps } from './stages.js';

/** The environment every handler reads, validated once: a missing or bad variable fails at start. */
export const environmentSchema = z.object({
  TABLE_NAME: z.string().min(1),
  ADVISOR_CONFIG_FILE: z.string().min(1).optional(),
  /** Only the simulator exists so far; live venues and replay come with the market-data work. */
  ADVISOR_SOURCE: z.enum(['sim']).default('sim'),
  /** Local runtime: proposals are written here as Markdown files. */
  ADVISOR_OUTBOX_DIR: z.string().min(1).optional(),
  ADVISOR_PUBLIC_URL: z.url().default('http://127.0.0.1:8787'),
  /** `token`: POST /v1/recompute needs `Authorization: Bearer <ADVISOR_API_TOKEN>`; `iam`: API Gateway's IAM authorizer. */
  ADVISOR_AUTH_MODE: z.enum(['token', 'iam']).default('iam'),
  ADVISOR_API_TOKEN: z.string().min(16, 'ADVISOR_API_TOKEN must be at least 16 characters').optional(),
  ADVISOR_PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  INGEST_FUNCTION_NAME: z.string().optional(),
  COMPUTE_FUNCTION_NAME: z.string().optional(),
  PUBLISH_FUNCTION_NAME: z.string().optional(),
});
export type Environment = z.infer<typeof environmentSchema>;

export class EnvironmentError extends AdvisorError {
  constructor(problems: string[]) {
    super('ENVIRONMENT_INVALID', `invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  }
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) throw new EnvironmentError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  if (result.data.ADVISOR_AUTH_MODE === 'token' && !result.data.ADVISOR_API_TOKEN) {
    throw new EnvironmentError(['ADVISOR_API_TOKEN: required when ADVISOR_AUTH_MODE is token']);
  }
  return result.data;
}

export interface HandlerDeps extends CycleDeps {
  env: Environment;
  /** Releases the SDK client's sockets (the local runtime on stop; Lambda never needs it). */
  dispose(): void;
}

export function marketSourceFor(env: Environment, config: AdvisorConfig): MarketSource {
  switch (env.ADVISOR_SOURCE) {
    case 'sim':
      return new SimulatedMarket({ seed: config.simulator.seed, originMs: Date.parse(config.simulator.originIso) });
  }
}

function sinkFor(env: Environment): ProposalSink | null {
  return env.ADVISOR_OUTBOX_DIR ? new LocalOutboxSink(env.ADVISOR_OUTBOX_DIR) : null;
}

let cached: HandlerDeps | undefined;

/** Dependencies built from the environment once per process (a Lambda container or the local runtime). */
export function depsFromEnvironment(): HandlerDeps {
  if (cached) return cached;
  const env = readEnvironment();
  const config = loadConfig(env.ADVISOR_CONFIG_FILE);
  const doc = createDocumentClient();
  cached = {
    env,
    config,
    store: createStore(doc, env.TABLE_NAME),
    source: marketSourceFor(env, config),
    invoker:
      registeredInvoker() ??
      new LambdaInvoker({ ingest: env.INGEST_FUNCTION_NAME, compute: env.COMPUTE_FUNCTION_NAME, publish: env.PUBLISH_FUNCTION_NAME }),
    logger: new Logger({ serviceName: 'leverage-advisor' }),
    now: () => Date.now(),
    publicBaseUrl: env.ADVISOR_PUBLIC_URL.replace(/\/$/, ''),
    sink: sinkFor(env),
    maxPublishAttempts: env.ADVISOR_PUBLISH_MAX_ATTEMPTS,
    dispose: () => doc.destroy(),
  };
  return cached;
}

/** Forgets the cached dependencies (the local runtime and tests rebuild them after changing env). */
export function resetDeps(): void {
  cached = undefined;
}
