import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRuntime } from '../../local/runtime.js';
import { freePort, spawnRuntime, waitForHealth } from './child.js';
import type { ScenarioContext } from './context.js';
import { tempDir } from './context.js';
import { fuzzRequest, validRecompute, type FuzzRequest } from './fuzz-requests.js';
import { Rng } from './random.js';
import { rawRequest } from './raw-http.js';
import { Checks, type ScenarioResult } from './result.js';

const CHECK_5XX = 'no 5xx answer';
const CHECK_ANSWERED = 'every request answered';
const CHECK_UP = 'server up after the fuzz (/v1/health 200)';

interface FuzzTarget {
  port: number;
  baseUrl: string;
  token: string;
  /** Why the server is gone, when it is (a crashed child). */
  exitNote(): string;
  stop(): Promise<void>;
}

async function startTarget(context: ScenarioContext, dataDir: string): Promise<FuzzTarget> {
  const { limits } = context;
  if (limits.fuzzTarget === 'in-process') {
    const runtime = await startRuntime({ dataDir, port: 0, source: 'sim', rateLimit: null, logLevel: 'SILENT' });
    const stop = context.registry.add('stop the fuzzed runtime', () => runtime.stop());
    return { port: Number(new URL(runtime.url).port), baseUrl: runtime.url, token: runtime.apiToken, exitNote: () => '', stop };
  }
  const port = await freePort();
  const proc = spawnRuntime({ dataDir, port, env: { ADVISOR_RATE_LIMIT_RPS: '0' } }, context.registry);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, proc, limits.startTimeoutMs);
  // The first cycle has stored recommendations, proposals and prices: the reads then have data to serve.
  await proc.waitForLine(/^Dashboard /, 0, limits.startTimeoutMs);
  return {
    port,
    baseUrl,
    token: (await readFile(join(dataDir, 'api-token'), 'utf8')).trim(),
    exitNote: () => (proc.alive ? '' : ` (runtime exited: ${proc.tail().join(' | ')})`),
    stop: async () => {
      proc.signal('SIGKILL');
      await proc.exited;
    },
  };
}

/**
 * (a) Fuzzed requests (methods, targets incl. malformed ones, queries, headers, bodies) over raw TCP
 * against one runtime (see ChaosLimits.fuzzTarget), a few real recomputes running meanwhile. The general per-client rate limit is off, so every request reaches the handlers.
 */
export async function fuzzScenario(context: ScenarioContext): Promise<ScenarioResult> {
  const { counts, limits } = context;
  const checks = new Checks([CHECK_5XX, CHECK_ANSWERED, CHECK_UP]);
  const result: ScenarioResult = { id: 'a', scenario: 'fuzzed requests', trials: counts.fuzzRequests, checks: [], notes: [] };
  const dataDir = await tempDir(context, 'fuzz');
  const target = await startTarget(context, dataDir);
  try {
    const { port, baseUrl, token } = target;
    const rng = new Rng(context.seed, 'fuzz');
    const validAt = new Set(rng.sample([...Array(counts.fuzzRequests).keys()], Math.min(counts.fuzzValidRecomputes, counts.fuzzRequests)));
    const byStatus = new Map<string, number>();
    let next = 0;
    // Requests are generated in order from the seed, so a run is reproducible whatever the timing.
    const requests: FuzzRequest[] = Array.from({ length: counts.fuzzRequests }, (_, i) => (validAt.has(i) ? validRecompute(rng, token) : fuzzRequest(rng, token)));
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const outcome = await rawRequest(port, request.bytes, limits.requestTimeoutMs);
        const key = outcome.status === null ? outcome.reason : String(outcome.status);
        byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
        if (outcome.status === null) checks.fail(CHECK_ANSWERED, `${request.label}: ${outcome.message}`);
        else if (outcome.status >= 500) checks.fail(CHECK_5XX, `${outcome.status} for ${request.label}`);
      }
    };
    const startedMs = performance.now();
    await Promise.all(Array.from({ length: limits.fuzzConcurrency }, worker));
    const seconds = (performance.now() - startedMs) / 1000;
    result.notes.push(
      `${requests.length} requests in ${seconds.toFixed(1)} s; by status: ${[...byStatus]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, n]) => `${status} x ${n}`)
        .join(', ')}`,
    );
    try {
      const response = await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(limits.requestTimeoutMs) });
      const body = (await response.json()) as { status?: string };
      if (response.status !== 200 || body.status !== 'ok') checks.fail(CHECK_UP, `/v1/health answered ${response.status} ${JSON.stringify(body)}`);
    } catch (error) {
      checks.fail(CHECK_UP, `/v1/health: ${(error as Error).message}${target.exitNote()}`);
    }
  } finally {
    await target.stop();
  }
  result.checks = checks.list();
  return result;
}
