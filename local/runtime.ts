import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problemResultOf, problems } from '../shared/api/problem.js';
import { loadConfig as configOf } from '../shared/config/load.js';
import type { AdvisorConfig } from '../shared/config/schema.js';
import { profilesFor } from '../shared/cycle/compute-recommendation.js';
import { SERVICE_NAME, type BaseDeps } from '../shared/cycle/deps.js';
import { readEnvironment, type Environment } from '../shared/cycle/environment.js';
import { closeInterruptedRuns } from '../shared/cycle/runs.js';
import { createDocumentClient } from '../shared/store/client.js';
import { createStore } from '../shared/store/index.js';
import { AdvisorError } from '../shared/util/errors.js';
import { ensureTable, localDynamoClient, startLocalDynamo, type LocalDynamo } from './dynamo.js';
import { wireLocalFunctions, type AssetProgress, type LocalFunctions } from './functions.js';
import { rateLimitFromEnvironment, serveApi, type RateLimit } from './http.js';
import type { InvocationReport } from './invoker.js';

export type { AssetProgress } from './functions.js';

export const LOCAL_TABLE_NAME = 'leverage-advisor';

export interface RuntimeOptions {
  /** Everything local lives here: the DynamoDB data, the outbox, the API token. */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  configFile?: string;
  /** Defaults to the token saved in <dataDir>/api-token, or a new random one saved there. */
  apiToken?: string;
  /** Powertools log level of the handlers (their JSON logs go to stdout). */
  logLevel?: string;
  /** Each function started asynchronously (plan, finalize, publish), as it finishes. */
  onInvocation?: (report: InvocationReport) => void;
  /** Each asset's worker, as it finishes (progress of a run), with the outcome it recorded. */
  onAsset?: (report: AssetProgress) => void;
  /** Assets worked on at once (the cloud's worker concurrency); default 4. */
  assetConcurrency?: number;
  /** Market source (default sim); `auto` must be resolved by the caller. */
  source?: 'sim' | 'live' | 'replay';
  replayDir?: string;
  /** Fixed clock, epoch ms (replay: the end of the recorded data). */
  clockMs?: number;
  /** Per-client API rate limit; null = off. Default: ADVISOR_RATE_LIMIT_RPS, else 50 req/s, burst 100. */
  rateLimit?: RateLimit | null;
}

/** What the start repaired after a previous process died mid-work. */
export interface Recovery {
  /** Runs left queued or running by the previous process, now `interrupted`. */
  interruptedRuns: string[];
  /** Latest pointers that were behind a stored version, now rolled forward. */
  pointersRolledForward: { asset: string; profileId: string; version: number }[];
}

export interface Runtime {
  url: string;
  apiToken: string;
  tableCreated: boolean;
  recovery: Recovery;
  deps: BaseDeps;
  outboxDir: string;
  /** The local DynamoDB-API server's endpoint (for a reader of the same data, e.g. the fault suite). */
  dynamoEndpoint: string;
  /** Runs one scheduled cycle (plan -> workers -> finalize -> publish) and waits until every function is done. */
  runCycle(): Promise<{ runId: string | null; ms: number }>;
  /** Sends the outbox's pending proposals. */
  publish(): Promise<void>;
  /** Waits for in-flight work (e.g. a recompute started over HTTP). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export class RuntimeStartError extends AdvisorError {}

/** dynalite's LevelDB store would not open; the message is the underlying cause's (a held lock, a read-only directory). */
export class LevelStoreOpenError extends AdvisorError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super('LEVEL_STORE_OPEN', reason, { path, reason });
  }
}

async function loadOrCreateToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'api-token');
  try {
    const saved = (await readFile(path, 'utf8')).trim();
    if (saved.length >= 16) return saved;
  } catch {
    // no saved token yet
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  return token;
}

