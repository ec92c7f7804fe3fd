import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ScheduledEvent, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.js';
import { createFinalizeHandler } from '../../functions/finalize/handler.js';
import { createPlanHandler } from '../../functions/plan/handler.js';
import { createPublishHandler } from '../../functions/publish/handler.js';
import { createWorkerHandler } from '../../functions/worker/handler.js';
import { FUNCTION_ROLES, FUNCTION_SPECS, type FunctionRole } from '../../infra/function-specs.js';
import { buildConfig } from '../../shared/config/load.js';
import type { AdvisorConfig } from '../../shared/config/schema.js';
import type { BaseDeps } from '../../shared/cycle/deps.js';
import { environmentSchema } from '../../shared/cycle/environment.js';
import type { InvokedRole, InvokedRoleEvents, Invoker } from '../../shared/cycle/invoker.js';
import type { AssetQueue, AssetWork } from '../../shared/cycle/queue.js';
import { LocalOutboxSink } from '../../shared/governance/sinks.js';
import { StoredFleetBudget } from '../../shared/market/venues/fleet-budget.js';
import { LiveMarket } from '../../shared/market/venues/live.js';
import type { Store } from '../../shared/store/index.js';
import { DynamoActionRecorder } from '../support/dynamo-recorder.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { httpEvent } from '../support/events.js';
import { FAST_LIMITS, FAST_RESILIENCE, startVenueServers, type VenueServers } from '../support/venue-server.js';

/**
 * Each function's role must grant exactly the DynamoDB actions its code sends (issue 12, defect 8).
 * Every handler runs through realistic flows on a real DynamoDB-API server, each on its own recorded
 * client (`<function> -> action`): a scheduled cycle that loses an asset and is closed as stuck, an
 * authenticated recompute through plan, workers (live venues on loopback, fleet-wide venue budget),
 * finalize and publish, and every API route. The recorded set is then held to FUNCTION_SPECS
 * (infra/function-specs.ts), the one list the CDK grants come from (test/infra/stack.test.ts).
 */

const TOKEN = 'iam-test-token-0123456789abcdef';
const ASSETS = ['BTC', 'ETH'];
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

class RecordingQueue implements AssetQueue {
  sent: AssetWork[] = [];
  async enqueue(work: readonly AssetWork[]): Promise<void> {
    this.sent.push(...work);
  }
  take(): AssetWork[] {
    const out = this.sent;
    this.sent = [];
    return out;
  }
}

class RecordingInvoker implements Invoker {
  calls: { role: InvokedRole; event: unknown }[] = [];
  async invoke<R extends InvokedRole>(role: R, event: InvokedRoleEvents[R]): Promise<void> {
    this.calls.push({ role, event });
  }
  take<R extends InvokedRole>(role: R): InvokedRoleEvents[R][] {
    const mine = this.calls.filter((c) => c.role === role).map((c) => c.event as InvokedRoleEvents[R]);
    this.calls = this.calls.filter((c) => c.role !== role);
    return mine;
  }
}

const sqsEvent = (work: readonly AssetWork[]): SQSEvent =>
  ({ Records: work.map((w, i) => ({ messageId: `m${i}-${w.asset}`, body: JSON.stringify(w) })) }) as SQSEvent;
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events' } as unknown as ScheduledEvent;

let table: TestTable;
let servers: VenueServers;
let config: AdvisorConfig;
let outboxDir: string;
const recorder = new DynamoActionRecorder();
const markets: LiveMarket[] = [];
let clock = T0;

beforeAll(async () => {
  table = await startTestTable();
  servers = await startVenueServers({ now: () => clock, recorded: false });
  outboxDir = mkdtempSync(join(tmpdir(), 'iam-outbox-'));
  const base = buildConfig();
  config = buildConfig({
    venues: servers.venues,
    assets: base.assets.filter((a) => ASSETS.includes(a.symbol)),
    profiles: base.profiles.map((p) => ({ ...p, lookbackDays: Math.min(p.lookbackDays, 3), minHistoryDays: 1 })),
  } as never);
}, 60_000);
afterAll(async () => {
  await Promise.all(markets.map((m) => m.dispose()));
  recorder.destroy();
  await table?.stop();
  await servers?.close();
  if (outboxDir) rmSync(outboxDir, { recursive: true, force: true });
});

/** The deps a function builds from its environment, on a client recorded as that function. */
function baseDeps(role: FunctionRole, invoker: Invoker): BaseDeps {
  return {
    env: environmentSchema.parse({ TABLE_NAME: table.tableName, ADVISOR_SOURCE: 'live', ADVISOR_AUTH_MODE: 'token', ADVISOR_API_TOKEN: TOKEN }),
    config,
    store: recorder.storeFor(table, role),
    invoker,
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => clock,
    publicBaseUrl: 'https://advisor.example.org',
    simulated: false,
    dispose: () => {},
  };
}

/** The cloud worker's market: live venues, each request also taken from the fleet's budget in the table. */
function liveMarket(store: Store): LiveMarket {
  const market = new LiveMarket({
    venues: config.venues,
    limits: FAST_LIMITS,
    resilience: FAST_RESILIENCE,
    random: () => 0.5,
    now: () => clock,
    fleetBudget: new StoredFleetBudget(store.venueBudgets),
  });
  markets.push(market);
  return market;
}

