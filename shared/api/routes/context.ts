import { profilesFor } from '../../config/profiles.js';
import type { ProtocolProfile } from '../../config/schema.js';
import type { Recommendation } from '../../model/recommendation.js';
import type { ApiDeps } from '../deps.js';
import { problems } from '../problem.js';

/** What the route groups share: the deps and the configuration's assets and profiles, looked up once. */
export interface RouteContext {
  deps: ApiDeps;
  knownAssets: ReadonlySet<string>;
  profileIds: string[];
  profileSummaries: { id: string; kind: ProtocolProfile['kind']; name: string }[];
  /** The path's asset, upper-cased; 404 when the configuration does not know it. */
  assetParam: (raw: string) => string;
  profilesOfAsset: (symbol: string) => ProtocolProfile[];
  anySimulated: (recommendations: readonly Recommendation[]) => boolean;
  anyHistorical: (recommendations: readonly Recommendation[]) => boolean;
}

export function routeContext(deps: ApiDeps): RouteContext {
  const { config } = deps;
  const knownAssets = new Set(config.assets.map((a) => a.symbol));
  return {
    deps,
    knownAssets,
    profileIds: config.profiles.map((p) => p.id),
    profileSummaries: config.profiles.map((p) => ({ id: p.id, kind: p.kind, name: p.name })),
    assetParam: (raw) => {
      const symbol = decodeURIComponent(raw).toUpperCase();
      if (!knownAssets.has(symbol)) throw problems.notFound(`unknown asset ${JSON.stringify(symbol)}; known: ${[...knownAssets].join(', ')}`);
      return symbol;
    },
    profilesOfAsset: (symbol) => profilesFor(config, symbol),
    anySimulated: (recommendations) => deps.simulated || recommendations.some((r) => r.simulated),
    anyHistorical: (recommendations) => deps.historical === true || recommendations.some((r) => r.historical === true),
  };
}
