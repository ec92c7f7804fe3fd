import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createApi } from '../../shared/api/app.js';
import type { MemoPolicy } from '../../shared/api/cache.js';
import { baseDepsFromEnvironment, type BaseDeps } from '../../shared/cycle/deps.js';

/**
 * Reads requested again within a second are answered from memory, re-read in the background every 5 s
 * (see shared/api/cache.ts): a poller herd sees data at most 10 s old; a lone request always reads.
 */
export const RESPONSE_MEMO: MemoPolicy = { idleMs: 1000, refreshMs: 5000 };

/** The HTTP API: reads, plus the authenticated POST /v1/recompute. */
export function createApiHandler(deps: () => BaseDeps) {
  let api: ReturnType<typeof createApi> | undefined;
  let builtFrom: BaseDeps | undefined;
  return async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    // Built once per set of dependencies (once per Lambda container; again after a local restart).
    if (!api || builtFrom !== d) {
      builtFrom = d;
      api = createApi({
        config: d.config,
        store: d.store,
        invoker: d.invoker,
        logger: d.logger,
        now: d.now,
        auth: d.env.ADVISOR_AUTH_MODE === 'token' ? { kind: 'token', token: d.env.ADVISOR_API_TOKEN! } : { kind: 'iam' },
        simulated: d.simulated,
        historical: d.historical === true,
        // Recommendations change once per cycle: let caches hold them for a tenth of it.
        cacheMaxAgeSeconds: Math.max(30, Math.floor((d.config.schedule.cycleEveryMinutes * 60) / 10)),
        // And answer repeated reads from memory for a moment: a poller herd costs one store read per key.
        responseMemo: RESPONSE_MEMO,
      });
    }
    return api(event);
  };
}

export const handler = createApiHandler(baseDepsFromEnvironment);
