import * as z from 'zod/mini';

/**
 * What the dashboard reads from the API, validated at the fetch. zod/mini (about 15 KB in the bundle
 * against 85 KB for classic zod) and only the fields the views use: the server's own schemas
 * (shared/model) stay the contract, these are the page's tolerant view of it. Statuses are plain strings
 * so that a status the server adds later is shown as sent instead of blanking the page.
 */

const num = z.number();
const nullableNum = z.nullable(num);
/** Parameters of either kind: keys like ltvBps, supplyCapUsd, maxLeverage (see config PARAMETER_COLUMNS). */
const parameters = z.record(z.string(), num);

export const healthSchema = z.object({
  status: z.string(),
  simulated: z.boolean(),
  /** Replayed recordings, not today's market (absent from older servers = false). */
  historical: z.optional(z.boolean()),
  methodologyVersion: z.string(),
  time: z.string(),
});
export type Health = z.infer<typeof healthSchema>;

export const stepSchema = z.object({
  parameter: z.string(),
  current: nullableNum,
  /** Null with status no-data: an input was missing, no target was computed. */
  target: nullableNum,
  proposed: nullableNum,
  status: z.string(),
  direction: z.string(),
  stress: z.optional(z.boolean()),
  reason: z.string(),
});
export type Step = z.infer<typeof stepSchema>;

const tierSchema = z.object({
  lowerBoundUsd: num,
  upperBoundUsd: nullableNum,
  maintenanceMarginBps: num,
  initialMarginBps: num,
  maxLeverage: num,
  reduceOnly: z.boolean(),
});

export const recommendationSchema = z.object({
  asset: z.string(),
  profileId: z.string(),
  profileKind: z.enum(['lending', 'perp']),
  version: num,
  createdAtMs: num,
  simulated: z.boolean(),
  historical: z.optional(z.boolean()),
  snapshotTakenAtMs: num,
  methodologyVersion: z.optional(z.string()),
  status: z.string(),
  unfitReasons: z.array(z.string()),
  parameters,
  target: parameters,
  current: z.nullable(parameters),
  steps: z.array(stepSchema),
  needsGovernanceVote: z.boolean(),
  rationale: z.array(z.object({ parameter: z.string(), text: z.string() })),
  volatility: z.object({
    realizedAnnualized: z.object({ d7: nullableNum, d30: nullableNum, d90: nullableNum, d365: nullableNum }),
    ewmaAnnualized: nullableNum,
    forecast: z.object({ model: z.string(), fallbackReason: z.optional(z.nullable(z.string())), nextBarAnnualized: num, longRunAnnualized: nullableNum }),
    regime: z.string(),
    horizonMinutes: num,
    // Null: the engine could not compute it (missing input); shown as "no data".
    adverseMove: nullableNum,
    adverseMoveSource: z.string(),
    expectedShortfall: nullableNum,
    historicalWorst: nullableNum,
  }),
  liquidity: z.object({
    depthUsd: z.record(z.string(), num),
    liquidationSizeUsd: num,
    slippageUsed: nullableNum,
    spreadBps: num,
    window: z.optional(z.object({ snapshots: num, percentile: num, depth2PctUsdLatest: num, depth2PctUsdChosen: num })),
  }),
  quality: z.object({
    passed: z.boolean(),
    issues: z.array(z.object({ severity: z.string(), message: z.string() })),
    venuesWithData: z.optional(num),
  }),
  // Lending only.
  // Null: an input was missing or stale, so no figure (shown as "no data").
  crossCheck: z.nullish(z.object({ smartLtv: num, gapPp: num, flagged: z.boolean() })),
  monteCarlo: z.nullish(z.object({ expectedBadDebtUsd: num, expectedShortfallUsd: num, probabilityOfBadDebt: num })),
  // Perps only.
  tiers: z.optional(z.array(tierSchema)),
  openInterest: z.optional(z.object({ lowerCapUsd: nullableNum, upperCapUsd: nullableNum })),
  liquidationPenaltyBps: z.nullish(num),
  insuranceFundTargetUsd: z.nullish(num),
});
export type Recommendation = z.infer<typeof recommendationSchema>;

export const profileSchema = z.object({ id: z.string(), kind: z.enum(['lending', 'perp']), name: z.string() });
export type Profile = z.infer<typeof profileSchema>;

/** Envelopes: list items are checked one by one (see client.ts) so one odd item does not hide the rest. */
export const recommendationsPageSchema = z.object({
  simulated: z.boolean(),
  historical: z.optional(z.boolean()),
  profiles: z.array(profileSchema),
  recommendations: z.array(z.unknown()),
  nextCursor: z.optional(z.nullable(z.string())),
});

export const assetRecommendationsSchema = z.object({
  asset: z.string(),
  simulated: z.boolean(),
  historical: z.optional(z.boolean()),
  recommendations: z.array(z.unknown()),
});

export const historyPageSchema = z.object({
  asset: z.string(),
  profileId: z.string(),
  items: z.array(z.unknown()),
  nextCursor: z.optional(z.nullable(z.string())),
});

export const pricesSchema = z.object({
  asset: z.string(),
  interval: z.string(),
  points: z.array(z.tuple([num, num])),
});
export type Prices = z.infer<typeof pricesSchema>;

export const proposalChangeSchema = z.object({
  asset: z.string(),
  parameter: z.string(),
  current: nullableNum,
  recommended: num,
  target: num,
  unit: z.string(),
  status: z.string(),
});

export const proposalSchema = z.object({
  id: z.string(),
  profileId: z.string(),
  runId: z.string(),
  createdAtMs: num,
  simulated: z.boolean(),
  historical: z.optional(z.boolean()),
  title: z.string(),
  status: z.string(),
  target: z.string(),
  externalRef: z.nullable(z.string()),
  links: z.array(z.string()),
  sentAtMs: nullableNum,
  changes: z.array(proposalChangeSchema),
});
export type ProposalSummary = z.infer<typeof proposalSchema>;

export const proposalsPageSchema = z.object({
  items: z.array(z.unknown()),
  nextCursor: z.optional(z.nullable(z.string())),
});
