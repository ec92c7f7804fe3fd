import type * as z from 'zod';
import { INTERVAL_MS } from '../../config/schema.js';
import { MS_PER_DAY } from '../../util/time.js';
import { downsampleCloses } from '../prices.js';
import type { Route } from '../request.js';
import { LIMITS, pricesQuerySchema, proposalsQuerySchema, type pricesResponseSchema, type proposalsResponseSchema } from '../schemas.js';
import { proposalSummary } from '../views.js';
import type { RouteContext } from './context.js';
import { assetCycleRead, cycleRead } from './cycle-read.js';

/** GET /v1/assets/{asset}/prices and GET /v1/proposals. */
export function marketRoutes({ deps, assetParam }: RouteContext): Route[] {
  const { store } = deps;
  return [
    assetCycleRead(assetParam, /^\/v1\/assets\/(?<asset>[^/]+)\/prices$/, pricesQuerySchema, async (asset, query) => {
      // The window ends at the latest stored bar (the last snapshot's series reference), else now:
      // a chart of a series that stopped a week ago still shows its last `days`.
      const snapshot = await store.snapshots.latest(asset);
      const ref = snapshot?.series.find((s) => s.interval === query.interval && s.bars > 0);
      const toMs = ref ? ref.endMs : Math.floor(deps.now() / INTERVAL_MS[query.interval]) * INTERVAL_MS[query.interval] + INTERVAL_MS[query.interval];
      const fromMs = toMs - query.days * MS_PER_DAY;
      const bars = await store.series.getBars(asset, query.interval, fromMs, toMs);
      const { points, bucketBars } = downsampleCloses(bars, LIMITS.prices.maxPoints);
      return { asset, interval: query.interval, fromMs, toMs, bucketBars, points } satisfies z.input<typeof pricesResponseSchema>;
    }),
    cycleRead(/^\/v1\/proposals$/, proposalsQuerySchema, async (query) => {
      const page = await store.proposals.list({ limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
      return { items: page.items.map(proposalSummary), nextCursor: page.nextCursor } satisfies z.input<typeof proposalsResponseSchema>;
    }),
  ];
}
