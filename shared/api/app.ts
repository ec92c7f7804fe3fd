import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { InvalidCursorError } from '../store/errors.js';
import { ResponseCache, type RenderedResponse } from './cache.js';
import { ifNoneMatchHits, strongEtag } from './conditional.js';
import { corsPreflightHeaders, corsReadHeaders } from './cors.js';
import { dashboardAsset } from './dashboard/serve.js';
import type { ApiDeps } from './deps.js';
import { MemoizedRouteStatusError } from './errors.js';
import { acceptsJson } from './negotiate.js';
import { HttpProblem, problemResultOf, problems } from './problem.js';
import { RecomputeBusyError, RecomputeContendedError, RecomputeRateLimitedError } from './recompute.js';
import { isReadMethod, memoKey, type Reply } from './request.js';
import { apiRoutes } from './routes/index.js';

export type { ApiDeps } from './deps.js';

/** Reads rendered and kept in memory at most (distinct path + query pairs). */
const RESPONSE_CACHE_MAX_ENTRIES = 1000;
/** ...and their bodies' characters at most: 64 MB, a small share of the function's memory. */
const RESPONSE_CACHE_MAX_BODY_CHARS = 64 * 1024 * 1024;
/** Distinct dashboard bodies whose ETag is kept (a page, a script, a stylesheet: a handful). */
const DASHBOARD_ETAGS_KEPT = 32;

type Result = APIGatewayProxyStructuredResultV2;

/**
 * The HTTP API (API Gateway HTTP API v2 event shape): routes (./routes/), validation, auth, ETags and 304s,
 * CORS, problem details; the dashboard's pages for GET outside /v1/.
 */
export function createApi(deps: ApiDeps) {
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
  const routes = apiRoutes(deps);

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
      if (reply.status !== 200) throw new MemoizedRouteStatusError(path, reply.status);
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
