import { describe, expect, it } from 'vitest';
import { createApi } from '../../shared/api/app.js';
import type { Store } from '../../shared/store/index.js';
import { startTestTable } from '../support/dynamo.js';
import { httpEvent } from '../support/events.js';
import {
  HOUR_MS,
  SERIES_BARS,
  SERIES_END_MS,
  TOKEN,
  api,
  call,
  checkContract,
  config,
  deps,
  doc,
  exercised,
  observed,
  runId,
  statusesSeen,
  table,
  useContractApi,
  type Json,
} from '../support/api-contract.js';

/**
 * The API against its own OpenAPI document: every endpoint, success and error, on a real local
 * DynamoDB-API server; each response's status, content type, headers and body are checked against what
 * the document (GET /v1/openapi.json) declares, and every documented operation must be exercised.
 * Pagination and units: api-contract-views.test.ts; CORS and the local rate limit: api-contract-cors.test.ts.
 */

useContractApi();

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with the methodology version, relative servers and both security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect((doc.info as Json)['x-methodology-version']).toBe(config.methodologyVersion);
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const schemes = (doc.components as Json).securitySchemes as Record<string, Json>;
    expect(schemes.bearerToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.awsSigV4).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    const post = (doc.paths as Record<string, Record<string, Json>>)['/v1/recompute']!.post!;
    expect(post.security).toEqual([{ bearerToken: [] }, { awsSigV4: [] }]);
  });

  it('as a validator, refuses what it does not declare (so the checks below can fail)', async () => {
    const res = observed(await api(httpEvent('GET', '/v1/recommendations')));
    const good = JSON.parse(res.body) as { recommendations: Json[] };
    const mutations: ((body: { recommendations: Json[] }) => void)[] = [
      (b) => delete b.recommendations[0]!.asset,
      (b) => ((b.recommendations[0]!.parameters as Json).ltvPercent = 75), // both units at once
      (b) => ((b.recommendations[0]!.status as unknown) = 'great'),
      (b) => ((b as Json).nextCursor = 3),
    ];
    for (const mutate of mutations) {
      const body = structuredClone(good);
      mutate(body);
      expect(() => checkContract('GET', '/v1/recommendations', { ...res, body: JSON.stringify(body) })).toThrow(/does not match the document/);
    }
    expect(() => checkContract('GET', '/v1/recommendations', { ...res, statusCode: 418 })).toThrow(/does not declare/);
    const { etag: _etag, ...withoutEtag } = res.headers;
    expect(() => checkContract('GET', '/v1/recommendations', { ...res, headers: withoutEtag })).toThrow(/etag/);
  });

  it('documents the query parameters the routes validate, with their limits', () => {
    const params = ((doc.paths as Record<string, Record<string, Json>>)['/v1/recommendations']!.get!.parameters as Json[]).map((p) => [p.name, p.schema]);
    expect(Object.fromEntries(params)).toMatchObject({
      limit: { minimum: 1, maximum: 500, default: 100 },
      units: { enum: ['bps', 'percent'], default: 'bps' },
    });
  });
});

