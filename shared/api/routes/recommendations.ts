import type * as z from 'zod';
import type { Recommendation } from '../../model/recommendation.js';
import { compareListKeys, pageAfter } from '../list-cursor.js';
import { problems } from '../problem.js';
import type { Route } from '../request.js';
import {
  assetQuerySchema,
  historyQuerySchema,
  recommendationsQuerySchema,
  type assetRecommendationsResponseSchema,
  type historyResponseSchema,
  type recommendationsResponseSchema,
} from '../schemas.js';
import { inUnits } from '../units.js';
import type { RouteContext } from './context.js';
import { assetCycleRead, cycleRead } from './cycle-read.js';

/** GET /v1/recommendations, /v1/recommendations/{asset} and /v1/recommendations/{asset}/history. */
export function recommendationRoutes(context: RouteContext): Route[] {
  const { deps, profileIds, profileSummaries, assetParam, profilesOfAsset, anySimulated, anyHistorical } = context;
  const { store } = deps;
  return [
    cycleRead(/^\/v1\/recommendations$/, recommendationsQuerySchema, async (query) => {
      if (query.profile !== undefined && !profileIds.includes(query.profile)) {
        throw problems.badRequest(`unknown profile ${JSON.stringify(query.profile)}`, [
          { field: 'query.profile', message: `unknown profile; one of ${profileIds.join(', ')}` },
        ]);
      }
      const lists = await Promise.all((query.profile ? [query.profile] : profileIds).map((id) => store.recommendations.latestForProfile(id)));
      const all = lists.flat().sort(compareListKeys);
      const page = pageAfter(all, query.limit, query.cursor);
      return {
        simulated: anySimulated(all),
        historical: anyHistorical(all),
        units: query.units,
        profiles: profileSummaries,
        recommendations: page.items.map((r) => inUnits(r, query.units)) as Recommendation[],
        nextCursor: page.nextCursor,
      } satisfies z.input<typeof recommendationsResponseSchema>;
    }),
    assetCycleRead(assetParam, /^\/v1\/recommendations\/(?<asset>[^/]+)$/, assetQuerySchema, async (asset, query) => {
      const latest = await Promise.all(profilesOfAsset(asset).map((p) => store.recommendations.latest(asset, p.id)));
      const recommendations = latest.filter((r) => r !== null);
      return {
        asset,
        simulated: anySimulated(recommendations),
        historical: anyHistorical(recommendations),
        units: query.units,
        recommendations: recommendations.map((r) => inUnits(r, query.units)) as Recommendation[],
      } satisfies z.input<typeof assetRecommendationsResponseSchema>;
    }),
    assetCycleRead(assetParam, /^\/v1\/recommendations\/(?<asset>[^/]+)\/history$/, historyQuerySchema, async (asset, query) => {
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
      return {
        asset,
        profileId,
        units: query.units,
        items: page.items.map((r) => inUnits(r, query.units)) as Recommendation[],
        nextCursor: page.nextCursor,
      } satisfies z.input<typeof historyResponseSchema>;
    }),
  ];
}