/** The five handlers, each with deps built once as in Lambda, sharing one recorded invoker and queue. */
function handlers() {
  const invoker = new RecordingInvoker();
  const queue = new RecordingQueue();
  const planDeps = { ...baseDeps('plan', invoker), queue };
  const workerBase = baseDeps('worker', invoker);
  const workerDeps = { ...workerBase, source: liveMarket(workerBase.store) };
  const finalizeDeps = baseDeps('finalize', invoker);
  const publishDeps = { ...baseDeps('publish', invoker), sink: new LocalOutboxSink(outboxDir), simulatedSink: null, maxPublishAttempts: 5 };
  const idlePublishDeps = { ...publishDeps, sink: null };
  const apiDeps = baseDeps('api', invoker);
  return {
    invoker,
    queue,
    plan: createPlanHandler(() => planDeps),
    worker: createWorkerHandler(() => workerDeps),
    finalize: createFinalizeHandler(() => finalizeDeps, () => {}),
    publish: createPublishHandler(() => publishDeps),
    publishUnconfigured: createPublishHandler(() => idlePublishDeps),
    api: createApiHandler(() => apiDeps),
  };
}

describe('DynamoDB actions per function', () => {
  it('each role grants exactly the actions its handler sends (recorded over realistic flows)', { timeout: 120_000 }, async () => {
    const h = handlers();
    const ok = async (res: Promise<{ statusCode?: number; body?: string }>, status = 200) => {
      const r = await res;
      expect(r.statusCode, r.body).toBe(status);
      return r.body ? JSON.parse(r.body) : null;
    };

    // A scheduled cycle whose last asset is lost (parked in the dead-letter queue): the workers that ran
    // record their assets, the next schedule finds the run stuck and the finalizer closes it with what it has.
    const stuck = (await h.plan(scheduled)) as { runId: string };
    const [first, ...rest] = h.queue.take();
    expect((await h.worker(sqsEvent(rest))).batchItemFailures).toEqual([]);
    // A redelivery of a message already recorded.
    expect((await h.worker(sqsEvent(rest.slice(0, 1)))).batchItemFailures).toEqual([]);
    expect(first).toBeDefined();
    clock += (config.schedule.runTimeoutMinutes + 1) * 60_000;
    const next = (await h.plan(scheduled)) as { runId: string };
    const closing = h.invoker.take('finalize');
    expect(closing).toEqual([{ runId: stuck.runId, closeIncomplete: true }]);
    for (const event of closing) await h.finalize(event);
    // The second scheduled run completes: all its workers, the last of them starts the finalizer.
    expect((await h.worker(sqsEvent(h.queue.take()))).batchItemFailures).toEqual([]);
    for (const event of h.invoker.take('finalize')) await h.finalize(event);
    // A duplicate finalize delivery (async invoke retries).
    await h.finalize({ runId: next.runId });

    // An authenticated recompute: the API queues the run, the planner plans it, the workers and finalizer run it.
    clock += 60 * 60_000;
    // Eight at once: the requests that lose the gate's race discard the run they created (DeleteItem) and join the winner.
    const recompute = () =>
      ok(h.api(httpEvent('POST', '/v1/recompute', { headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ assets: ['BTC'], reason: 'iam test' }) })), 202);
    const [accepted] = await Promise.all(Array.from({ length: 8 }, recompute));
    for (const event of h.invoker.take('plan')) await h.plan(event);
    expect((await h.worker(sqsEvent(h.queue.take()))).batchItemFailures).toEqual([]);
    for (const event of h.invoker.take('finalize')) await h.finalize(event);

    // Publish: without a target (proposals stay pending), then to the outbox, then again (nothing left).
    await h.publishUnconfigured(undefined);
    const sent = (await h.publish(undefined)) as { sent: string[] };
    expect(sent.sent.length).toBeGreaterThan(0);
    await h.publish(undefined);

    // Every API route, with pagination where a route has it.
    const get = (path: string, query?: Record<string, string>) => ok(h.api(httpEvent('GET', path, query ? { query } : {})));
    await get('/v1/health');
    await get('/v1/openapi.json');
    const recommendations = await get('/v1/recommendations', { limit: '1' });
    await get('/v1/recommendations', { limit: '1', cursor: recommendations.nextCursor });
    await get('/v1/recommendations/BTC');
    const profileId = config.profiles[0]!.id;
    const history = await get('/v1/recommendations/BTC/history', { profile: profileId, limit: '1' });
    await get('/v1/recommendations/BTC/history', { profile: profileId, limit: '1', cursor: history.nextCursor });
    await get('/v1/assets/BTC/prices');
    const proposals = await get('/v1/proposals', { limit: '1' });
    expect(proposals.items.length).toBe(1);
    await get('/v1/proposals', { limit: '1', cursor: proposals.nextCursor });
    await get(`/v1/runs/${accepted.runId}`);
    await ok(h.api(httpEvent('HEAD', '/v1/proposals')));
    expect((await h.api(httpEvent('GET', '/'))).statusCode).toBe(200);

    const problems: string[] = [];
    for (const name of FUNCTION_ROLES) {
      const spec = FUNCTION_SPECS[name];
      for (const [list, sentActions, granted, resource] of [
        ['tableActions', recorder.tableActionsOf(name), spec.tableActions, 'the table'],
        ['indexActions', recorder.indexActionsOf(name), spec.indexActions, "the table's indexes"],
      ] as const) {
        for (const action of sentActions.filter((a) => !(granted as readonly string[]).includes(a))) {
          problems.push(`functions/${name} sends dynamodb:${action} to ${resource}, which its role does not grant: add '${action}' to FUNCTION_SPECS.${name}.${list} (infra/function-specs.ts)`);
        }
        for (const action of granted.filter((a) => !sentActions.includes(a))) {
          problems.push(
            `FUNCTION_SPECS.${name}.${list} grants dynamodb:${action} on ${resource}, which no flow of functions/${name} sends: remove it from infra/function-specs.ts, or add the flow that sends it to this test`,
          );
        }
      }
    }
    expect(problems, `recorded per function: ${JSON.stringify(recorder.toJSON())}`).toEqual([]);
  });
});
