import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { baseDepsFromEnvironment, resetDeps, type BaseDeps } from '../shared/cycle/deps.js';
import { profilesFor } from '../shared/cycle/compute.js';
import { registerInvoker } from '../shared/cycle/invoker.js';
import { registerAssetQueue } from '../shared/cycle/queue.js';
import { closeInterruptedRuns } from '../shared/cycle/stages.js';
import { loadConfig as configOf } from '../shared/config/load.js';
import type { AdvisorConfig } from '../shared/config/schema.js';
import { createDocumentClient } from '../shared/store/client.js';
import { createStore } from '../shared/store/index.js';
import { Logger } from '@aws-lambda-powertools/logger';
import type { AssetOutcome, Run } from '../shared/model/run.js';
import { AdvisorError } from '../shared/util/errors.js';
import { handler as apiHandler } from '../functions/api/handler.js';
import { handler as computeHandler } from '../functions/compute/handler.js';
import { handler as ingestHandler } from '../functions/ingest/handler.js';
import { handler as publishHandler } from '../functions/publish/handler.js';
import { handler as workerHandler } from '../functions/worker/handler.js';
import { ensureTable, localDynamoClient, startLocalDynamo, type LocalDynamo } from './dynamo.js';
import { rateLimitFromEnvironment, serveApi, type RateLimit } from './http.js';
import { InProcessInvoker, type StageReport } from './invoker.js';
import { InProcessAssetQueue, type AssetReport } from './queue.js';

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
  onStage?: (report: StageReport) => void;
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

/** One asset of a run, finished: the queue's report plus what the worker recorded and the run's size. */
export interface AssetProgress extends AssetReport {
  /** The outcome stored for (run, asset); null when the worker recorded none (e.g. the run was no longer running). */
  outcome: AssetOutcome | null;
  trigger: Run['trigger'] | null;
  /** Assets the run fans out to. */
  total: number | null;
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
  /** Runs one scheduled cycle (ingest -> compute -> publish) and waits until every stage is done. */
  runCycle(): Promise<{ runId: string | null; ms: number }>;
  /** Sends the outbox's pending proposals. */
  publish(): Promise<void>;
  /** Waits for in-flight work (e.g. a recompute started over HTTP). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export class RuntimeStartError extends AdvisorError {}

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
    throw new Error(cause?.message ?? (error as Error).message);
  }
  await db.close();
}

/** Starts the on-disk DynamoDB-API server; a locked (second instance) or read-only store is a RuntimeStartError. */
async function openLocalDatabase(path: string, dataDir: string): Promise<LocalDynamo> {
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
    const logger = new Logger({ serviceName: 'leverage-advisor', logLevel: (process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR') as 'ERROR' });
    const interruptedRuns = await closeInterruptedRuns({ store, logger, now: () => Date.now() });
    const pairs = config.assets.flatMap((a) => profilesFor(config, a.symbol).map((p) => ({ asset: a.symbol, profileId: p.id })));
    const pointersRolledForward = await store.recommendations.repairPointers(pairs);
    return { interruptedRuns, pointersRolledForward };
  } finally {
    doc.destroy();
  }
}

/**
 * The embedded runtime: a DynamoDB-API server with data under `dataDir`, the table, the four Lambda
 * handlers wired in process (unchanged), and the HTTP API on node:http.
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
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: LOCAL_TABLE_NAME,
    ADVISOR_SOURCE: options.source ?? 'sim',
    ADVISOR_OUTBOX_DIR: outboxDir,
    ADVISOR_AUTH_MODE: 'token',
    ADVISOR_API_TOKEN: apiToken,
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_SERVICE_NAME: 'leverage-advisor',
    // EMF metrics are for CloudWatch; locally the CLI reports the run itself.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  if (options.configFile) process.env.ADVISOR_CONFIG_FILE = resolve(options.configFile);
  if (options.replayDir) process.env.ADVISOR_REPLAY_DIR = resolve(options.replayDir);
  if (options.clockMs !== undefined) process.env.ADVISOR_CLOCK_MS = String(options.clockMs);
  else delete process.env.ADVISOR_CLOCK_MS;

  const invoker = new InProcessInvoker(
    { ingest: ingestHandler, compute: computeHandler, publish: publishHandler } as never,
    options.onStage,
  );
  registerInvoker(invoker);
  // Set once the deps exist (the queue is registered before them, but delivers nothing until a run starts).
  let store: BaseDeps['store'] | undefined;
  const onAsset = options.onAsset;
  const queue = new InProcessAssetQueue(workerHandler, {
    concurrency: options.assetConcurrency ?? 4,
    maxReceives: 3,
    ...(onAsset
      ? {
          onReport: async (report: AssetReport) => {
            const [outcome, run] = store
              ? await Promise.all([store.runs.assetOutcome(report.work.runId, report.work.asset), store.runs.get(report.work.runId)])
              : [null, null];
            onAsset({ ...report, outcome, trigger: run?.trigger ?? null, total: run?.assetsTotal ?? null });
          },
        }
      : {}),
  });
  registerAssetQueue(queue);
  /** Stages start work on the queue and the queue starts stages: wait until both are quiet. */
  const idle = async () => {
    do {
      await invoker.idle();
      await queue.idle();
    } while (invoker.busy || queue.busy);
  };
  resetDeps();

  // Read before listening: a bad ADVISOR_RATE_LIMIT_RPS is a configuration error, not a port problem.
  const rateLimit = options.rateLimit !== undefined ? options.rateLimit : rateLimitFromEnvironment();
  let server: Server;
  let url: string;
  try {
    // The public URL must be known before the deps are built (proposals link to it).
    ({ server, url } = await serveApi((event) => apiHandler(event), options.port, host, {
      rateLimit,
    }));
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
  process.env.ADVISOR_PUBLIC_URL = url;
  let deps: BaseDeps;
  try {
    deps = baseDepsFromEnvironment();
    store = deps.store;
  } catch (error) {
    await new Promise((r) => server.close(r));
    await dynamo.stop();
    throw error;
  }

  let stopped = false;
  return {
    url,
    apiToken,
    tableCreated: created,
    recovery,
    deps,
    outboxDir,
    async runCycle() {
      const started = performance.now();
      const result = (await ingestHandler({})) as { runId?: string };
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
      registerInvoker(undefined);
      registerAssetQueue(undefined);
      resetDeps();
      deps.dispose();
      await dynamo.stop();
    },
  };
}
