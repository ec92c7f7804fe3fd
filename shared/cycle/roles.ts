/**
 * The advisor's Lambda functions, named by the role each plays in a cycle. (The deployment stages,
 * dev and prod, are infra/stages.ts's business: a role is not a stage.)
 *
 * - plan: starts a run (scheduled or queued by POST /v1/recompute), one queue message per asset
 * - worker: one asset of a run per message: market data, recommendations, the asset's outcome
 * - finalize: started by the worker that completes a run: proposals, the run's outcome, metrics
 * - publish: sends pending proposals (scheduled, and after each run that made some)
 * - api: the HTTP API and dashboard
 *
 * A plain constant module: the CDK app imports it without loading any handler code.
 */
export const FUNCTION_ROLES = ['plan', 'worker', 'finalize', 'publish', 'api'] as const;
export type FunctionRole = (typeof FUNCTION_ROLES)[number];

/** The roles another function (or a schedule) starts with an asynchronous invocation. */
export const INVOKED_ROLES = ['plan', 'finalize', 'publish'] as const satisfies readonly FunctionRole[];
export type InvokedRole = (typeof INVOKED_ROLES)[number];
