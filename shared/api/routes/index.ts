import type { ApiDeps } from '../deps.js';
import type { Route } from '../request.js';
import { routeContext } from './context.js';
import { marketRoutes } from './market.js';
import { proposalRoutes } from './proposals.js';
import { recommendationRoutes } from './recommendations.js';
import { runRoutes } from './runs.js';
import { serviceRoutes } from './service.js';

/** Every /v1 route, in matching order. */
export function apiRoutes(deps: ApiDeps): Route[] {
  const context = routeContext(deps);
  return [...serviceRoutes(context), ...recommendationRoutes(context), ...marketRoutes(context), ...proposalRoutes(context), ...runRoutes(context)];
}
