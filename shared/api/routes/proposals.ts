import { problems } from '../problem.js';
import type { Route } from '../request.js';
import type { RouteContext } from './context.js';

/**
 * GET /v1/proposals/{id}/payload (issue 16): the Safe Transaction Builder batch of a proposal's risk-steward calls,
 * as stored with the proposal. 404 for an unknown proposal, and for one without a batch (a perp market, a lending
 * market without a `steward` block, or no change the steward can take), the detail saying which.
 */
export function proposalRoutes({ deps }: RouteContext): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/proposals\/(?<id>[^/]+)\/payload$/,
      handler: async ({ params }) => {
        const id = decodeURIComponent(params.id!);
        const proposal = await deps.store.proposals.get(id);
        if (!proposal) throw problems.notFound(`no proposal ${JSON.stringify(id)}`);
        if (!proposal.steward) throw problems.notFound(`proposal ${id} has no steward payload: its market (${proposal.profileId}) has no risk steward configured`);
        if (!proposal.steward.batch) throw problems.notFound(`proposal ${id} has no steward payload: none of its changes can go through the risk steward`);
        return { status: 200, body: proposal.steward.batch };
      },
    },
  ];
}
