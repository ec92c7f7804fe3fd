import type * as z from 'zod';
import type { ZodType } from 'zod';
import { parseQuery, type Request, type Route } from '../request.js';

/**
 * The reads of data that changes once per cycle (their 200s may be answered from the response memo):
 * the path's asset first where there is one (404 when unknown), then the query (400 when invalid), then
 * the body the read answers, as a 200.
 */

function cycleRoute(pattern: RegExp, answer: (request: Request) => Promise<unknown>): Route {
  return { method: 'GET', pattern, memo: 'cycle', handler: async (request) => ({ status: 200, body: await answer(request) }) };
}

export function cycleRead<S extends ZodType>(pattern: RegExp, querySchema: S, answer: (query: z.output<S>) => Promise<unknown>): Route {
  return cycleRoute(pattern, ({ event }) => answer(parseQuery(querySchema, event)));
}

/** A read of one asset, the pattern's `asset` group resolved by `assetParam`. */
export function assetCycleRead<S extends ZodType>(
  assetParam: (raw: string) => string,
  pattern: RegExp,
  querySchema: S,
  answer: (asset: string, query: z.output<S>) => Promise<unknown>,
): Route {
  return cycleRoute(pattern, ({ event, params }) => {
    const asset = assetParam(params.asset!);
    return answer(asset, parseQuery(querySchema, event));
  });
}
