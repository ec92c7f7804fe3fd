import * as z from 'zod';
import { SecretValue } from '../governance/secret-value.js';
import { DEFAULT_LEASE_MS } from '../governance/outbox.js';
import { AdvisorError } from '../util/errors.js';
import { TARGET_NAMES, combinedTargetName } from '../governance/targets.js';

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
  /**
   * Replayed history (ADVISOR_SOURCE=replay, or a proposal marked historical) goes to the local outbox
   * only; `true` lets it reach the forum and the webhook too (e.g. a deliberate demo on a test forum).
   */
  ADVISOR_PUBLISH_HISTORICAL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** Whole-request timeout of a publish target. */
  ADVISOR_PUBLISH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Tries of one delivery within one dispatch (transient failures, honoured rate limits). */
  ADVISOR_PUBLISH_REQUEST_ATTEMPTS: z.coerce.number().int().positive().default(3),
  /** Longest 429 wait honoured in place; a longer one defers the proposal to a later dispatch. */
  ADVISOR_PUBLISH_MAX_RATE_LIMIT_WAIT_MS: z.coerce.number().int().nonnegative().default(20_000),
  /** How long a dispatcher holds a proposal it sends; must exceed the publish function's timeout. */
  ADVISOR_PUBLISH_LEASE_MS: z.coerce.number().int().positive().default(DEFAULT_LEASE_MS),
  /**
   * issue 16: a JSON-RPC endpoint of the lending profiles' chain (Ethereum for Aave v3 Ethereum). Set: the
   * plan function reads the live parameters once per cycle (shared/chain/read.ts); unset: config values.
   */
  ADVISOR_RPC_URL: z.url().optional(),
  /** The queue the plan function fans a run's assets out to (cloud). */
  ASSET_QUEUE_URL: z.url().optional(),
  /** The functions this one starts asynchronously (cloud; locally they are called in process). */
  PLAN_FUNCTION_NAME: z.string().optional(),
  FINALIZE_FUNCTION_NAME: z.string().optional(),
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

/** A replaying process builds no public target unless ADVISOR_PUBLISH_HISTORICAL allows it. */
export function publicTargetsAllowed(env: Environment): boolean {
  return env.ADVISOR_SOURCE !== 'replay' || env.ADVISOR_PUBLISH_HISTORICAL;
}

/**
 * The label of the publish target the environment configures, as its sink names itself (`discourse`,
 * `webhook`, `discourse+webhook`, `local-outbox`), or `none`; for functions that record it without
 * building the sinks.
 */
export function publishTargetOf(env: Environment): string {
  if (!publicTargetsAllowed(env)) return env.ADVISOR_OUTBOX_DIR ? TARGET_NAMES.localOutbox : 'none';
  const publicTargets = [
    env.ADVISOR_DISCOURSE_URL ? TARGET_NAMES.discourse : null,
    env.ADVISOR_WEBHOOK_URL ? TARGET_NAMES.webhook : null,
  ].filter((t) => t !== null);
  if (publicTargets.length > 0) return combinedTargetName(publicTargets);
  return env.ADVISOR_OUTBOX_DIR ? TARGET_NAMES.localOutbox : 'none';
}
