import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../shared/api/app.js';
import { buildConfig } from '../../shared/config/load.js';
import type { InvokedRole, Invoker } from '../../shared/cycle/invoker.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { httpEvent } from '../support/events.js';
import { perpRecommendationDraft, recommendationDraft } from '../support/fixtures.js';

const TOKEN = 'test-token-0123456789abcdef';
let table: TestTable;
const invoked: { role: InvokedRole; event: unknown }[] = [];
const invoker: Invoker = {
  async invoke(role, event) {
    invoked.push({ role, event });
  },
};
let api: ReturnType<typeof createApi>;
let iamApi: ReturnType<typeof createApi>;

beforeAll(async () => {
  table = await startTestTable();
  const deps = {
    config: buildConfig(),
    store: table.store,
    invoker,
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => Date.now(),
    simulated: true,
    cacheMaxAgeSeconds: 60,
  };
  api = createApi({ ...deps, auth: { kind: 'token', token: TOKEN } });
  iamApi = createApi({ ...deps, auth: { kind: 'iam' } });
  for (let i = 0; i < 3; i++) await table.store.recommendations.append(recommendationDraft({ asset: 'BTC' }));
  await table.store.recommendations.append(
    perpRecommendationDraft({ asset: 'BTC' }),
  );
});
afterAll(async () => {
  await table?.stop();
});

const json = (body: string | undefined) => JSON.parse(body ?? 'null');

