import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';
import { DEFAULT_CONFIG } from '../shared/config/defaults.js';
import { StageConfigError, UnknownStageError } from './errors.js';

/**
 * The deployment stages and everything that differs between them. A stage is chosen with
 * `-c stage=<name>` and a few fields may be overridden from the context (`-c alarmEmail=...`, see
 * STAGE_CONTEXT_KEYS); the result is validated here, so the stack only reads settled values.
 */

export const STAGE_NAMES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The retention periods CloudWatch Logs accepts (CDK's enum, minus "never expire"). */
const LOG_RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v !== RetentionDays.INFINITE));

/** SQS event source mappings accept a maximum concurrency of 2 to 1,000. */
const WORKER_MAX_CONCURRENCY = { min: 2, max: 1000 } as const;
/** One alarm period is at most a day, so "no run for N minutes" can watch at most a day. */
const MAX_STALENESS_WINDOW_MINUTES = 1440;

const httpsUrl = z.url().refine((url) => url.startsWith('https://'), 'must be an https URL (a credential goes with every request)');
/** A Secrets Manager ARN, optionally `#jsonKey` (read by shared/governance/secrets.ts). */
const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^#\s]+(#[\w.-]+)?$/, 'must be a Secrets Manager secret ARN, optionally #jsonKey');
const minutes = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** 0 (or nothing) means no reservation: new accounts, whose concurrency limit is 10, cannot reserve any. */
const reservedConcurrency = z.coerce
  .number()
  .int()
  .min(0)
  .optional()
  .transform((n) => (n === 0 ? undefined : n));

export const stageConfigSchema = z
  .object({
    stage: z.enum(STAGE_NAMES),
    /** Keep the table, secrets, queues and logs when the stack is deleted (and protect the table). */
    retainData: z.boolean(),
    pointInTimeRecovery: z.boolean(),
    logRetentionDays: z.coerce.number().refine((days) => LOG_RETENTION_DAYS.has(days), 'must be a CloudWatch Logs retention period'),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    /** ADVISOR_SOURCE of the functions: live venues, or the seeded simulator (outputs say SIMULATED). */
    marketSource: z.enum(['live', 'sim']),
    /**
     * ADVISOR_RPC_URL of the plan function (issue 16): a JSON-RPC endpoint for the lending profiles' live
     * parameters; absent, their configured values. https only; prefer an endpoint without a key in its URL
     * (the variable is readable by whoever can read the function's configuration).
     */
    chainRpcUrl: httpsUrl.optional(),
    schedule: z.object({
      cycleEveryMinutes: minutes(5, 1440),
      publishEveryMinutes: minutes(1, 1440),
    }),
    concurrency: z.object({
      /** Finalizer and dispatcher: their races are guarded by conditional writes, kept small anyway. */
      finalizeReserved: reservedConcurrency,
      publishReserved: reservedConcurrency,
      /** Workers at once: bounds how hard a cycle hits the exchanges' public APIs. */
      workerMax: z.coerce.number().int().min(WORKER_MAX_CONCURRENCY.min).max(WORKER_MAX_CONCURRENCY.max),
      /** Assets per worker invocation (SQS batch). */
      workerBatchSize: z.coerce.number().int().min(1).max(10),
    }),
    api: z.object({
      throttleRatePerSecond: z.coerce.number().positive(),
      throttleBurst: z.coerce.number().int().positive(),
      /** POST /v1/recompute starts a whole cycle: its own, tighter limit. */
      recomputeRatePerSecond: z.coerce.number().positive(),
      recomputeBurst: z.coerce.number().int().positive(),
    }),
    alarms: z.object({
      email: z.email().optional(),
      requireEmail: z.boolean(),
      /** DataAgeMaxSeconds above this, or no run in this window, is stale data. Default: two cycles. */
      dataStaleAfterMinutes: minutes(1, MAX_STALENESS_WINDOW_MINUTES).optional(),
      /** A per-asset message older than this means workers are not keeping up. */
      assetQueueMaxAgeMinutes: minutes(1, 1440),
      api5xxPerFiveMinutes: z.coerce.number().int().positive(),
    }),
    publish: z.object({
      discourse: z
        .object({
          url: httpsUrl,
          categoryId: z.coerce.number().int().positive(),
          apiUsername: z.string().min(1),
          /** An existing secret; without it the stack creates one with a placeholder value. */
          apiKeySecretArn: secretArn.optional(),
        })
        .optional(),
      webhook: z.object({ url: httpsUrl, secretArn: secretArn.optional() }).optional(),
    }),
  })
  .superRefine((config, ctx) => {
    const { cycleEveryMinutes } = config.schedule;
    const stale = config.alarms.dataStaleAfterMinutes;
    if (stale !== undefined && stale < cycleEveryMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'dataStaleAfterMinutes'],
        message: `must be at least one cycle (${cycleEveryMinutes} min), else the alarm fires between healthy runs`,
      });
    }
    if (stale === undefined && 2 * cycleEveryMinutes > MAX_STALENESS_WINDOW_MINUTES) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'dataStaleAfterMinutes'],
        message: `two cycles (${2 * cycleEveryMinutes} min) exceed ${MAX_STALENESS_WINDOW_MINUTES} min: set it explicitly`,
      });
    }
    if (config.alarms.assetQueueMaxAgeMinutes >= cycleEveryMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', 'assetQueueMaxAgeMinutes'],
        message: `must be below one cycle (${cycleEveryMinutes} min): an older backlog overlaps the next run`,
      });
    }
    if (config.alarms.requireEmail && !config.alarms.email) {
      ctx.addIssue({ code: 'custom', path: ['alarms', 'email'], message: `stage ${config.stage} needs someone to tell: required` });
    }
  })
  .transform((config) => ({
    ...config,
    alarms: { ...config.alarms, dataStaleAfterMinutes: config.alarms.dataStaleAfterMinutes ?? 2 * config.schedule.cycleEveryMinutes },
  }));

