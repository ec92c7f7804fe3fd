import type * as z from 'zod';
import { authenticate } from '../auth.js';
import { problems } from '../problem.js';
import { requestRecompute } from '../recompute.js';
import { fieldProblems, parseJsonBody, type Route } from '../request.js';
import { recomputeBodySchema, type recomputeAcceptedSchema } from '../schemas.js';
import type { RouteContext } from './context.js';

/** POST /v1/recompute and GET /v1/runs/{id}. */
export function runRoutes({ deps, knownAssets }: RouteContext): Route[] {
  const { store } = deps;
  return [
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
}
