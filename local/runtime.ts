import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { baseDepsFromEnvironment, resetDeps, type BaseDeps } from '../shared/cycle/deps.js';
import { registerInvoker } from '../shared/cycle/invoker.js';
import { registerAssetQueue } from '../shared/cycle/queue.js';
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
  /** Each asset's worker, as it finishes (progress of a run). */
  onAsset?: (report: AssetReport) => void;
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

export interface Runtime {
  url: string;
  apiToken: string;
  tableCreated: boolean;
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

/**
 * The embedded runtime: a DynamoDB-API server with data under `dataDir`, the table, the four Lambda
 * handlers wired in process (unchanged), and the HTTP API on node:http.
 */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const dataDir = resolve(options.dataDir);
  const outboxDir = join(dataDir, 'outbox');
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  await mkdir(outboxDir, { recursive: true });

  let dynamo: LocalDynamo;
  try {
    dynamo = await startLocalDynamo({ path: join(dataDir, 'dynamodb') });
  } catch (error) {
    throw new RuntimeStartError(
      'LOCAL_DYNAMO_FAILED',
      `cannot open the local database in ${join(dataDir, 'dynamodb')}: ${(error as Error).message}` +
        ' (is another advisor running on the same data directory?)',
      { dataDir },
    );
  }
  const raw = localDynamoClient(dynamo.endpoint);
  const { created } = await ensureTable(raw, LOCAL_TABLE_NAME);
  raw.destroy();

  const apiToken = options.apiToken ?? (await loadOrCreateToken(dataDir));
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
  const queue = new InProcessAssetQueue(workerHandler, {
    concurrency: options.assetConcurrency ?? 4,
    maxReceives: 3,
    ...(options.onAsset ? { onReport: options.onAsset } : {}),
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
