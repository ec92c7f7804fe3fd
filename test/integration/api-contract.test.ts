import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveApi } from '../../local/http.js';
import { createApi } from '../../shared/api/app.js';
import { buildConfig } from '../../shared/config/load.js';
import type { Invoker } from '../../shared/cycle/invoker.js';
import { newRun } from '../../shared/cycle/runs.js';
import type { Candle } from '../../shared/market/types.js';
import type { RecommendationDraft } from '../../shared/model/recommendation.js';
import type { Store } from '../../shared/store/index.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { httpEvent } from '../support/events.js';
import { perpRecommendationDraft, proposal, recommendationDraft } from '../support/fixtures.js';

/**
 * The API against its own OpenAPI document: every endpoint, success and error, on a real local
 * DynamoDB-API server; each response's status, content type, headers and body are checked against what
 * the document (GET /v1/openapi.json) declares, and every documented operation must be exercised.
 */

const TOKEN = 'contract-token-0123456789abcdef';
const HOUR_MS = 3_600_000;
const SERIES_END_MS = Date.UTC(2026, 0, 10);
const SERIES_BARS = 2500;
const config = buildConfig();
let table: TestTable;
let api: ReturnType<typeof createApi>;
let runId: string;

const invoker: Invoker = { async invoke() {} };
const deps = (store: Store) => ({
  config,
  store,
  invoker,
  logger: new Logger({ logLevel: 'SILENT' }),
  now: () => SERIES_END_MS + 30 * 60_000,
  auth: { kind: 'token' as const, token: TOKEN },
  simulated: true,
  cacheMaxAgeSeconds: 360,
});

// ---- the OpenAPI document as a validator ----

type Json = Record<string, unknown>;
let doc: Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)));
ajv.addFormat('uri', (s: string) => URL.canParse(s));
const DOC_ID = 'https://leverage-advisor.test/openapi.json';
const validators = new Map<string, ValidateFunction>();
const exercised = new Set<string>();
const statusesSeen = new Set<number>();

const pointer = (...parts: string[]) => `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

function at(path: string): unknown {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

/** A response object's pointer, following one `$ref` to components.responses. */
function responsePointer(base: string): string {
  const ref = (at(base) as Json | undefined)?.$ref;
  return typeof ref === 'string' ? ref.slice(1) : base;
}

function templateOf(path: string): string | undefined {
  return Object.keys(doc.paths as Json).find((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`).test(path),
  );
}

