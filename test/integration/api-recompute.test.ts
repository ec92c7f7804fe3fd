import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureTable, localDynamoClient, startLocalDynamo, type LocalDynamo } from '../../local/dynamo.js';
import { createApi } from '../../shared/api/app.js';
import { buildConfig } from '../../shared/config/load.js';
import type { AdvisorConfig } from '../../shared/config/schema.js';
import type { InvokedRole, Invoker } from '../../shared/cycle/invoker.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { createStore, type Store } from '../../shared/store/index.js';
import { httpEvent } from '../support/events.js';

/**
 * POST /v1/recompute coalesces, is bounded and rate-limited, with the decisions taken by DynamoDB
 * conditions on a real DynamoDB-API server (dynalite): several API instances over one table stand for
 * several Lambdas.
 */
const TOKEN = 'test-token-0123456789abcdef';
let dynamo: LocalDynamo;
let doc: ReturnType<typeof createDocumentClient>;
let tableName: string;
let store: Store;
let nowMs: number;
let invoked: { role: InvokedRole; event: unknown }[];
const invoker: Invoker = {
  async invoke(role, event) {
    invoked.push({ role, event });
  },
};

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  doc = createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  doc?.destroy();
  await dynamo?.stop();
});
beforeEach(async () => {
  // A fresh table per test on the same server: each test starts with nothing in flight.
  tableName = `recompute-${randomUUID().slice(0, 8)}`;
  const raw = localDynamoClient(dynamo.endpoint);
  await ensureTable(raw, tableName);
  raw.destroy();
  store = createStore(doc, tableName);
  nowMs = Date.UTC(2026, 0, 5, 10, 0, 0);
  invoked = [];
});

function apiWith(schedule: Partial<AdvisorConfig['schedule']> = {}, auth: 'token' | 'iam' = 'token') {
  const config = buildConfig();
  return createApi({
    config: { ...config, schedule: { ...config.schedule, ...schedule } },
    store,
    invoker,
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => nowMs,
    auth: auth === 'token' ? { kind: 'token', token: TOKEN } : { kind: 'iam' },
    simulated: true,
    cacheMaxAgeSeconds: 60,
  });
}

const json = (body: string | undefined) => JSON.parse(body ?? 'null');
const post = (api: ReturnType<typeof createApi>, body: unknown, iamUserArn?: string) =>
  api(
    httpEvent('POST', '/v1/recompute', {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(iamUserArn ? {} : { authorization: `Bearer ${TOKEN}` }) },
      ...(iamUserArn ? { iamUserArn } : {}),
    }),
  );

/** Every run item in the table (orphans included). */
async function storedRuns(): Promise<{ id: string; status: string }[]> {
  const result = await doc.send(
    new ScanCommand({ TableName: tableName, FilterExpression: 'begins_with(pk, :run) AND sk = :sk', ExpressionAttributeValues: { ':run': 'RUN#', ':sk': 'RUN' } }),
  );
  return (result.Items ?? []).map((item) => ({ id: item.id as string, status: item.status as string }));
}

/** Takes a run through start and finish, as the pipeline would. */
async function finishRun(id: string, status: 'succeeded' | 'failed' = 'succeeded') {
  await store.runs.start(id, nowMs, 1);
  await store.runs.finish(id, { status, recommendations: [], proposals: [], errors: [], finishedAtMs: nowMs });
}

describe('POST /v1/recompute coalesces requests into runs in flight', () => {
  it('20 concurrent requests from 4 API instances (4 Lambdas) start exactly 1 run; the other 19 join it', async () => {
    const apis = [apiWith(), apiWith(), apiWith(), apiWith()];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post(apis[i % apis.length]!, { assets: ['BTC', 'ETH'] })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(202));
    const bodies = responses.map((r) => json(r.body));
    const runIds = new Set(bodies.map((b) => b.runId));
    expect(runIds.size).toBe(1);
    expect(bodies.filter((b) => b.coalesced === false)).toHaveLength(1);
    expect(bodies.filter((b) => b.coalesced === true)).toHaveLength(19);
    expect(invoked.filter((i) => i.role === 'plan')).toHaveLength(1);
    // No run left behind by a request that lost the race.
    expect(await storedRuns()).toEqual([{ id: [...runIds][0], status: 'queued' }]);
    for (const r of responses) expect(r.headers?.location).toBe(`/v1/runs/${[...runIds][0]}`);
  });

  it('a run covers a request when it has all its assets; a whole-universe run covers every request', async () => {
    const api = apiWith({ maxRunsInFlight: 5 });
    const btc = json((await post(api, { assets: ['BTC'] })).body);
    expect(btc.coalesced).toBe(false);
    expect(json((await post(api, { assets: ['btc'] })).body)).toMatchObject({ runId: btc.runId, coalesced: true, status: 'queued' });
    // BTC + ETH is not covered by the BTC run.
    const both = json((await post(api, { assets: ['ETH', 'BTC'] })).body);
    expect(both.coalesced).toBe(false);
    expect(json((await post(api, { assets: ['ETH'] })).body).runId).toBe(both.runId);
    const all = json((await post(api, {})).body);
    expect(all.coalesced).toBe(false);
    expect(json((await post(api, { assets: ['SOL', 'UNI'] })).body)).toMatchObject({ runId: all.runId, coalesced: true });
  });

  it('a running run is joined (status running); a finished one is not', async () => {
    const api = apiWith();
    const first = json((await post(api, { assets: ['BTC'] })).body);
    await store.runs.start(first.runId, nowMs, 1);
    expect(json((await post(api, { assets: ['BTC'] })).body)).toMatchObject({ runId: first.runId, status: 'running', coalesced: true });
    await store.runs.finish(first.runId, { status: 'succeeded', recommendations: [], proposals: [], errors: [], finishedAtMs: nowMs });
    const second = json((await post(api, { assets: ['BTC'] })).body);
    expect(second).toMatchObject({ status: 'queued', coalesced: false });
    expect(second.runId).not.toBe(first.runId);
  });

  it('a scheduled run in flight (not started by a recompute) covers every asset', async () => {
    const api = apiWith();
    const { newRun } = await import('../../shared/cycle/runs.js');
    const scheduled = newRun({ trigger: 'schedule', requestedBy: 'schedule', reason: null, assets: [], nowMs });
    await store.runs.create(scheduled);
    await store.runs.start(scheduled.id, nowMs, 8);
    expect(json((await post(api, { assets: ['DOGE'] })).body)).toMatchObject({ runId: scheduled.id, status: 'running', coalesced: true });
  });

  it('a run past schedule.runTimeoutMinutes is no longer in flight: it is neither joined nor counted', async () => {
    const api = apiWith({ maxRunsInFlight: 1, runTimeoutMinutes: 60 });
    const lost = json((await post(api, { assets: ['BTC'] })).body); // its ingest never started it
    nowMs += 61 * 60_000;
    const fresh = json((await post(api, { assets: ['BTC'] })).body);
    expect(fresh.coalesced).toBe(false);
    expect(fresh.runId).not.toBe(lost.runId);
  });
});