describe('HTTP API reads', () => {
  it('GET /v1/health', async () => {
    const res = await api(httpEvent('GET', '/v1/health'));
    expect(res.statusCode).toBe(200);
    expect(json(res.body)).toMatchObject({ status: 'ok', simulated: true });
  });

  it('GET /v1/recommendations lists the latest of every asset and profile', async () => {
    const res = await api(httpEvent('GET', '/v1/recommendations'));
    expect(res.statusCode).toBe(200);
    const body = json(res.body);
    expect(body.simulated).toBe(true);
    expect(body.units).toBe('bps');
    expect(body.nextCursor).toBeNull();
    expect(body.recommendations.map((r: { asset: string; profileId: string; version: number }) => `${r.asset}/${r.profileId}/v${r.version}`)).toEqual([
      'BTC/aave-v3-ethereum/v3',
      'BTC/perp-dex/v1',
    ]);
  });

  it('GET /v1/recommendations/{asset} is case-insensitive; an unknown asset is a 404 problem', async () => {
    const res = await api(httpEvent('GET', '/v1/recommendations/btc'));
    expect(res.statusCode).toBe(200);
    expect(json(res.body).recommendations).toHaveLength(2);
    const missing = await api(httpEvent('GET', '/v1/recommendations/NOPE'));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['content-type']).toMatch(/application\/problem\+json/);
    expect(json(missing.body)).toMatchObject({ status: 404, code: 'NOT_FOUND', instance: '/v1/recommendations/NOPE' });
  });

  it('history is paginated newest first and needs ?profile= when several profiles cover the asset', async () => {
    const ambiguous = await api(httpEvent('GET', '/v1/recommendations/BTC/history'));
    expect(ambiguous.statusCode).toBe(400);
    expect(json(ambiguous.body).errors).toEqual([expect.objectContaining({ field: 'query.profile' })]);

    const first = await api(httpEvent('GET', '/v1/recommendations/BTC/history', { query: { profile: 'aave-v3-ethereum', limit: '2' } }));
    const page1 = json(first.body);
    expect(page1.items.map((r: { version: number }) => r.version)).toEqual([3, 2]);
    const second = await api(
      httpEvent('GET', '/v1/recommendations/BTC/history', { query: { profile: 'aave-v3-ethereum', limit: '2', cursor: page1.nextCursor } }),
    );
    expect(json(second.body).items.map((r: { version: number }) => r.version)).toEqual([1]);
  });

  it('bad query values are 400s naming the field', async () => {
    const res = await api(httpEvent('GET', '/v1/recommendations/BTC/history', { query: { profile: 'perp-dex', limit: '0' } }));
    expect(res.statusCode).toBe(400);
    expect(json(res.body).errors[0].field).toBe('query.limit');
    const cursor = await api(httpEvent('GET', '/v1/recommendations/BTC/history', { query: { profile: 'perp-dex', cursor: 'xyz' } }));
    expect(cursor.statusCode).toBe(400);
    expect(json(cursor.body).errors[0].field).toBe('query.cursor');
    const unknownParam = await api(httpEvent('GET', '/v1/recommendations/BTC/history', { query: { profile: 'perp-dex', page: '2' } }));
    expect(unknownParam.statusCode).toBe(400);
  });

  it('strong ETag, and 304 with no body on If-None-Match', async () => {
    const res = await api(httpEvent('GET', '/v1/recommendations'));
    const etag = String(res.headers!.etag);
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await api(httpEvent('GET', '/v1/recommendations', { headers: { 'If-None-Match': etag } }));
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const stale = await api(httpEvent('GET', '/v1/recommendations', { headers: { 'If-None-Match': '"other"' } }));
    expect(stale.statusCode).toBe(200);
  });

  it('unknown routes are 404 and wrong methods 405 with Allow', async () => {
    expect((await api(httpEvent('GET', '/v2/nothing'))).statusCode).toBe(404);
    const res = await api(httpEvent('DELETE', '/v1/recommendations'));
    expect(res.statusCode).toBe(405);
    expect(res.headers?.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('GET /v1/runs/{id}: 404 for unknown or malformed ids', async () => {
    expect((await api(httpEvent('GET', '/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV'))).statusCode).toBe(404);
    expect((await api(httpEvent('GET', '/v1/runs/..%2F..'))).statusCode).toBe(404);
  });
});

describe('POST /v1/recompute', () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    api(httpEvent('POST', '/v1/recompute', { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }));

  it('401 without a token, with a malformed header, or with a wrong token; nothing is started', async () => {
    const before = invoked.length;
    for (const headers of [{} as Record<string, string>, { authorization: 'Basic abc' }, { authorization: 'Bearer wrong-token' }]) {
      const res = await post({}, headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers?.['www-authenticate']).toMatch(/Bearer/);
    }
    expect(invoked.length).toBe(before);
  });

  it('202 with a run id; the run is recorded and plan started for it', async () => {
    const res = await post({ assets: ['btc', 'ETH'], reason: 'volatility spike' }, { authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(202);
    const { runId, links } = json(res.body);
    expect(links.run).toBe(`/v1/runs/${runId}`);
    expect(invoked.at(-1)).toEqual({ role: 'plan', event: { runId } });
    const run = json((await api(httpEvent('GET', `/v1/runs/${runId}`))).body);
    expect(run).toMatchObject({ id: runId, trigger: 'adhoc', requestedBy: 'token', reason: 'volatility spike', assets: ['BTC', 'ETH'], status: 'queued' });
  });

  it('400 naming the failing field for bad bodies', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const notJson = await post('{"assets": [', auth);
    expect(notJson.statusCode).toBe(400);
    expect(json(notJson.body).errors[0].field).toBe('body');
    const unknownAsset = await post({ assets: ['BTC', 'NOPE'] }, auth);
    expect(json(unknownAsset.body).errors).toEqual([{ field: 'body.assets[1]', message: 'unknown asset NOPE' }]);
    const wrongType = await post({ assets: 'BTC' }, auth);
    expect(json(wrongType.body).errors[0].field).toBe('body.assets');
    const extra = await post({ assets: ['BTC'], force: true }, auth);
    expect(extra.statusCode).toBe(400);
    const badType = await api(httpEvent('POST', '/v1/recompute', { body: 'assets=BTC', headers: { ...auth, 'content-type': 'text/plain' } }));
    expect(badType.statusCode).toBe(415);
    // A body without a content type is not sniffed (a cross-site form cannot pass for JSON).
    const untyped = await api(httpEvent('POST', '/v1/recompute', { body: '{"assets":["BTC"]}', headers: auth }));
    expect(untyped.statusCode).toBe(415);
  });

  it('in IAM mode the caller ARN from the authorizer is recorded; no ARN is a 401', async () => {
    expect((await iamApi(httpEvent('POST', '/v1/recompute', { body: '{}' }))).statusCode).toBe(401);
    const res = await iamApi(httpEvent('POST', '/v1/recompute', { body: '{}', headers: { 'content-type': 'application/json' }, iamUserArn: 'arn:aws:iam::123:user/risk' }));
    expect(res.statusCode).toBe(202);
    const run = json((await api(httpEvent('GET', `/v1/runs/${json(res.body).runId}`))).body);
    expect(run.requestedBy).toBe('arn:aws:iam::123:user/risk');
  });
});