interface Observed {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function observed(result: APIGatewayProxyStructuredResultV2): Observed {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { statusCode: result.statusCode ?? 200, headers, body: result.body ?? '' };
}

/** Checks one response against the document; returns the parsed body (null when there is none). */
function checkContract(method: string, path: string, response: Observed): unknown {
  const template = templateOf(path);
  expect(template, `${path} is not a documented path`).toBeDefined();
  const docMethod = method === 'HEAD' ? 'get' : method.toLowerCase();
  const operation = (doc.paths as Record<string, Json>)[template!]![docMethod];
  statusesSeen.add(response.statusCode);
  let spec: string;
  if (response.statusCode === 405) {
    spec = '/components/responses/MethodNotAllowed';
  } else {
    expect(operation, `${method} ${template} is not documented`).toBeDefined();
    exercised.add(`${docMethod.toUpperCase()} ${template}`);
    spec = responsePointer(pointer('paths', template!, docMethod, 'responses', String(response.statusCode)));
  }
  const responseObject = at(spec) as Json | undefined;
  expect(responseObject, `${method} ${path} answered ${response.statusCode}, which the document does not declare`).toBeDefined();
  for (const [name, header] of Object.entries((responseObject!.headers ?? {}) as Record<string, Json>)) {
    const value = response.headers[name.toLowerCase()];
    if (header.required) expect(value, `header ${name} of ${method} ${path} ${response.statusCode}`).toBeDefined();
    if (value !== undefined) expect(validator(`${spec}${pointer('headers', name, 'schema')}`)(value), `header ${name}: ${value}`).toBe(true);
  }
  const content = responseObject!.content as Record<string, Json> | undefined;
  if (!content || method === 'HEAD') {
    expect(response.body).toBe('');
    return null;
  }
  const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
  expect(Object.keys(content), `content type of ${method} ${path} ${response.statusCode}`).toContain(type);
  const body = JSON.parse(response.body) as unknown;
  const validate = validator(`${spec}${pointer('content', type, 'schema')}`);
  if (!validate(body)) throw new Error(`${method} ${path} ${response.statusCode} does not match the document: ${ajv.errorsText(validate.errors)}`);
  return body;
}

function validator(schemaPointer: string): ValidateFunction {
  let validate = validators.get(schemaPointer);
  if (!validate) validators.set(schemaPointer, (validate = ajv.compile({ $ref: `${DOC_ID}#${schemaPointer}` })));
  return validate;
}

/** Calls the API in process and checks the answer against the document. */
async function call(
  method: string,
  path: string,
  options: { query?: Record<string, string>; headers?: Record<string, string>; body?: string } = {},
  target = api,
) {
  const res = observed(await target(httpEvent(method, path, options)));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted against the schema above
  return { ...res, json: checkContract(method, path, res) as any };
}

// ---- fixtures ----

function bars(count: number, endMs: number): Candle[] {
  return Array.from({ length: count }, (_, i) => {
    const openTimeMs = endMs - (count - i) * HOUR_MS;
    const close = 40_000 + i;
    return { openTimeMs, open: close - 1, high: close + 5, low: close - 5, close, volume: 10 };
  });
}

const withCurrent = (draft: RecommendationDraft): RecommendationDraft =>
  ({
    ...draft,
    current: { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 650, supplyCapUsd: 5e8, borrowCapUsd: 2e8 },
    steps: [
      { parameter: 'ltvBps', current: 7300, target: 7525, proposed: 7500, status: 'within-bounds', direction: 'loosen', stress: false, reason: 'step' },
      { parameter: 'supplyCapUsd', current: 5e8, target: 1e8, proposed: 1e8, status: 'within-bounds', direction: 'tighten', stress: false, reason: 'cap' },
    ],
  }) as RecommendationDraft;

beforeAll(async () => {
  table = await startTestTable();
  const { store } = table;
  api = createApi(deps(store));
  for (const asset of ['BTC', 'ETH', 'SOL', 'AAVE']) {
    await store.recommendations.append(withCurrent(recommendationDraft({ asset })));
    await store.recommendations.append(perpRecommendationDraft({ asset }));
  }
  await store.recommendations.append(withCurrent(recommendationDraft({ asset: 'BTC' })));
  const run = newRun({ trigger: 'schedule', requestedBy: 'schedule', reason: null, assets: [], nowMs: SERIES_END_MS });
  await store.runs.create(run);
  runId = run.id;
  for (let i = 0; i < 5; i++) {
    await store.proposals.createPending(proposal({ id: `aave-v3-ethereum-run${i}`, runId: `run${i}`, createdAtMs: SERIES_END_MS + i * HOUR_MS }));
  }
  await store.proposals.markSent('aave-v3-ethereum-run3', '/tmp/outbox/aave-v3-ethereum-run3.md https://forum.example.org/t/btc-eth/42/7', SERIES_END_MS + 4 * HOUR_MS);
  await store.series.putBars('BTC', '1h', bars(SERIES_BARS, SERIES_END_MS));
  await store.snapshots.put({
    asset: 'BTC',
    takenAtMs: SERIES_END_MS,
    source: 'sim',
    simulated: true,
    lastPriceUsd: 42_000,
    series: [{ interval: '1h', startMs: SERIES_END_MS - SERIES_BARS * HOUR_MS, endMs: SERIES_END_MS, bars: SERIES_BARS }],
    venues: [],
    books: [],
    quality: { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 },
  });
  const res = observed(await api(httpEvent('GET', '/v1/openapi.json')));
  expect(res.statusCode).toBe(200);
  doc = JSON.parse(res.body) as Json;
  ajv.addSchema({ ...doc, $id: DOC_ID });
  checkContract('GET', '/v1/openapi.json', res);
});

afterAll(async () => {
  await table?.stop();
});

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

describe('pagination', () => {
  it('walking /v1/recommendations page by page returns every item exactly once, in order', async () => {
    const all = (await call('GET', '/v1/recommendations')).json.recommendations.map((r: { asset: string; profileId: string }) => `${r.asset}/${r.profileId}`);
    for (const limit of [1, 3, 8]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { json: { recommendations: { asset: string; profileId: string }[]; nextCursor: string | null } } = await call('GET', '/v1/recommendations', {
          query: { limit: String(limit), ...(cursor ? { cursor } : {}) },
        });
        seen.push(...page.json.recommendations.map((r) => `${r.asset}/${r.profileId}`));
        cursor = page.json.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / limit));
    }
  });

  it('walking /v1/proposals page by page returns every proposal exactly once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: { items: { id: string }[]; nextCursor: string | null } } = await call('GET', '/v1/proposals', {
        query: { limit: '2', ...(cursor ? { cursor } : {}) },
      });
      expect(page.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.items.map((p) => p.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `aave-v3-ethereum-run${i}`));
  });
});