describe('POST /v1/recompute is bounded', () => {
  it('beyond schedule.maxRunsInFlight runs in flight: 503 problem+json with Retry-After, nothing started', async () => {
    const api = apiWith({ maxRunsInFlight: 2, recomputeBusyRetryAfterSeconds: 45 });
    const a = json((await post(api, { assets: ['BTC'] })).body);
    json((await post(api, { assets: ['ETH'] })).body);
    const refused = await post(api, { assets: ['SOL'] });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers?.['retry-after']).toBe('45');
    expect(json(refused.body)).toMatchObject({ status: 503, code: 'RECOMPUTE_BUSY', instance: '/v1/recompute' });
    expect(invoked).toHaveLength(2);
    expect(await storedRuns()).toHaveLength(2);
    // A request covered by a run in flight still joins it.
    expect((await post(api, { assets: ['BTC'] })).statusCode).toBe(202);
    // Once one finishes, there is room again.
    await finishRun(a.runId);
    expect(json((await post(api, { assets: ['SOL'] })).body).coalesced).toBe(false);
  });
});

describe('POST /v1/recompute is rate-limited per caller, across API instances', () => {
  it('schedule.recomputesPerCallerPerHour new runs per caller per hour: then 429 with Retry-After; others and the next hour are not affected', async () => {
    const lambdaA = apiWith({ recomputesPerCallerPerHour: 2, maxRunsInFlight: 10 }, 'iam');
    const lambdaB = apiWith({ recomputesPerCallerPerHour: 2, maxRunsInFlight: 10 }, 'iam');
    const alice = 'arn:aws:iam::123:user/alice';
    nowMs = Date.UTC(2026, 0, 5, 10, 15, 0); // 45 minutes before the window ends
    const first = json((await post(lambdaA, { assets: ['BTC'] }, alice)).body);
    // Joining a run in flight is free: it starts nothing.
    expect(json((await post(lambdaB, { assets: ['BTC'] }, alice)).body).coalesced).toBe(true);
    expect((await post(lambdaB, { assets: ['ETH'] }, alice)).statusCode).toBe(202);
    await finishRun(first.runId);
    const refused = await post(lambdaA, { assets: ['SOL'] }, alice);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers?.['retry-after']).toBe(String(45 * 60));
    expect(refused.headers?.['content-type']).toMatch(/^application\/problem\+json/);
    expect(json(refused.body)).toMatchObject({ status: 429, code: 'RECOMPUTE_RATE_LIMITED' });
    // Another caller has its own budget; alice's returns with the next window.
    expect((await post(lambdaB, { assets: ['SOL'] }, 'arn:aws:iam::123:user/bob')).statusCode).toBe(202);
    nowMs += 45 * 60_000;
    expect((await post(lambdaA, { assets: ['UNI'] }, alice)).statusCode).toBe(202);
    expect(invoked).toHaveLength(4);
  });

  it('the 19 requests that join the race winner are not charged', async () => {
    const apis = [apiWith({ recomputesPerCallerPerHour: 2 }), apiWith({ recomputesPerCallerPerHour: 2 })];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post(apis[i % 2]!, { assets: ['LINK'] })));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(202));
    const winner = json(responses.find((r) => json(r.body).coalesced === false)!.body);
    await finishRun(winner.runId);
    const second = json((await post(apis[0]!, { assets: ['LINK'] })).body);
    expect(second.coalesced).toBe(false);
    await finishRun(second.runId);
    expect((await post(apis[1]!, { assets: ['LINK'] })).statusCode).toBe(429);
  });
});
