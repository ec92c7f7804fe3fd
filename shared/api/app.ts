import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type * as z from 'zod';
import type { ZodError, ZodType } from 'zod';
import type { AdvisorConfig } from '../config/schema.js';
import { INTERVAL_MS } from '../config/schema.js';
import type { Invoker } from '../cycle/invoker.js';
import type { Recommendation } from '../model/recommendation.js';
import type { Store } from '../store/index.js';
import { InvalidCursorError } from '../store/errors.js';
import { formatPath } from '../config/load.js';
import { MS_PER_DAY } from '../util/time.js';
import { authenticate, type AuthMode } from './auth.js';
import { ResponseCache, type MemoPolicy, type RenderedResponse } from './cache.js';
import { ifNoneMatchHits, strongEtag } from './conditional.js';
import { corsPreflightHeaders, corsReadHeaders } from './cors.js';
import { dashboardAsset } from './dashboard/serve.js';
import { compareListKeys, pageAfter } from './list-cursor.js';
import { acceptsJson } from './negotiate.js';
import { downsampleCloses } from './prices.js';
import { HttpProblem, problemResultOf, problems, type FieldProblem } from './problem.js';
import {
  LIMITS,
  assetQuerySchema,
  historyQuerySchema,
  pricesQuerySchema,
  proposalsQuerySchema,
  recommendationsQuerySchema,
  recomputeBodySchema,
  type assetRecommendationsResponseSchema,
  type healthResponseSchema,
  type historyResponseSchema,
  type pricesResponseSchema,
  type proposalsResponseSchema,
  type recommendationsResponseSchema,
  type recomputeAcceptedSchema,
} from './schemas.js';
import { RecomputeBusyError, RecomputeContendedError, RecomputeRateLimitedError, requestRecompute } from './recompute.js';
import { inUnits } from './units.js';
import { proposalSummary } from './views.js';

export interface ApiDeps {
  config: AdvisorConfig;
  store: Store;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
  auth: AuthMode;
  /** True when the market source is the simulator: every response says so. */
  simulated: boolean;
  /** True when the market source replays recorded history: responses say `historical: true`. */
  historical?: boolean;
  /** Max-age for GET responses, in seconds (tied to the schedule). */
  cacheMaxAgeSeconds: number;
  /**
   * When rendered reads are answered from memory (see ResponseCache); absent = always read the store.
   * The data changes once per cycle, so a few seconds under a poller herd cost readers nothing.
   */
  responseMemo?: MemoPolicy;
  /** Monotonic clock of that memo (default performance.now; not `now`, which a replay holds still). */
  monotonicMs?: () => number;
}

/** Reads rendered and kept in memory at most (distinct path + query pairs). */
const RESPONSE_CACHE_MAX_ENTRIES = 1000;
/** ...and their bodies' characters at most: 64 MB, a small share of the function's memory. */
const RESPONSE_CACHE_MAX_BODY_CHARS = 64 * 1024 * 1024;
/** Distinct dashboard bodies whose ETag is kept (a page, a script, a stylesheet: a handful). */
const DASHBOARD_ETAGS_KEPT = 32;

interface Request {
  event: APIGatewayProxyEventV2;
  params: Record<string, string>;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type RouteHandler = (request: Request) => Promise<Reply>;

interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handler: RouteHandler;
  /**
   * `cycle`: its 200s may be answered from the response memo (reads whose data changes once per
   * cycle); `static`: rendered once per process (the OpenAPI document).
   */
  memo?: 'cycle' | 'static';
}

type Result = APIGatewayProxyStructuredResultV2;

function fieldProblems(error: ZodError, prefix: string): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: formatPath([prefix, ...issue.path, key]), message: 'unknown parameter' }))
      : [{ field: formatPath([prefix, ...issue.path]), message: issue.message }],
  );
}