describe('units', () => {
  it('units=percent rewrites every xxxBps governance parameter as xxxPercent = value / 100', async () => {
    const bps = (await call('GET', '/v1/recommendations', { query: { units: 'bps' } })).json;
    const percent = (await call('GET', '/v1/recommendations', { query: { units: 'percent' } })).json;
    expect(percent.units).toBe('percent');
    expect(percent.recommendations).toHaveLength(bps.recommendations.length);
    bps.recommendations.forEach((b: Record<string, unknown>, i: number) => {
      const p = percent.recommendations[i] as Record<string, unknown>;
      for (const field of ['parameters', 'target', 'current'] as const) {
        const source = b[field] as Record<string, number> | null;
        const converted = p[field] as Record<string, number> | null;
        if (source === null) {
          expect(converted).toBeNull();
          continue;
        }
        for (const [key, value] of Object.entries(source)) {
          if (key.endsWith('Bps')) {
            expect(converted![key]).toBeUndefined();
            expect(converted![key.replace(/Bps$/, 'Percent')]).toBeCloseTo(value / 100, 10);
          } else {
            expect(converted![key]).toBe(value);
          }
        }
      }
      if (b.profileKind === 'perp') {
        expect((p.tiers as Record<string, number>[])[0]).toMatchObject({ maintenanceMarginPercent: 1, initialMarginPercent: 2.5, maxLeverage: 40 });
        expect(p.liquidationPenaltyBps).toBe(b.liquidationPenaltyBps); // not a governance parameter: its name keeps its unit
      }
    });
    const btcLending = percent.recommendations.find((r: { asset: string; profileId: string }) => r.asset === 'BTC' && r.profileId === 'aave-v3-ethereum');
    expect(btcLending.parameters).toEqual({ ltvPercent: 75, liquidationThresholdPercent: 80, liquidationBonusPercent: 5, supplyCapUsd: 1e8, borrowCapUsd: 5e7 });
    expect(btcLending.steps).toEqual([
      expect.objectContaining({ parameter: 'ltvPercent', current: 73, target: 75.25, proposed: 75 }),
      expect.objectContaining({ parameter: 'supplyCapUsd', current: 5e8, target: 1e8, proposed: 1e8 }),
    ]);
    expect(btcLending.rationale[0].parameter).toBe('ltvPercent');
  });

  it('units apply to one asset and to its history too', async () => {
    const asset = (await call('GET', '/v1/recommendations/SOL', { query: { units: 'percent' } })).json;
    expect(asset.units).toBe('percent');
    expect(asset.recommendations[0].parameters.ltvPercent).toBe(75);
    const history = (await call('GET', '/v1/recommendations/SOL/history', { query: { profile: 'perp-dex', units: 'percent' } })).json;
    expect(history.items[0].parameters).toEqual({ maintenanceMarginPercent: 1, initialMarginPercent: 2.5, maxLeverage: 40 });
  });
});

describe('CORS', () => {
  it('reads are open to every origin and expose the ETag, errors included', async () => {
    for (const res of [await call('GET', '/v1/recommendations'), await call('GET', '/v1/recommendations/NOPE'), await call('HEAD', '/v1/health')]) {
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-expose-headers']).toContain('etag');
    }
  });

  it('a preflight for a read path is answered 204 with GET, HEAD', async () => {
    const res = observed(await api(httpEvent('OPTIONS', '/v1/recommendations/BTC/history', { headers: { origin: 'https://dao.example', 'access-control-request-method': 'GET' } })));
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD');
    expect(res.headers['access-control-allow-headers']).toContain('if-none-match');
  });

  it('writes are closed: the preflight and the POST carry no allow-origin', async () => {
    const preflight = observed(await api(httpEvent('OPTIONS', '/v1/recompute', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } })));
    expect(preflight.statusCode).toBe(204);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const post = await call('POST', '/v1/recompute', {
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.statusCode).toBe(202);
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    const denied = await call('POST', '/v1/recompute', { body: '{}' });
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the local server rate limit', () => {
  it('answers 429 problem details with Retry-After beyond the burst, without reaching the handler', async () => {
    let handled = 0;
    let clockMs = 0;
    const counting = async (event: APIGatewayProxyEventV2) => {
      handled++;
      return api(event);
    };
    const { server, url } = await serveApi(counting, 0, '127.0.0.1', { rateLimit: { ratePerSecond: 1, burst: 2 }, clockMs: () => clockMs });
    try {
      const get = async () => {
        const res = await fetch(`${url}/v1/recommendations`);
        const response = { statusCode: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
        return { ...response, json: checkContract('GET', '/v1/recommendations', response) as Json };
      };
      expect((await get()).statusCode).toBe(200);
      expect((await get()).statusCode).toBe(200);
      const limited = await get();
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBe('1');
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.headers['access-control-allow-origin']).toBe('*');
      expect(limited.json).toMatchObject({ status: 429, code: 'TOO_MANY_REQUESTS' });
      expect(handled).toBe(2);
      const post = await fetch(`${url}/v1/recompute`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(post.status).toBe(429);
      expect(post.headers.get('access-control-allow-origin')).toBeNull();
      clockMs += 1000; // one token back
      expect((await get()).statusCode).toBe(200);
      expect(handled).toBe(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('coverage of the document', () => {
  it('every documented operation was exercised, and the error statuses the API can give were seen', () => {
    const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    expect([...exercised].sort()).toEqual(documented.sort());
    for (const status of [200, 202, 304, 400, 401, 404, 405, 406, 415, 429, 500]) expect(statusesSeen, `status ${status}`).toContain(status);
  });
});
