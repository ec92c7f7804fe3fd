import type * as z from 'zod';
import type { Route } from '../request.js';
import type { healthResponseSchema } from '../schemas.js';
import type { RouteContext } from './context.js';

/** GET /v1/health and GET /v1/openapi.json. */
export function serviceRoutes({ deps }: RouteContext): Route[] {
  const { config } = deps;
  return [
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
        const { buildOpenApiDocument } = await import('../openapi.js');
        return { status: 200, body: buildOpenApiDocument({ methodologyVersion: config.methodologyVersion, cacheMaxAgeSeconds: deps.cacheMaxAgeSeconds }) };
      },
    },
  ];
}
