import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, expect } from 'vitest';
import { createApi } from '../../shared/api/app.js';
import { buildConfig } from '../../shared/config/load.js';
import type { Invoker } from '../../shared/cycle/invoker.js';
import { newRun } from '../../shared/cycle/runs.js';
import type { Candle } from '../../shared/market/types.js';
import type { RecommendationDraft } from '../../shared/model/recommendation.js';
import type { Store } from '../../shared/store/index.js';
import { startTestTable, type TestTable } from './dynamo.js';
import { httpEvent } from './events.js';
import { perpRecommendationDraft, proposal, recommendationDraft } from './fixtures.js';
import { stewardPayloadOf } from '../../shared/governance/steward/payload.js';
import type { Recommendation } from '../../shared/model/recommendation.js';

/**
 * The API-contract suite's harness (test/integration/api-contract*.test.ts): the API on a real local
 * DynamoDB-API server, seeded, and its own OpenAPI document (GET /v1/openapi.json) as the validator every
 * response is checked against. `exercised` and `statusesSeen` record what a test file covered.
 */

export const TOKEN = 'contract-token-0123456789abcdef';
export const HOUR_MS = 3_600_000;
export const SERIES_END_MS = Date.UTC(2026, 0, 10);
export const SERIES_BARS = 2500;
export const config = buildConfig();
export let table: TestTable;
export let api: ReturnType<typeof createApi>;
export let runId: string;

const invoker: Invoker = { async invoke() {} };
export const deps = (store: Store) => ({
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

export type Json = Record<string, unknown>;
export let doc: Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)));
ajv.addFormat('uri', (s: string) => URL.canParse(s));
const DOC_ID = 'https://leverage-advisor.test/openapi.json';
const validators = new Map<string, ValidateFunction>();
export const exercised = new Set<string>();
export const statusesSeen = new Set<number>();

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

export function observed(result: APIGatewayProxyStructuredResultV2): Observed {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { statusCode: result.statusCode ?? 200, headers, body: result.body ?? '' };
}

/** Checks one response against the document; returns the parsed body (null when there is none). */
export function checkContract(method: string, path: string, response: Observed): unknown {
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
export async function call(
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

/** Registers the suite's hooks: a seeded local table, the API on it, and the document it serves as the validator. */
export function useContractApi(): void {
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
      // The newest carries a risk-steward payload (issue 16): GET /v1/proposals/{id}/payload serves its batch.
      const steward = i === 4 ? stewardFixture() : undefined;
      await store.proposals.createPending(proposal({ id: `aave-v3-ethereum-run${i}`, runId: `run${i}`, createdAtMs: SERIES_END_MS + i * HOUR_MS, ...(steward ? { steward } : {}) }));
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
}

/** A steward payload of one ETH liquidation-threshold step, for the payload route. */
function stewardFixture() {
  const profile = config.profiles.find((p) => p.kind === 'lending')!;
  const changes = [{ asset: 'ETH', parameter: 'liquidationThresholdBps', current: 8300, recommended: 8250, target: 8250, unit: 'bps' as const, status: 'within-bounds', stress: false, reason: 'r', guardRail: 'g' }];
  const recommendations = [{ asset: 'ETH', figures: { midUsd: 3000 } }] as unknown as Recommendation[];
  return stewardPayloadOf({ profile, recommendations, changes, nowMs: SERIES_END_MS, name: 'fixture' }) ?? undefined;
}
