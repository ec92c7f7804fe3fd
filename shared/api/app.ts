import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ZodError } from 'zod';
import type { AdvisorConfig } from '../config/schema.js';
import type { Invoker } from '../cycle/invoker.js';
import { newRun } from '../cycle/runs.js';
import type { Store } from '../store/index.js';
import { InvalidCursorError } from '../store/errors.js';
import { formatPath } from '../config/load.js';
import { authenticate, type AuthMode } from './auth.js';
import { HttpProblem, problems, type FieldProblem } from './problem.js';
import { historyQuerySchema, recomputeBodySchema } from './schemas.js';

export interface ApiDeps {
  config: AdvisorConfig;
  store: Store;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
  auth: AuthMode;
  /** True when the market source is the simulator: every response says so. */
  simulated: boolean;
  /** Max-age for GET responses, in seconds (tied to the schedule). */
  cacheMaxAgeSeconds: number;
}

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
}

function fieldProblems(error: ZodError, prefix: string): FieldProblem[] {
  return error.issues.map((issue) => ({ field: formatPath([prefix, ...issue.path]), message: issue.message }));
}

function parseJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) return {};
  const contentType = event.headers?.['content-type'] ?? '';
  if (contentType && !/^application\/json\b/i.test(contentType)) throw problems.unsupportedMediaType();
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw problems.badRequest(`the body is not valid JSON: ${(error as Error).message}`, [{ field: 'body', message: 'invalid JSON' }]);
  }
}

/** The HTTP API (API Gateway HTTP API v2 event shape): routes, validation, auth, ETags, problem details. */
export function createApi(deps: ApiDeps) {
  const { config, store } = deps;
  const knownAssets = new Set(config.assets.map((a) => a.symbol));
  const profileIds = config.profiles.map((p) => p.id);

  const assetParam = (raw: string): string => {
    const symbol = decodeURIComponent(raw).toUpperCase();
    if (!knownAssets.has(symbol)) throw problems.notFound(`unknown asset ${JSON.stringify(symbol)}; known: ${[...knownAssets].join(', ')}`);
    return symbol;
  };

  const profilesOfAsset = (symbol: string) => config.profiles.filter((p) => p.assets.length === 0 || p.assets.includes(symbol));

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/v1\/health$/,
      handler: async () => ({
        status: 200,
        body: { status: 'ok', simulated: deps.simulated, methodologyVersion: config.methodologyVersion, time: new Date(deps.now()).toISOString() },
        headers: { 'cache-control': 'no-store' },
      }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/recommendations$/,
      handler: async () => {
        const lists = await Promise.all(profileIds.map((id) => store.recommendations.latestForProfile(id)));
        const recommendations = lists.flat().sort((a, b) => a.asset.localeCompare(b.asset) || a.profileId.localeCompare(b.profileId));
        return {
          status: 200,
          body: {
            simulated: deps.simulated || recommendations.some((r) => r.simulated),
            profiles: config.profiles.map((p) => ({ id: p.id, kind: p.kind, name: p.name })),
            recommendations,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/recommendations\/(?<asset>[^/]+)$/,
      handler: async ({ params }) => {
        const asset = assetParam(params.asset!);
        const latest = await Promise.all(profilesOfAsset(asset).map((p) => store.recommendations.latest(asset, p.id)));
        const recommendations = latest.filter((r) => r !== null);
        return { status: 200, body: { asset, simulated: deps.simulated || recommendations.some((r) => r.simulated), recommendations } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\/recommendations\/(?<asset>[^/]+)\/history$/,
      handler: async ({ event, params }) => {
        const asset = assetParam(params.asset!);
        const query = historyQuerySchema.safeParse(event.queryStringParameters ?? {});
        if (!query.success) throw problems.badRequest('invalid query parameters', fieldProblems(query.error, 'query'));
        const candidates = profilesOfAsset(asset).map((p) => p.id);
        let profileId = query.data.profile;
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
          limit: query.data.limit,
          ...(query.data.cursor ? { cursor: query.data.cursor } : {}),
        });
        return { status: 200, body: { asset, profileId, items: page.items, nextCursor: page.nextCursor } };
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
        const run = newRun({ trigger: 'adhoc', requestedBy, reason: parsed.data.reason ?? null, assets: [...new Set(assets)], nowMs: deps.now() });
        await store.runs.create(run);
        await deps.invoker.invoke('ingest', { runId: run.id });
        deps.logger.info('recompute requested', { runId: run.id, requestedBy, assets: run.assets });
        return {
          status: 202,
          body: { runId: run.id, status: run.status, links: { run: `/v1/runs/${run.id}` } },
          headers: { location: `/v1/runs/${run.id}`, 'cache-control': 'no-store' },
        };
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

  function respond(event: APIGatewayProxyEventV2, reply: Reply): APIGatewayProxyStructuredResultV2 {
    const body = JSON.stringify(reply.body);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': `public, max-age=${deps.cacheMaxAgeSeconds}`,
      ...reply.headers,
    };
    if (event.requestContext.http.method === 'GET' && reply.status === 200) {
      // Strong ETag over the exact bytes: pollers send it back and get 304 while nothing changed.
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      headers.etag = etag;
      const ifNoneMatch = event.headers?.['if-none-match'];
      if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
        return { statusCode: 304, headers: { etag, 'cache-control': headers['cache-control']! }, body: '' };
      }
    }
    return { statusCode: reply.status, headers, body };
  }

  function problemResponse(event: APIGatewayProxyEventV2, problem: HttpProblem): APIGatewayProxyStructuredResultV2 {
    return {
      statusCode: problem.status,
      headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', ...problem.headers },
      body: JSON.stringify(problem.toBody(event.rawPath)),
    };
  }

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath;
    try {
      const matching = routes.map((route) => ({ route, match: route.pattern.exec(path) })).filter(({ match }) => match !== null);
      if (matching.length === 0) throw problems.notFound(`no route ${method} ${path}`);
      const found = matching.find(({ route }) => route.method === method || (method === 'HEAD' && route.method === 'GET'));
      if (!found) throw problems.methodNotAllowed(matching.map(({ route }) => route.method));
      const reply = await found.route.handler({ event, params: { ...found.match!.groups } });
      const response = respond(event, reply);
      return method === 'HEAD' ? { ...response, body: '' } : response;
    } catch (error) {
      if (error instanceof HttpProblem) return problemResponse(event, error);
      if (error instanceof InvalidCursorError) {
        return problemResponse(event, problems.badRequest(error.message, [{ field: 'query.cursor', message: 'not a cursor this API issued' }]));
      }
      if (error instanceof URIError) return problemResponse(event, problems.badRequest('malformed percent-encoding in the path'));
      deps.logger.error('unhandled API error', { method, path, error: error as Error });
      return problemResponse(event, problems.internal());
    }
  };
}