function databaseUnavailable(path: string, dataDir: string, error: unknown): RuntimeStartError {
  return new RuntimeStartError(
    'LOCAL_DYNAMO_FAILED',
    `cannot open the local database in ${path}: ${(error as Error).message}` +
      ' (is another advisor running on the same data directory, or is it read-only?)',
    { dataDir },
  );
}

interface LevelStore {
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens and closes dynalite's LevelDB store once. dynalite opens it lazily and, when that fails (the
 * lock held by another advisor, a read-only directory), throws "Database is closed" from a callback,
 * which no caller can catch: probing first turns that into an error with the real cause.
 */
async function probeLevelStore(path: string): Promise<void> {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = fromDynalite('level') as { Level: new (path: string) => LevelStore };
  const db = new Level(path);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    throw new LevelStoreOpenError(path, cause?.message ?? (error as Error).message);
  }
  await db.close();
}

/** Starts the on-disk DynamoDB-API server; a locked (second instance) or read-only store is a RuntimeStartError. */
export async function openLocalDatabase(path: string, dataDir: string): Promise<LocalDynamo> {
  try {
    await probeLevelStore(path);
    return await startLocalDynamo({ path });
  } catch (error) {
    throw databaseUnavailable(path, dataDir, error);
  }
}

/**
 * Repairs what a previous process killed mid-work left: locally this process owns every run, so any
 * run still queued or running is dead (closed `interrupted`, before the API accepts new work), and a
 * version written without its pointer is rolled forward. Cheap: two reads per (asset, profile).
 */
async function recover(dynamo: LocalDynamo, tableName: string, config: AdvisorConfig): Promise<Recovery> {
  const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const store = createStore(doc, tableName);
    const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR') as LogLevel });
    const interruptedRuns = await closeInterruptedRuns({ store, logger, now: () => Date.now() });
    const pairs = config.assets.flatMap((a) => profilesFor(config, a.symbol).map((p) => ({ asset: a.symbol, profileId: p.id })));
    const pointersRolledForward = await store.recommendations.repairPointers(pairs);
    return { interruptedRuns, pointersRolledForward };
  } finally {
    doc.destroy();
  }
}

/**
 * The functions' environment: what the stack sets in the cloud, from the runtime's options, over this
 * process's variables (publish targets, ADVISOR_PUBLISH_* knobs), which are read but never changed.
 * Validated as a Lambda validates its own (readEnvironment).
 */
function localEnvironment(options: RuntimeOptions, local: { outboxDir: string; apiToken: string; publicUrl: string }): Environment {
  // The clock is the caller's (options.clockMs) or the wall clock, never one left in the shell.
  const { ADVISOR_CLOCK_MS: _ignoredClock, ...inherited } = process.env;
  return readEnvironment({
    ...inherited,
    TABLE_NAME: LOCAL_TABLE_NAME,
    ADVISOR_SOURCE: options.source ?? 'sim',
    ADVISOR_OUTBOX_DIR: local.outboxDir,
    ADVISOR_AUTH_MODE: 'token',
    ADVISOR_API_TOKEN: local.apiToken,
    ADVISOR_PUBLIC_URL: local.publicUrl,
    ...(options.configFile ? { ADVISOR_CONFIG_FILE: resolve(options.configFile) } : {}),
    ...(options.replayDir ? { ADVISOR_REPLAY_DIR: resolve(options.replayDir) } : {}),
    ...(options.clockMs !== undefined ? { ADVISOR_CLOCK_MS: String(options.clockMs) } : {}),
  });
}