export type StageConfigInput = z.input<typeof stageConfigSchema>;
export type StageConfig = z.output<typeof stageConfigSchema>;

/** The stages' defaults: prod keeps its data and cycles on the methodology's schedule; dev is cheap and disposable. */
export const STAGE_DEFAULTS: Record<StageName, StageConfigInput> = {
  dev: {
    stage: 'dev',
    retainData: false,
    // Disposable: everything it holds is re-derived by the next cycles.
    pointInTimeRecovery: false,
    logRetentionDays: RetentionDays.ONE_WEEK,
    logLevel: 'INFO',
    marketSource: 'sim',
    schedule: { cycleEveryMinutes: 360, publishEveryMinutes: 30 },
    concurrency: { workerMax: 2, workerBatchSize: 5 },
    api: { throttleRatePerSecond: 10, throttleBurst: 20, recomputeRatePerSecond: 1, recomputeBurst: 2 },
    alarms: { requireEmail: false, assetQueueMaxAgeMinutes: 60, api5xxPerFiveMinutes: 5 },
    publish: {},
  },
  prod: {
    stage: 'prod',
    retainData: true,
    pointInTimeRecovery: true,
    logRetentionDays: RetentionDays.ONE_YEAR,
    logLevel: 'INFO',
    marketSource: 'live',
    schedule: { ...DEFAULT_CONFIG.schedule },
    concurrency: { finalizeReserved: 2, publishReserved: 1, workerMax: 10, workerBatchSize: 5 },
    api: { throttleRatePerSecond: 50, throttleBurst: 100, recomputeRatePerSecond: 1, recomputeBurst: 2 },
    alarms: { requireEmail: true, assetQueueMaxAgeMinutes: 30, api5xxPerFiveMinutes: 5 },
    publish: {},
  },
};

/** Context keys (`-c key=value`) that override a stage's defaults, and the field each sets. */
export const STAGE_CONTEXT_KEYS = {
  alarmEmail: ['alarms', 'email'],
  dataStaleAfterMinutes: ['alarms', 'dataStaleAfterMinutes'],
  marketSource: ['marketSource'],
  chainRpcUrl: ['chainRpcUrl'],
  logLevel: ['logLevel'],
  cycleEveryMinutes: ['schedule', 'cycleEveryMinutes'],
  publishEveryMinutes: ['schedule', 'publishEveryMinutes'],
  workerMaxConcurrency: ['concurrency', 'workerMax'],
  finalizeReservedConcurrency: ['concurrency', 'finalizeReserved'],
  publishReservedConcurrency: ['concurrency', 'publishReserved'],
  discourseUrl: ['publish', 'discourse', 'url'],
  discourseCategoryId: ['publish', 'discourse', 'categoryId'],
  discourseApiUsername: ['publish', 'discourse', 'apiUsername'],
  discourseApiKeySecretArn: ['publish', 'discourse', 'apiKeySecretArn'],
  webhookUrl: ['publish', 'webhook', 'url'],
  webhookSecretArn: ['publish', 'webhook', 'secretArn'],
} as const satisfies Record<string, readonly string[]>;
export type StageContextKey = keyof typeof STAGE_CONTEXT_KEYS;

/** Reads a context value (the CDK's `node.tryGetContext`); unset and empty values are ignored. */
export type ContextReader = (key: string) => unknown;

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    node = (node[key] = child && typeof child === 'object' ? child : {}) as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** The stage's defaults with the context overrides applied, before validation. */
export function stageConfigInput(stage: StageName, context: ContextReader): StageConfigInput {
  const input = structuredClone(STAGE_DEFAULTS[stage]) as unknown as Record<string, unknown>;
  for (const [key, path] of Object.entries(STAGE_CONTEXT_KEYS)) {
    const value = context(key);
    if (value !== undefined && value !== null && value !== '') setPath(input, path, value);
  }
  return input as unknown as StageConfigInput;
}

const contextKeyOfPath = new Map(Object.entries(STAGE_CONTEXT_KEYS).map(([key, path]) => [path.join('.'), key]));

/**
 * The validated configuration of a stage: its defaults, overridden from the context. An unknown stage
 * or a broken rule throws, naming the allowed stages or every failing field (and its context key).
 */
export function resolveStageConfig(stage: string, context: ContextReader = () => undefined): StageConfig {
  if (!(STAGE_NAMES as readonly string[]).includes(stage)) throw new UnknownStageError(stage, STAGE_NAMES);
  const result = stageConfigSchema.safeParse(stageConfigInput(stage as StageName, context));
  if (result.success) return result.data;
  throw new StageConfigError(
    stage,
    result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const key = contextKeyOfPath.get(path);
      return `${path}${key ? ` (-c ${key}=...)` : ''}: ${issue.message}`;
    }),
  );
}

/** Where the finalize function's Powertools metrics go (POWERTOOLS_METRICS_NAMESPACE); the staleness alarm reads them there. */
export function metricsNamespaceOf(stage: StageName): string {
  return `LeverageAdvisor/${stage}`;
}