function parseQuery<S extends ZodType>(schema: S, event: APIGatewayProxyEventV2): z.output<S> {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (!parsed.success) throw problems.badRequest('invalid query parameters', fieldProblems(parsed.error, 'query'));
  return parsed.data;
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
const JSON_CONTENT_TYPE = /^\s*application\/json\s*(;|$)/i;

function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  const contentType = event.headers?.['content-type'];
  // A body must say it is JSON (no sniffing); no body needs no content type, but a declared one must be JSON.
  if (contentType !== undefined ? !JSON_CONTENT_TYPE.test(contentType) : Boolean(event.body)) throw problems.unsupportedMediaType();
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw problems.badRequest(`the body is not valid JSON: ${(error as Error).message}`, [{ field: 'body', message: 'invalid JSON' }]);
  }
}

/** The memo key of a read: its path and its query, parameters sorted. */
function memoKey(path: string, event: APIGatewayProxyEventV2): string {
  const query = Object.entries(event.queryStringParameters ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return query.length === 0 ? path : `${path}?${new URLSearchParams(query).toString()}`;
}

const isReadMethod = (method: string) => method === 'GET' || method === 'HEAD';

/**
 * The HTTP API (API Gateway HTTP API v2 event shape): routes, validation, auth, ETags and 304s, CORS,
 * problem details; the dashboard's pages for GET outside /v1/.
 */
export function createApi(deps: ApiDeps) {
  const { config, store } = deps;
  const knownAssets = new Set(config.assets.map((a) => a.symbol));
  const profileIds = config.profiles.map((p) => p.id);
  const profileSummaries = config.profiles.map((p) => ({ id: p.id, kind: p.kind, name: p.name }));
  const readCacheControl = `public, max-age=${deps.cacheMaxAgeSeconds}`;
  const memo = new ResponseCache({
    ...(deps.responseMemo ?? { idleMs: 0, refreshMs: 0 }),
    maxEntries: RESPONSE_CACHE_MAX_ENTRIES,
    maxBodyChars: RESPONSE_CACHE_MAX_BODY_CHARS,
    clockMs: deps.monotonicMs ?? (() => performance.now()),
    onRefreshError: (key, error) => deps.logger.warn('background refresh of a read failed; serving the previous one', { key, error: error as Error }),
  });
  const staticReads = new Map<string, Promise<RenderedResponse>>();
  const dashboardEtags = new Map<string, string>();

  const assetParam = (raw: string): string => {
    const symbol = decodeURIComponent(raw).toUpperCase();
    if (!knownAssets.has(symbol)) throw problems.notFound(`unknown asset ${JSON.stringify(symbol)}; known: ${[...knownAssets].join(', ')}`);
    return symbol;
  };

  const profilesOfAsset = (symbol: string) => config.profiles.filter((p) => p.assets.length === 0 || p.assets.includes(symbol));
  const anySimulated = (recommendations: readonly Recommendation[]) => deps.simulated || recommendations.some((r) => r.simulated);
  const anyHistorical = (recommendations: readonly Recommendation[]) => deps.historical === true || recommendations.some((r) => r.historical === true);

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/v1\/health$/,
      handler: async () => {
        const body: z.input<typeof healthResponseSchema> = {
          status: 'ok',
          simulated: deps.simulated,
          historical: deps.historical === true,
          methodologyVersion: config.methodologyVersion,
          time: new Date(deps.now()).toISOString(),
        };
        return { status: 200, body, headers: { 'cache-control': 'no-store' } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/openapi\.json$/,
      memo: 'static',
      handler: async () => {
        // Loaded on the first request only: zod-openapi is not needed to answer anything else.
        const { buildOpenApiDocument } = await import('./openapi.js');
        return { status: 200, body: buildOpenApiDocument({ methodologyVersion: config.methodologyVersion, cacheMaxAgeSeconds: deps.cacheMaxAgeSeconds }) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/recommendations$/,
      memo: 'cycle',
      handler: async ({ event }) => {
        const query = parseQuery(recommendationsQuerySchema, event);
        if (query.profile !== undefined && !profileIds.includes(query.profile)) {
          throw problems.badRequest(`unknown profile ${JSON.stringify(query.profile)}`, [
            { field: 'query.profile', message: `unknown profile; one of ${profileIds.join(', ')}` },
          ]);
        }
        const lists = await Promise.all((query.profile ? [query.profile] : profileIds).map((id) => store.recommendations.latestForProfile(id)));
        const all = lists.flat().sort(compareListKeys);
        const page = pageAfter(all, query.limit, query.cursor);
        const body: z.input<typeof recommendationsResponseSchema> = {
          simulated: anySimulated(all),
          historical: anyHistorical(all),
          units: query.units,
          profiles: profileSummaries,
          recommendations: page.items.map((r) => inUnits(r, query.units)) as Recommendation[],
          nextCursor: page.nextCursor,
        };
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/recommendations\/(?<asset>[^/]+)$/,
      memo: 'cycle',
      handler: async ({ event, params }) => {
        const asset = assetParam(params.asset!);
        const query = parseQuery(assetQuerySchema, event);
        const latest = await Promise.all(profilesOfAsset(asset).map((p) => store.recommendations.latest(asset, p.id)));
        const recommendations = latest.filter((r) => r !== null);
        const body: z.input<typeof assetRecommendationsResponseSchema> = {
          asset,
          simulated: anySimulated(recommendations),
          historical: anyHistorical(recommendations),
          units: query.units,
          recommendations: recommendations.map((r) => inUnits(r, query.units)) as Recommendation[],
        };
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/recommendations\/(?<asset>[^/]+)\/history$/,
      memo: 'cycle',
      handler: async ({ event, params }) => {
        const asset = assetParam(params.asset!);
        const query = parseQuery(historyQuerySchema, event);
        const candidates = profilesOfAsset(asset).map((p) => p.id);
        let profileId = query.profile;
        if (profileId === undefined) {
          if (candidates.length !== 1) {
            throw problems.badRequest(`${asset} is covered by several profiles: pass ?profile=`, [
              { field: 'query.profile', message: `required; one of ${candidates.join(', ')}` },
            ]);
          }
          profileId = candidates[0]!;
        } else if (!candidates.includes(profileId)) {
          throw problems.notFound(`profile ${JSON.stringify(profileId)} does not cover ${asset}; profiles: ${candidates.join(', ')}`);
        }
        const page = await store.recommendations.history(asset, profileId, {
          limit: query.limit,
          ...(query.cursor ? { cursor: query.cursor } : {}),
        });
        const body: z.input<typeof historyResponseSchema> = {
          asset,
          profileId,
          units: query.units,
          items: page.items.map((r) => inUnits(r, query.units)) as Recommendation[],
          nextCursor: page.nextCursor,
        };
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/assets\/(?<asset>[^/]+)\/prices$/,
      memo: 'cycle',
      handler: async ({ event, params }) => {
        const asset = assetParam(params.asset!);
        const query = parseQuery(pricesQuerySchema, event);
        // The window ends at the latest stored bar (the last snapshot's series reference), else now:
        // a chart of a series that stopped a week ago still shows its last `days`.
        const snapshot = await store.snapshots.latest(asset);
        const ref = snapshot?.series.find((s) => s.interval === query.interval && s.bars > 0);
        const toMs = ref ? ref.endMs : Math.floor(deps.now() / INTERVAL_MS[query.interval]) * INTERVAL_MS[query.interval] + INTERVAL_MS[query.interval];
        const fromMs = toMs - query.days * MS_PER_DAY;
        const bars = await store.series.getBars(asset, query.interval, fromMs, toMs);
        const { points, bucketBars } = downsampleCloses(bars, LIMITS.prices.maxPoints);
        const body: z.input<typeof pricesResponseSchema> = { asset, interval: query.interval, fromMs, toMs, bucketBars, points };
        return { status: 200, body };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/proposals$/,
      memo: 'cycle',
      handler: async ({ event }) => {
        const query = parseQuery(proposalsQuerySchema, event);
        const page = await store.proposals.list({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
        const body: z.input<typeof proposalsResponseSchema> = { items: page.items.map(proposalSummary), nextCursor: page.nextCursor };
        return { status: 200, body };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v1\/recompute$/,
      handler: async ({ event }) => {
        const requestedBy = authenticate(event, deps.auth);
        const parsed = recomputeBodySchema.safeParse(parseJsonBody(event));
        if (!parsed.success) throw problems.badRequest('invalid recompute request', fieldProblems(parsed.error, 'body'));
        const assets = parsed.data.assets ?? [];
        const unknown = assets.map((a, i) => ({ a, i })).filter(({ a }) => !knownAssets.has(a));
        if (unknown.length > 0) {
          throw problems.badRequest(
            'unknown assets',
            unknown.map(({ a, i }) => ({ field: `body.assets[${i}]`, message: `unknown asset ${a}` })),
          );
        }
        const { run, coalesced } = await requestRecompute(deps, { assets: [...new Set(assets)], requestedBy, reason: parsed.data.reason ?? null });
        deps.logger.info(coalesced ? 'recompute joined a run in flight' : 'recompute requested', { runId: run.id, requestedBy, assets: run.assets });
        const body: z.input<typeof recomputeAcceptedSchema> = {
          runId: run.id,
          status: run.status as 'queued' | 'running',
          coalesced,
          links: { run: `/v1/runs/${run.id}` },
        };
        return { status: 202, body, headers: { location: `/v1/runs/${run.id}`, 'cache-control': 'no-store' } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/runs\/(?<id>[^/]+)$/,
      handler: async ({ params }) => {
        const id = decodeURIComponent(params.id!);
        if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) throw problems.notFound(`no run ${JSON.stringify(id)}`);
        const run = await store.runs.get(id);
        if (!run) throw problems.notFound(`no run ${id}`);
        return { status: 200, body: run, headers: { 'cache-control': 'no-store' } };
      },
    },
  ];

  function render(reply: Reply): RenderedResponse {
    const body = JSON.stringify(reply.body);
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': readCacheControl, ...reply.headers },
      body,
      etag: strongEtag(body),
    };
  }

  /** Conditional GET, CORS and HEAD on a rendered response. */
  function finish(event: APIGatewayProxyEventV2, method: string, rendered: RenderedResponse, cors: boolean): Result {
    const extra = cors && isReadMethod(method) ? corsReadHeaders() : {};
    if (isReadMethod(method) && rendered.statusCode === 200) {
      const cacheControl = rendered.headers['cache-control'] ?? readCacheControl;
      if (ifNoneMatchHits(event.headers?.['if-none-match'], rendered.etag)) {
        return { statusCode: 304, headers: { etag: rendered.etag, 'cache-control': cacheControl, ...extra }, body: '' };
      }
      return { statusCode: 200, headers: { ...rendered.headers, etag: rendered.etag, ...extra }, body: rendered.body };
    }
    return { statusCode: rendered.statusCode, headers: { ...rendered.headers, ...extra }, body: rendered.body };
  }

  /**
   * HEAD: the response GET would send, without its body, and with the length of that body (RFC 9110
   * 9.3.2: the same header fields as GET). A 304 keeps no length: it has no content (RFC 9110 15.4.5).
   */
  function headOf(result: Result): Result {
    if (result.statusCode === 304 || result.statusCode === 204) return result;
    const bytes = result.body ? Buffer.byteLength(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : 0;
    return { ...result, headers: { ...result.headers, 'content-length': String(bytes) }, body: '' };
  }

  function problemResponse(event: APIGatewayProxyEventV2, method: string, problem: HttpProblem, cors: boolean): Result {
    return problemResultOf(problem, event.rawPath, cors && isReadMethod(method) ? corsReadHeaders() : {});
  }

  const allowOf = (methods: Set<string>) =>
    [...(methods.has('GET') ? ['GET', 'HEAD'] : []), ...(methods.has('POST') ? ['POST'] : []), 'OPTIONS'].join(', ');

  async function handleApi(event: APIGatewayProxyEventV2, method: string, path: string): Promise<Result> {
    const matching = routes.map((route) => ({ route, match: route.pattern.exec(path) })).filter(({ match }) => match !== null);
    if (matching.length === 0) throw problems.notFound(`no route ${method} ${path}`);
    const methods = new Set(matching.map(({ route }) => route.method));
    if (method === 'OPTIONS') {
      // A preflight: reads may be fetched from any origin; for a write path no allow headers, so a
      // browser on another origin refuses to send it.
      return { statusCode: 204, headers: { allow: allowOf(methods), ...(methods.has('GET') ? corsPreflightHeaders() : {}) }, body: '' };
    }
    const found = matching.find(({ route }) => route.method === method || (method === 'HEAD' && route.method === 'GET'));
    if (!found) throw problems.methodNotAllowed(allowOf(methods).split(', '));
    const accept = event.headers?.accept;
    if (!acceptsJson(accept)) throw problems.notAcceptable(accept ?? '');
    const { route, match } = found;
    const request = { event, params: { ...match!.groups } };
    const load = async () => {
      const reply = await route.handler(request);
      if (reply.status !== 200) throw new Error(`a memoized route answered ${reply.status}`);
      return render(reply);
    };
    let rendered: RenderedResponse;
    if (route.memo === 'cycle') rendered = await memo.get(memoKey(path, event), load);
    else if (route.memo === 'static') {
      let pending = staticReads.get(path);
      if (!pending) {
        staticReads.set(path, (pending = load()));
        pending.catch(() => staticReads.delete(path));
      }
      rendered = await pending;
    } else rendered = render(await route.handler(request));
    return finish(event, method, rendered, true);
  }

  function handleDashboard(event: APIGatewayProxyEventV2, method: string, path: string): Result {
    const asset = dashboardAsset(path);
    if (!asset) throw problems.notFound(`no route ${method} ${path}`);
    if (method === 'OPTIONS') return { statusCode: 204, headers: { allow: 'GET, HEAD, OPTIONS' }, body: '' };
    if (!isReadMethod(method)) throw problems.methodNotAllowed(['GET', 'HEAD', 'OPTIONS']);
    // Hash each body once (the bundle is a few hundred KB), not per request. Keyed by body, not path:
    // every /assets/{asset} path shares index.html, and paths are unbounded.
    let etag = dashboardEtags.get(asset.body);
    if (etag === undefined) {
      if (dashboardEtags.size >= DASHBOARD_ETAGS_KEPT) dashboardEtags.clear();
      dashboardEtags.set(asset.body, (etag = strongEtag(asset.body)));
    }
    return finish(event, method, { statusCode: 200, headers: { 'cache-control': readCacheControl, ...asset.headers }, body: asset.body, etag }, false);
  }

  const answer = async (event: APIGatewayProxyEventV2, method: string): Promise<Result> => {
    const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath;
    const isApi = path === '/v1' || path.startsWith('/v1/');
    try {
      return isApi ? await handleApi(event, method, path) : handleDashboard(event, method, path);
    } catch (error) {
      if (error instanceof HttpProblem) return problemResponse(event, method, error, isApi);
      if (error instanceof InvalidCursorError) {
        return problemResponse(event, method, problems.badRequest(error.message, [{ field: 'query.cursor', message: 'not a cursor this API issued' }]), isApi);
      }
      if (error instanceof RecomputeBusyError || error instanceof RecomputeContendedError) {
        return problemResponse(event, method, problems.unavailable(error.message, error.code, error.retryAfterSeconds), isApi);
      }
      if (error instanceof RecomputeRateLimitedError) {
        return problemResponse(event, method, problems.callerRateLimited(error.message, error.code, error.retryAfterSeconds), isApi);
      }
      if (error instanceof URIError) return problemResponse(event, method, problems.badRequest('malformed percent-encoding in the path'), isApi);
      deps.logger.error('unhandled API error', { method, path, error: error as Error });
      return problemResponse(event, method, problems.internal(), isApi);
    }
  };

  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const method = event.requestContext.http.method.toUpperCase();
    if (method !== 'HEAD') return answer(event, method);
    // Answered as the GET it stands for, down to the text of a 404's detail.
    return headOf(await answer(event, 'GET'));
  };
}
