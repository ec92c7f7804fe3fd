import { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { loadConfig } from '../config/load.js';
import type { AdvisorConfig } from '../config/schema.js';
import { DiscourseSink } from '../governance/discourse.js';
import type { RetryPolicy } from '../governance/http.js';
import { DEFAULT_LEASE_MS } from '../governance/outbox.js';
import { SecretValue, SecretsManagerSecret, StaticSecret, type SecretSource } from '../governance/secrets.js';
import { FanOutSink, LocalOutboxSink, type ProposalSink } from '../governance/sinks.js';
import { WebhookSink } from '../governance/webhook.js';
import { resolve } from 'node:path';
import { ReplayMarket } from '../market/replay/market.js';
import { SimulatedMarket } from '../market/simulator.js';
import { LiveMarket } from '../market/venues/live.js';
import type { MarketSource } from '../market/types.js';
import { createDocumentClient } from '../store/client.js';
import { createStore } from '../store/index.js';
import { AdvisorError } from '../util/errors.js';
import { LambdaInvoker, registeredInvoker } from './invoker.js';
import type { CycleDeps } from './stages.js';

/** A secret read from the environment: wrapped at once, so logging the environment shows `[redacted]`. */
const secretVariable = (minLength: number) =>
  z
    .string()
    .min(minLength, `must be at least ${minLength} characters`)
    .transform((value) => new SecretValue(value));
/** A Secrets Manager secret ARN, optionally `#jsonKey` to pick a field of a JSON secret. */
const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^#\s]+(#[\w.-]+)?$/, 'must be a Secrets Manager secret ARN, optionally #jsonKey');

/** The environment every handler reads, validated once: a missing or bad variable fails at start. */
export const environmentSchema = z.object({
  TABLE_NAME: z.string().min(1),
  ADVISOR_CONFIG_FILE: z.string().min(1).optional(),
  /**
   * Market source: the seeded simulator, live venues (Binance, Coinbase, Kraken), or recorded files
   * (ADVISOR_REPLAY_DIR). `auto` (local CLI only) is resolved to live or sim before the deps are built.
   */
  ADVISOR_SOURCE: z.enum(['sim', 'live', 'replay']).default('sim'),
  ADVISOR_REPLAY_DIR: z.string().min(1).optional(),
  /** A fixed clock (epoch ms), e.g. the end of the recorded data when replaying. */
  ADVISOR_CLOCK_MS: z.coerce.number().int().positive().optional(),
  /** Local runtime: proposals are written here as Markdown files. */
  ADVISOR_OUTBOX_DIR: z.string().min(1).optional(),
  ADVISOR_PUBLIC_URL: z.url().default('http://127.0.0.1:8787'),
  /** `token`: POST /v1/recompute needs `Authorization: Bearer <ADVISOR_API_TOKEN>`; `iam`: API Gateway's IAM authorizer. */
  ADVISOR_AUTH_MODE: z.enum(['token', 'iam']).default('iam'),
  ADVISOR_API_TOKEN: z.string().min(16, 'ADVISOR_API_TOKEN must be at least 16 characters').optional(),
  ADVISOR_PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  /** Publish targets: Discourse and/or a signed webhook. Without either, the local outbox (if set) is the target. */
  ADVISOR_DISCOURSE_URL: z.url().optional(),
  ADVISOR_DISCOURSE_CATEGORY_ID: z.coerce.number().int().positive().optional(),
  ADVISOR_DISCOURSE_API_USERNAME: z.string().min(1).optional(),
  /** Locally: the key itself. In the cloud: ADVISOR_DISCOURSE_API_KEY_SECRET_ARN instead. */
  ADVISOR_DISCOURSE_API_KEY: secretVariable(16).optional(),
  ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: secretArn.optional(),
  ADVISOR_WEBHOOK_URL: z.url().optional(),
  ADVISOR_WEBHOOK_SECRET: secretVariable(32).optional(),
  ADVISOR_WEBHOOK_SECRET_ARN: secretArn.optional(),
  /** Whole-request timeout of a publish target. */
  ADVISOR_PUBLISH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Tries of one delivery within one dispatch (transient failures, honoured rate limits). */
  ADVISOR_PUBLISH_REQUEST_ATTEMPTS: z.coerce.number().int().positive().default(3),
  /** Longest 429 wait honoured in place; a longer one defers the proposal to a later dispatch. */
  ADVISOR_PUBLISH_MAX_RATE_LIMIT_WAIT_MS: z.coerce.number().int().nonnegative().default(20_000),
  /** How long a dispatcher holds a proposal it sends; must exceed the publish function's timeout. */
  ADVISOR_PUBLISH_LEASE_MS: z.coerce.number().int().positive().default(DEFAULT_LEASE_MS),
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

/** A credential may cross the network in clear only to this machine. */
function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

type Variables = [name: string, value: unknown][];

/**
 * Cross-variable rules of one publish target: the others only with its URL; with it, https (or
 * loopback), every `required` variable, and exactly one of the `secret` pair (value or ARN).
 */
function targetProblems(url: [name: string, value: string | undefined], required: Variables, secret: Variables): string[] {
  const [urlName, urlValue] = url;
  if (!urlValue) return [...required, ...secret].filter(([, v]) => v !== undefined).map(([n]) => `${n}: set, but ${urlName} is not`);
  const problems: string[] = [];
  if (!urlValue.startsWith('https://') && !isLoopback(urlValue)) problems.push(`${urlName}: must be https (a credential goes with every request)`);
  for (const [name, value] of required) if (value === undefined) problems.push(`${name}: required when ${urlName} is set`);
  if (secret.filter(([, v]) => v !== undefined).length !== 1) {
    problems.push(`${secret.map(([n]) => n).join(' / ')}: exactly one is required when ${urlName} is set`);
  }
  return problems;
}

/** Every problem of the publish targets at once, naming variables, never values. */
function publishProblems(env: Environment): string[] {
  return [
    ...targetProblems(
      ['ADVISOR_DISCOURSE_URL', env.ADVISOR_DISCOURSE_URL],
      [
        ['ADVISOR_DISCOURSE_CATEGORY_ID', env.ADVISOR_DISCOURSE_CATEGORY_ID],
        ['ADVISOR_DISCOURSE_API_USERNAME', env.ADVISOR_DISCOURSE_API_USERNAME],
      ],
      [
        ['ADVISOR_DISCOURSE_API_KEY', env.ADVISOR_DISCOURSE_API_KEY],
        ['ADVISOR_DISCOURSE_API_KEY_SECRET_ARN', env.ADVISOR_DISCOURSE_API_KEY_SECRET_ARN],
      ],
    ),
    ...targetProblems(
      ['ADVISOR_WEBHOOK_URL', env.ADVISOR_WEBHOOK_URL],
      [],
      [
        ['ADVISOR_WEBHOOK_SECRET', env.ADVISOR_WEBHOOK_SECRET],
        ['ADVISOR_WEBHOOK_SECRET_ARN', env.ADVISOR_WEBHOOK_SECRET_ARN],
      ],
    ),
  ];
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const result = environmentSchema.safeParse(env);
  if (!result.success) throw new EnvironmentError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  if (result.data.ADVISOR_AUTH_MODE === 'token' && !result.data.ADVISOR_API_TOKEN) {
    throw new EnvironmentError(['ADVISOR_API_TOKEN: required when ADVISOR_AUTH_MODE is token']);
  }
  const problems = publishProblems(result.data);
  if (problems.length > 0) throw new EnvironmentError(problems);
  return result.data;
}

export interface HandlerDeps extends CycleDeps {
  env: Environment;
  /** With a public `sink`: where simulated proposals go instead (the local outbox), or null (held back). */
  simulatedSink: ProposalSink | null;
  /** Releases the SDK client's sockets (the local runtime on stop; Lambda never needs it). */
  dispose(): void;
}

export function marketSourceFor(env: Environment, config: AdvisorConfig): MarketSource {
  switch (env.ADVISOR_SOURCE) {
    case 'sim':
      return new SimulatedMarket({ seed: config.simulator.seed, originMs: Date.parse(config.simulator.originIso) });
    case 'live':
      return new LiveMarket({ venues: config.venues });
    case 'replay':
      return new ReplayMarket({ dataDir: env.ADVISOR_REPLAY_DIR ?? resolve(process.cwd(), '../shared/data') });
  }
}

/** `auto`: live when at least policy.minVenues venues answer a ping, else the simulator. */
export async function resolveAutoSource(config: AdvisorConfig): Promise<'live' | 'sim'> {
  const probe = new LiveMarket({ venues: config.venues });
  try {
    return (await probe.probe({ minReachable: config.policy.minVenues })).reachable ? 'live' : 'sim';
  } finally {
    await probe.dispose();
  }
}

function secretSource(value: SecretValue | undefined, arn: string | undefined, variable: string): SecretSource {
  if (value) return new StaticSecret(value, variable);
  if (arn) return new SecretsManagerSecret({ reference: arn });
  throw new EnvironmentError([`${variable}: missing`]); // unreachable after readEnvironment
}

function retryPolicyFor(env: Environment): Partial<RetryPolicy> {
  return {
    timeoutMs: env.ADVISOR_PUBLISH_TIMEOUT_MS,
    attempts: env.ADVISOR_PUBLISH_REQUEST_ATTEMPTS,
    maxRateLimitWaitMs: env.ADVISOR_PUBLISH_MAX_RATE_LIMIT_WAIT_MS,
  };
}

/** The public targets configured (Discourse, then the webhook), as one sink; null when there are none. */
export function publicSinkFor(env: Environment): ProposalSink | null {
  const sinks: ProposalSink[] = [];
  const policy = retryPolicyFor(env);
  if (env.ADVISOR_DISCOURSE_URL) {
    sinks.push(
      new DiscourseSink({
        baseUrl: env.ADVISOR_DISCOURSE_URL,
        categoryId: env.ADVISOR_DISCOURSE_CATEGORY_ID!,
        apiUsername: env.ADVISOR_DISCOURSE_API_USERNAME!,
        apiKey: secretSource(env.ADVISOR_DISCOURSE_API_KEY, env.ADVISOR_DISCOURSE_API_KEY_SECRET_ARN, 'ADVISOR_DISCOURSE_API_KEY'),
        policy,
      }),
    );
  }
  if (env.ADVISOR_WEBHOOK_URL) {
    sinks.push(
      new WebhookSink({
        url: env.ADVISOR_WEBHOOK_URL,
        secret: secretSource(env.ADVISOR_WEBHOOK_SECRET, env.ADVISOR_WEBHOOK_SECRET_ARN, 'ADVISOR_WEBHOOK_SECRET'),
        policy,
      }),
    );
  }
  if (sinks.length === 0) return null;
  return sinks.length === 1 ? sinks[0]! : new FanOutSink(sinks);
}

/**
 * The publish target: the public targets when any is configured, else the local outbox, else none
 * (proposals stay pending). With a public target, the local outbox still takes the simulated
 * proposals, which never go public.
 */
export function sinksFor(env: Environment): { sink: ProposalSink | null; simulatedSink: ProposalSink | null } {
  const local = env.ADVISOR_OUTBOX_DIR ? new LocalOutboxSink(env.ADVISOR_OUTBOX_DIR) : null;
  const publicSink = publicSinkFor(env);
  return publicSink ? { sink: publicSink, simulatedSink: local } : { sink: local, simulatedSink: null };
}

let cached: HandlerDeps | undefined;

/** Dependencies built from the environment once per process (a Lambda container or the local runtime). */
export function depsFromEnvironment(): HandlerDeps {
  if (cached) return cached;
  const env = readEnvironment();
  const config = loadConfig(env.ADVISOR_CONFIG_FILE);
  const doc = createDocumentClient();
  const { sink, simulatedSink } = sinksFor(env);
  cached = {
    env,
    config,
    store: createStore(doc, env.TABLE_NAME),
    source: marketSourceFor(env, config),
    invoker:
      registeredInvoker() ??
      new LambdaInvoker({ ingest: env.INGEST_FUNCTION_NAME, compute: env.COMPUTE_FUNCTION_NAME, publish: env.PUBLISH_FUNCTION_NAME }),
    logger: new Logger({ serviceName: 'leverage-advisor' }),
    now: env.ADVISOR_CLOCK_MS !== undefined ? () => env.ADVISOR_CLOCK_MS! : () => Date.now(),
    publicBaseUrl: env.ADVISOR_PUBLIC_URL.replace(/\/$/, ''),
    sink,
    simulatedSink,
    maxPublishAttempts: env.ADVISOR_PUBLISH_MAX_ATTEMPTS,
    dispose: () => doc.destroy(),
  };
  return cached;
}

/** Forgets the cached dependencies (the local runtime and tests rebuild them after changing env). */
export function resetDeps(): void {
  cached = undefined;
}