/**
 * The embedded runtime: a DynamoDB-API server with data under `dataDir`, the table, the five Lambda
 * handlers wired in process (unchanged, local/functions.ts), and the HTTP API on node:http.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const dataDir = resolve(options.dataDir);
  const outboxDir = join(dataDir, 'outbox');
  try {
    await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
    await mkdir(outboxDir, { recursive: true });
    await access(dataDir, fsConstants.W_OK);
  } catch (error) {
    throw new RuntimeStartError('DATA_DIR_UNWRITABLE', `cannot write to the data directory ${dataDir}: ${(error as Error).message}`, { dataDir });
  }

  const dynamo = await openLocalDatabase(join(dataDir, 'dynamodb'), dataDir);
  let created: boolean;
  let apiToken: string;
  try {
    apiToken = options.apiToken ?? (await loadOrCreateToken(dataDir));
  } catch (error) {
    await dynamo.stop().catch(() => {});
    throw new RuntimeStartError('DATA_DIR_UNWRITABLE', `cannot save the API token in ${dataDir}: ${(error as Error).message}`, { dataDir });
  }
  const raw = localDynamoClient(dynamo.endpoint);
  try {
    ({ created } = await ensureTable(raw, LOCAL_TABLE_NAME));
  } catch (error) {
    await dynamo.stop().catch(() => {});
    throw databaseUnavailable(join(dataDir, 'dynamodb'), dataDir, error);
  } finally {
    raw.destroy();
  }

  // Before the API listens: a recompute accepted now must not be taken for a dead process's run.
  const recovery = await recover(dynamo, LOCAL_TABLE_NAME, configOf(options.configFile)).catch(async (error: unknown) => {
    await dynamo.stop().catch(() => {});
    throw error;
  });
  const host = options.host ?? '127.0.0.1';
  // Read before listening: a bad ADVISOR_RATE_LIMIT_RPS is a configuration error, not a port problem.
  const rateLimit = options.rateLimit !== undefined ? options.rateLimit : rateLimitFromEnvironment();
  // The API answers through this once the functions are wired (right after listening, before any
  // request can be read); the public URL must be known first, for the links in proposals.
  let api: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> = async (event) =>
    problemResultOf(problems.unavailable('the local runtime is starting', 'STARTING', 1), event.rawPath);
  let server: Server;
  let url: string;
  try {
    ({ server, url } = await serveApi((event) => api(event), options.port, host, { rateLimit }));
  } catch (error) {
    await dynamo.stop();
    const code = (error as NodeJS.ErrnoException).code;
    throw new RuntimeStartError(
      'PORT_UNAVAILABLE',
      code === 'EADDRINUSE'
        ? `port ${options.port} on ${host} is already in use: stop the other process or set PORT`
        : `cannot listen on ${host}:${options.port}: ${(error as Error).message}`,
      { port: options.port, host },
    );
  }
  let functions: LocalFunctions;
  try {
    functions = wireLocalFunctions({
      env: localEnvironment(options, { outboxDir, apiToken, publicUrl: url }),
      dynamoEndpoint: dynamo.endpoint,
      logLevel: (options.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR') as LogLevel,
      assetConcurrency: options.assetConcurrency ?? 4,
      maxReceives: 3,
      ...(options.onInvocation ? { onInvocation: options.onInvocation } : {}),
      ...(options.onAsset ? { onAsset: options.onAsset } : {}),
    });
  } catch (error) {
    await new Promise((r) => server.close(r));
    await dynamo.stop();
    throw error;
  }
  api = functions.api;
  const { deps, invoker, queue } = functions;
  /** Functions start work on the queue and the queue starts functions: wait until both are quiet. */
  const idle = async () => {
    do {
      await invoker.idle();
      await queue.idle();
    } while (invoker.busy || queue.busy);
  };

  let stopped = false;
  return {
    url,
    apiToken,
    tableCreated: created,
    recovery,
    deps,
    outboxDir,
    dynamoEndpoint: dynamo.endpoint,
    async runCycle() {
      const started = performance.now();
      const result = (await functions.plan({})) as { runId?: string };
      await idle();
      return { runId: result.runId ?? null, ms: performance.now() - started };
    },
    async publish() {
      await invoker.invoke('publish', { reason: 'schedule' });
      await idle();
    },
    idle,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      await idle();
      deps.dispose();
      await dynamo.stop();
    },
  };
}