describe('every endpoint against the document', () => {
  it('GET /v1/health', async () => {
    const res = await call('GET', '/v1/health');
    expect(res.json).toMatchObject({ status: 'ok', simulated: true, methodologyVersion: config.methodologyVersion });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('GET /v1/recommendations: every asset and profile, sorted, in one default page', async () => {
    const res = await call('GET', '/v1/recommendations');
    expect(res.statusCode).toBe(200);
    expect(res.json.units).toBe('bps');
    expect(res.json.nextCursor).toBeNull();
    expect(res.json.recommendations.map((r: { asset: string; profileId: string }) => `${r.asset}/${r.profileId}`)).toEqual(
      ['AAVE', 'BTC', 'ETH', 'SOL'].flatMap((a) => [`${a}/aave-v3-ethereum`, `${a}/perp-dex`]),
    );
    expect(res.json.profiles.map((p: { id: string }) => p.id)).toEqual(config.profiles.map((p) => p.id));
  });

  it('GET /v1/recommendations?profile= filters; an unknown profile is a 400 naming it', async () => {
    const perp = await call('GET', '/v1/recommendations', { query: { profile: 'perp-dex' } });
    expect(perp.json.recommendations.map((r: { profileId: string }) => r.profileId)).toEqual(Array(4).fill('perp-dex'));
    const unknown = await call('GET', '/v1/recommendations', { query: { profile: 'nope-profile' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json.errors).toEqual([expect.objectContaining({ field: 'query.profile' })]);
  });

  it('GET /v1/recommendations/{asset} and its history', async () => {
    const asset = await call('GET', '/v1/recommendations/btc');
    expect(asset.json.recommendations.map((r: { version: number }) => r.version)).toEqual([2, 1]);
    const history = await call('GET', '/v1/recommendations/BTC/history', { query: { profile: 'aave-v3-ethereum' } });
    expect(history.json.items.map((r: { version: number }) => r.version)).toEqual([2, 1]);
    expect((await call('GET', '/v1/recommendations/NOPE')).statusCode).toBe(404);
    expect((await call('GET', '/v1/recommendations/NOPE/history')).statusCode).toBe(404);
    const ambiguous = await call('GET', '/v1/recommendations/BTC/history');
    expect(ambiguous.json.errors[0].field).toBe('query.profile');
  });

  it('GET /v1/assets/{asset}/prices: the last `days` ending at the latest stored bar, downsampled to 1000 points', async () => {
    const month = await call('GET', '/v1/assets/BTC/prices');
    expect(month.json).toMatchObject({ asset: 'BTC', interval: '1h', toMs: SERIES_END_MS, fromMs: SERIES_END_MS - 30 * 24 * HOUR_MS, bucketBars: 1 });
    expect(month.json.points).toHaveLength(30 * 24);
    expect(month.json.points.at(-1)).toEqual([SERIES_END_MS - HOUR_MS, 40_000 + SERIES_BARS - 1]);
    const year = await call('GET', '/v1/assets/btc/prices', { query: { days: '365', interval: '1h' } });
    expect(year.json.bucketBars).toBe(3);
    expect(year.json.points.length).toBeLessThanOrEqual(1000);
    expect(year.json.points.length).toBe(Math.ceil(SERIES_BARS / 3));
    expect(year.json.points.at(-1)).toEqual([SERIES_END_MS - HOUR_MS, 40_000 + SERIES_BARS - 1]);
    const times = year.json.points.map((p: [number, number]) => p[0]);
    expect(times).toEqual([...times].sort((a: number, b: number) => a - b));
    const none = await call('GET', '/v1/assets/ETH/prices', { query: { interval: '5m', days: '1' } });
    expect(none.json.points).toEqual([]);
    const tooLong = await call('GET', '/v1/assets/BTC/prices', { query: { days: '366' } });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json.errors[0].field).toBe('query.days');
    expect((await call('GET', '/v1/assets/BTC/prices', { query: { interval: '1d' } })).json.errors[0].field).toBe('query.interval');
    expect((await call('GET', '/v1/assets/NOPE/prices')).statusCode).toBe(404);
  });

  it('GET /v1/proposals: newest first, with the forum links found in externalRef', async () => {
    const res = await call('GET', '/v1/proposals');
    expect(res.json.items.map((p: { id: string }) => p.id)).toEqual([4, 3, 2, 1, 0].map((i) => `aave-v3-ethereum-run${i}`));
    expect(res.json.nextCursor).toBeNull();
    const sent = res.json.items.find((p: { id: string }) => p.id === 'aave-v3-ethereum-run3');
    expect(sent).toMatchObject({ status: 'sent', links: ['https://forum.example.org/t/btc-eth/42/7'] });
    expect(res.json.items.find((p: { id: string }) => p.id === 'aave-v3-ethereum-run0').links).toEqual([]);
    expect(res.json.items[0].markdown).toBeUndefined();
    const bad = await call('GET', '/v1/proposals', { query: { limit: '101' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json.errors[0].field).toBe('query.limit');
  });

  it('GET /v1/proposals/{id}/payload: the Safe batch; 404 for an unknown proposal and for one without a payload', async () => {
    const res = await call('GET', '/v1/proposals/aave-v3-ethereum-run4/payload');
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ version: '1.0', chainId: '1', transactions: [{ value: '0', data: expect.stringMatching(/^0x/) }] });
    expect((await call('GET', '/v1/proposals/nope/payload')).statusCode).toBe(404);
    expect((await call('GET', '/v1/proposals/aave-v3-ethereum-run0/payload')).json.detail).toMatch(/no steward payload/);
  });

  it('GET /v1/runs/{id}', async () => {
    expect((await call('GET', `/v1/runs/${runId}`)).json).toMatchObject({ id: runId, status: 'queued' });
    expect((await call('GET', '/v1/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV')).statusCode).toBe(404);
  });

  it('POST /v1/recompute: 202, 400 with the field, 401, 415', async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const accepted = await call('POST', '/v1/recompute', { headers: auth, body: JSON.stringify({ assets: ['eth'] }) });
    expect(accepted.statusCode).toBe(202);
    expect(accepted.headers.location).toBe(`/v1/runs/${accepted.json.runId}`);
    const bad = await call('POST', '/v1/recompute', { headers: auth, body: JSON.stringify({ assets: ['BTC', 'NOPE'] }) });
    expect(bad.json.errors).toEqual([{ field: 'body.assets[1]', message: 'unknown asset NOPE' }]);
    const unauthorized = await call('POST', '/v1/recompute', { body: '{}' });
    expect(unauthorized.statusCode).toBe(401);
    const wrongType = await call('POST', '/v1/recompute', { headers: { ...auth, 'content-type': 'text/plain' }, body: 'assets=BTC' });
    expect(wrongType.statusCode).toBe(415);
  });

  it('POST /v1/recompute: joined (coalesced), 503 over schedule.maxRunsInFlight, 429 over the caller budget', async () => {
    const own = await startTestTable();
    try {
      const limited = createApi({ ...deps(own.store), config: { ...config, schedule: { ...config.schedule, maxRunsInFlight: 1, recomputesPerCallerPerHour: 1 } } });
      const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      const body = (assets: string[]) => ({ headers: auth, body: JSON.stringify({ assets }) });
      const started = await call('POST', '/v1/recompute', body(['BTC']), limited);
      expect(started.json).toMatchObject({ status: 'queued', coalesced: false });
      const joined = await call('POST', '/v1/recompute', body(['BTC']), limited);
      expect(joined.json).toMatchObject({ runId: started.json.runId, status: 'queued', coalesced: true });
      const busy = await call('POST', '/v1/recompute', body(['ETH']), limited);
      expect(busy.statusCode).toBe(503);
      expect(busy.headers['retry-after']).toBe(String(config.schedule.recomputeBusyRetryAfterSeconds));
      await own.store.runs.start(started.json.runId, SERIES_END_MS, 1);
      await own.store.runs.finish(started.json.runId, { status: 'succeeded', recommendations: [], proposals: [], errors: [], finishedAtMs: SERIES_END_MS });
      const limitedCaller = await call('POST', '/v1/recompute', body(['ETH']), limited);
      expect(limitedCaller.statusCode).toBe(429);
      expect(limitedCaller.json.code).toBe('RECOMPUTE_RATE_LIMITED');
    } finally {
      await own.stop();
    }
  });

  it('unknown query parameters, bad units and foreign cursors are 400s naming the field', async () => {
    const extra = await call('GET', '/v1/recommendations', { query: { page: '2' } });
    expect(extra.json.errors).toEqual([{ field: 'query.page', message: 'unknown parameter' }]);
    expect((await call('GET', '/v1/recommendations', { query: { units: 'wei' } })).json.errors[0].field).toBe('query.units');
    expect((await call('GET', '/v1/recommendations', { query: { cursor: 'bm90LWEtY3Vyc29y' } })).json.errors[0].field).toBe('query.cursor');
    expect((await call('GET', '/v1/proposals', { query: { cursor: 'bm90LWEtY3Vyc29y' } })).json.errors[0].field).toBe('query.cursor');
    expect((await call('GET', '/v1/recommendations', { query: { limit: '501' } })).json.errors[0].field).toBe('query.limit');
  });

  it('405 with Allow for a method a path does not support; 406 when Accept admits no JSON', async () => {
    const deleted = await call('DELETE', '/v1/recommendations');
    expect(deleted.statusCode).toBe(405);
    expect(deleted.headers.allow).toBe('GET, HEAD, OPTIONS');
    const getRecompute = await call('GET', '/v1/recompute');
    expect(getRecompute.statusCode).toBe(405);
    expect(getRecompute.headers.allow).toBe('POST, OPTIONS');
    const html = await call('GET', '/v1/recommendations', { headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(406);
    expect((await call('GET', '/v1/recommendations', { headers: { accept: 'text/html, application/json;q=0.5' } })).statusCode).toBe(200);
  });

  it('500 as a problem when the store fails, without leaking the error', async () => {
    const failing = { ...table.store, recommendations: { latestForProfile: () => Promise.reject(new Error('secret internals')) } } as unknown as Store;
    const res = await call('GET', '/v1/recommendations', {}, createApi(deps(failing)));
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret internals');
  });

  it('every GET has a strong ETag, and If-None-Match with it returns 304 with no body', async () => {
    const reads = [
      '/v1/health',
      '/v1/openapi.json',
      '/v1/recommendations',
      '/v1/recommendations/ETH',
      '/v1/recommendations/ETH/history?profile=perp-dex',
      '/v1/assets/BTC/prices',
      '/v1/proposals',
      '/v1/proposals/aave-v3-ethereum-run4/payload',
      `/v1/runs/${runId}`,
    ];
    for (const target of reads) {
      const [path, search] = target.split('?') as [string, string | undefined];
      const query = search ? Object.fromEntries(new URLSearchParams(search)) : undefined;
      const first = await call('GET', path, query ? { query } : {});
      const etag = first.headers.etag!;
      expect(etag, target).toMatch(/^"[\w-]{27}"$/);
      const again = await call('GET', path, { ...(query ? { query } : {}), headers: { 'if-none-match': etag } });
      if (target === '/v1/health') {
        // health carries the time: it changes between two calls, so a 200 is as right as a 304.
        expect([200, 304]).toContain(again.statusCode);
        continue;
      }
      expect(again.statusCode, target).toBe(304);
      expect(again.body, target).toBe('');
      expect(again.headers.etag).toBe(etag);
      const weak = await call('GET', path, { ...(query ? { query } : {}), headers: { 'if-none-match': `"other", W/${etag}` } });
      expect(weak.statusCode, target).toBe(304);
      expect((await call('GET', path, { ...(query ? { query } : {}), headers: { 'if-none-match': '"other"' } })).statusCode).toBe(200);
    }
  });

  it('HEAD answers like GET without a body', async () => {
    const head = await call('HEAD', '/v1/recommendations');
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers.etag).toBe((await call('GET', '/v1/recommendations')).headers.etag);
  });
});

describe('coverage of the document', () => {
  it('every documented operation was exercised, and the error statuses the API can give were seen', () => {
    const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect([...exercised].sort()).toEqual(documented.sort());
    for (const status of [200, 202, 304, 400, 401, 404, 405, 406, 415, 429, 500]) expect(statusesSeen, `status ${status}`).toContain(status);
  });
});
