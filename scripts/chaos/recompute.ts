import { createDocumentClient } from '../../shared/store/client.js';
import { LOCAL_TABLE_NAME, startRuntime } from '../../local/runtime.js';
import type { ScenarioContext } from './context.js';
import { tempDir } from './context.js';
import { readStoredState } from './invariants.js';
import { Rng } from './random.js';
import { Checks, type ScenarioResult } from './result.js';
import { withTimeout } from './store-access.js';

const CHECK_5XX = 'no 5xx answer';
const CHECK_ONE_RUN = 'exactly 1 run (every 202 names it)';
const CHECK_PROPOSALS = '<= 1 proposal per market';
const ASSETS = ['BTC', 'ETH', 'SOL', 'UNI', 'CRV', 'AAVE', 'DOGE', 'LINK'];

/**
 * (c) Concurrent authenticated POST /v1/recompute for the same assets against one runtime (in process,
 * nothing else running): they must coalesce into one run and at most one proposal per market.
 */
export async function recomputeScenario(context: ScenarioContext): Promise<ScenarioResult> {
  const { counts, limits } = context;
  const checks = new Checks([CHECK_5XX, CHECK_ONE_RUN, CHECK_PROPOSALS]);
  const result: ScenarioResult = { id: 'c', scenario: 'concurrent recomputes', trials: counts.concurrentRecomputes, checks: [], notes: [] };
  const dataDir = await tempDir(context, 'recompute');
  const runtime = await startRuntime({ dataDir, port: 0, source: 'sim', logLevel: 'SILENT' });
  const stopRuntime = context.registry.add('stop the recompute runtime', () => runtime.stop());
  try {
    const assets = new Rng(context.seed, 'recompute').sample(ASSETS, limits.recomputeAssets).sort();
    const body = JSON.stringify({ assets, reason: 'chaos: concurrent recompute' });
    const answers = await Promise.all(
      Array.from({ length: counts.concurrentRecomputes }, async () => {
        try {
          const response = await fetch(`${runtime.url}/v1/recompute`, {
            method: 'POST',
            headers: { authorization: `Bearer ${runtime.apiToken}`, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(limits.requestTimeoutMs),
          });
          const text = await response.text();
          let runId: string | null = null;
          try {
            runId = (JSON.parse(text) as { runId?: string }).runId ?? null;
          } catch {
            // not JSON: counted by status only
          }
          return { status: response.status, runId, text };
        } catch (error) {
          return { status: 0, runId: null, text: (error as Error).message };
        }
      }),
    );
    await withTimeout(runtime.idle(), limits.idleTimeoutMs, 'the recompute runs to finish');
    const byStatus = new Map<number, number>();
    for (const a of answers) {
      byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
      if (a.status >= 500 || a.status === 0) checks.fail(CHECK_5XX, `${a.status}: ${a.text.slice(0, 200)}`);
    }
    const doc = createDocumentClient({ endpoint: runtime.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 3 });
    const state = await readStoredState(doc, LOCAL_TABLE_NAME, runtime.outboxDir).finally(() => doc.destroy());
    const runs = [...state.runs.values()].filter((r) => r.trigger === 'adhoc');
    const acceptedRunIds = new Set(answers.flatMap((a) => (a.status === 202 && a.runId ? [a.runId] : [])));
    if (runs.length !== 1) checks.fail(CHECK_ONE_RUN, `${runs.length} runs for ${counts.concurrentRecomputes} requests for ${assets.join('+')}`);
    if (acceptedRunIds.size > 1 || (runs.length === 1 && acceptedRunIds.size === 1 && !acceptedRunIds.has(runs[0]!.id))) {
      checks.fail(CHECK_ONE_RUN, `the 202 answers name ${acceptedRunIds.size} different runs`);
    }
    const runIds = new Set(runs.map((r) => r.id));
    const proposalsPerMarket = new Map<string, Set<string>>();
    for (const p of state.proposals.values()) {
      if (!runIds.has(p.runId)) continue;
      // The parts of one split proposal count as one.
      proposalsPerMarket.set(p.profileId, new Set([...(proposalsPerMarket.get(p.profileId) ?? []), p.runId]));
    }
    for (const [market, fromRuns] of proposalsPerMarket) {
      if (fromRuns.size > 1) checks.fail(CHECK_PROPOSALS, `${market}: ${fromRuns.size} proposals (runs ${[...fromRuns].slice(0, 3).join(', ')}${fromRuns.size > 3 ? ', ...' : ''})`);
    }
    result.notes.push(
      `answers: ${[...byStatus].map(([s, n]) => `${s} x ${n}`).join(', ')}; ${runs.length} run(s); proposals per market: ${
        [...proposalsPerMarket].map(([m, r]) => `${m} ${r.size}`).join(', ') || 'none'
      }; outbox files: ${state.outbox.length}`,
    );
  } finally {
    await stopRuntime();
  }
  result.checks = checks.list();
  return result;
}
