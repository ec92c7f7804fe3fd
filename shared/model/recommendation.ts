import * as z from 'zod';
import { lendingParametersSchema, perpParametersSchema } from '../config/schema.js';
import { currentSourceSchema } from './chain.js';
import { dataQualitySchema } from './snapshot.js';
import { stepStatusSchema } from './step-status.js';

export const volatilityScoresSchema = z.object({
  /** Annualized realized volatility over trailing windows (null: not enough history). */
  realizedAnnualized: z.object({
    d7: z.number().nullable(),
    d30: z.number().nullable(),
    d90: z.number().nullable(),
    d365: z.number().nullable(),
  }),
  ewmaAnnualized: z.number().nullable(),
  /** Range estimators over the last 30 days, annualized (null: not enough bars). */
  parkinsonAnnualized: z.number().nullable(),
  garmanKlassAnnualized: z.number().nullable(),
  /** The conditional-volatility model behind the filtered tail and the regime. */
  forecast: z.object({
    model: z.enum(['garch', 'ewma-fallback']),
    fallbackReason: z.string().nullable(),
    alpha: z.number(),
    beta: z.number(),
    nu: z.number().nullable(),
    persistence: z.number(),
    /** Forecast volatility of the next bar and its long-run level, annualized. */
    nextBarAnnualized: z.number(),
    longRunAnnualized: z.number().nullable(),
    /** Forecast volatility of the whole horizon (not annualized). */
    horizonVolatility: z.number(),
  }),
  /** Forecast over long-run volatility: calm / normal / stressed. */
  regime: z.enum(['calm', 'normal', 'stressed']),
  horizonMinutes: z.number(),
  /** The empirical distribution of horizon drawdowns over the lookback. */
  unconditional: z.object({ adverseMove: z.number().nullable(), ordinaryMove: z.number().nullable(), expectedShortfall: z.number().nullable(), windows: z.number().int() }),
  /** Filtered historical simulation: the same drawdowns rescaled to today's volatility forecast. */
  filtered: z.object({ adverseMove: z.number().nullable(), ordinaryMove: z.number().nullable(), expectedShortfall: z.number().nullable(), paths: z.number().int() }),
  /** D_alpha(h) used for parameters: max(filtered, floor x unconditional); null: no complete horizon window in the candles (no data). */
  adverseMove: z.number().nullable(),
  /** D_beta(h), lending only: the "ordinary day" move between LTV and LT. */
  ordinaryMove: z.number().nullable(),
  adverseMoveSource: z.enum(['filtered', 'unconditional']),
  /** issue 14: the through-the-cycle floor (shared/risk/tail/ttc.ts); 'unconditional' above then means this floor drove. Absent in older versions. */
  throughTheCycle: z
    .object({
      adverseMove: z.number(),
      ordinaryMove: z.number(),
      expectedShortfall: z.number(),
      sigmaHorizon: z.number(),
      multiple: z.number(),
      logVariance: z.number(),
      predictiveShift: z.number(),
      upperBound90: z.number(),
      historyDays: z.number(),
      returns: z.number().int(),
    })
    .nullable()
    .optional(),
  expectedShortfall: z.number().nullable(),
  historicalWorst: z.number().nullable(),
  windowsObserved: z.number().int(),
  historyDays: z.number(),
});

export const liquidityScoresSchema = z.object({
  /** Merged bid depth within x % of mid, USD, keyed by x ("0.5", "1", "2", "5", "10"). */
  depthUsd: z.record(z.string(), z.number()),
  liquidationSizeUsd: z.number(),
  /** Slippage selling the liquidation size into the merged book (a liquidator splits across venues); null: no book, or the book cannot absorb the size. */
  slippageMerged: z.number().nullable(),
  /** Slippage on the single best venue (conservative); null when no single venue can fill the size. */
  slippageBestVenue: z.number().nullable(),
  bestVenue: z.string().nullable(),
  /** The slippage the parameters use: the best single venue when one can fill the size, else the merged book; null: no figure (no book, or none fills the size). */
  slippageUsed: z.number().nullable(),
  spreadBps: z.number(),
  /** False when even the merged book cannot absorb the liquidation size; null when there is no book at all (no data, not evidence). */
  liquidationSizeFillable: z.boolean().nullable(),
  /** The book snapshots the figures were taken over and the low percentile used. */
  window: z.object({ snapshots: z.number().int(), percentile: z.number(), depth2PctUsdLatest: z.number(), depth2PctUsdChosen: z.number() }),
});

/** An input a parameter is computed from, when it is absent: the parameter is held (`no-data`), not judged. */
export const missingInputSchema = z.object({
  /** `candles 1h`, `candles 5m`, `order book`. */
  input: z.string(),
  /** Last time the input was good (epoch ms), or null when the store has none (in the book window and the snapshots just before it; in the lookback and one more before it). */
  sinceMs: z.number().nullable(),
  /** The input exists but is older than the policy allows (stale counts as missing). */
  stale: z.boolean().optional(),
});
export type MissingInputRecord = z.infer<typeof missingInputSchema>;

/** One parameter through the guard rails: the unconstrained target, what is proposed now, and why. */
export const parameterStepSchema = z.object({
  parameter: z.string(),
  current: z.number().nullable(),
  /** Null when an input it depends on is missing (status `no-data`): no target was computed. */
  target: z.number().nullable(),
  proposed: z.number().nullable(),
  status: stepStatusSchema,
  direction: z.enum(['tighten', 'loosen', 'none']),
  stress: z.boolean(),
  reason: z.string(),
  /** Set with status `no-data`: which input is missing and since when. */
  missingInput: missingInputSchema.optional(),
});
export type ParameterStepRecord = z.infer<typeof parameterStepSchema>;

export const rationaleSchema = z.object({ parameter: z.string(), text: z.string() });

/** A missing input raised as an alert: which input, since when, how bad, and what it held. */
export const inputAlertSchema = z.object({
  input: z.string(),
  sinceMs: z.number().nullable(),
  stale: z.boolean().optional(),
  /** `critical`: nothing could be computed for the market; `warning`: some parameters are held. */
  severity: z.enum(['warning', 'critical']),
  /** The parameters held at the protocol's current value because of it. */
  parameters: z.array(z.string()),
  message: z.string(),
});
export type InputAlert = z.infer<typeof inputAlertSchema>;

const common = {
  asset: z.string(),
  profileId: z.string(),
  version: z.number().int().positive(),
  createdAtMs: z.number(),
  runId: z.string(),
  methodologyVersion: z.string(),
  simulated: z.boolean(),
  /** Replayed recorded history (`--source replay`), not the live market; absent on items stored before it existed = false. */
  historical: z.boolean().optional(),
  snapshotTakenAtMs: z.number(),
  /** sha256 of the manifest of the version's stored inputs (shared/reproduce/inputs.ts): `npm run reproduce` rebuilds and recomputes from it. */
  inputsDigest: z.string(),
  /**
   * `unfit`: not collateral (lending, LTV 0) or not listable (perp, leverage 0); reasons say why (evidence only).
   * `no-data`: an input is missing; what depends on it is held at the protocol's current value (see `alerts`).
   */
  status: z.enum(['ok', 'unfit', 'no-data']),
  unfitReasons: z.array(z.string()),
  /** Missing inputs (absent for items stored before alerts existed). */
  alerts: z.array(inputAlertSchema).optional(),
  volatility: volatilityScoresSchema,
  liquidity: liquidityScoresSchema,
  quality: dataQualitySchema,
  /** Every intermediate figure, for reproduction (fractions unless the name says otherwise). */
  figures: z.record(z.string(), z.number()),
  rationale: z.array(rationaleSchema),
  /** Guard rails against the protocol's current parameters; `parameters` holds the proposed values. */
  steps: z.array(parameterStepSchema),
  needsGovernanceVote: z.boolean(),
};

export const lendingRecommendationSchema = z.object({
  ...common,
  profileKind: z.literal('lending'),
  /** What is proposed now (the bounded steps; the target itself for a new listing). */
  parameters: lendingParametersSchema,
  /** The unconstrained recommendation. */
  target: lendingParametersSchema,
  current: lendingParametersSchema.nullable(),
  /** issue 16: where `current` came from (chain or config) and what each said; absent on items stored before it. */
  currentSource: currentSourceSchema.optional(),
  /** Risk DAO SmartLTV beside ours, and the risk appetite c implied by the protocol's current parameters. */
  crossCheck: z
    .object({
      smartLtv: z.number(),
      confidence: z.number(),
      gapPp: z.number(),
      flagged: z.boolean(),
      dailyParkinsonVolatility: z.number().nullable(),
      liquidityAtBonusUsd: z.number(),
      impliedConfidenceOfCurrent: z.number().nullable(),
    })
    // Null: an input it needs (candles, book) is missing or stale; no figure rather than zeros.
    .nullable(),
  /** Bad debt of a synthetic book up to LT over filtered-historical-simulation paths. */
  monteCarlo: z
    .object({
      paths: z.number().int(),
      positions: z.number().int(),
      totalCollateralUsd: z.number(),
      expectedBadDebtUsd: z.number(),
      valueAtRiskUsd: z.number(),
      expectedShortfallUsd: z.number(),
      probabilityOfBadDebt: z.number(),
    })
    // Null: nothing was simulated (missing or stale candles or book); no figure rather than zeros.
    .nullable(),
});

export const marginTierSchema = z.object({
  lowerBoundUsd: z.number(),
  upperBoundUsd: z.number().nullable(),
  maintenanceMarginBps: z.number(),
  initialMarginBps: z.number(),
  maxLeverage: z.number(),
  deductionUsd: z.number(),
  slippage: z.number(),
  reduceOnly: z.boolean(),
});

export const perpRecommendationSchema = z.object({
  ...common,
  profileKind: z.literal('perp'),
  /** What is proposed now for the first (smallest) tier; the whole schedule is in `tiers`. */
  parameters: perpParametersSchema,
  target: perpParametersSchema,
  current: perpParametersSchema.nullable(),
  tiers: z.array(marginTierSchema),
  /** Null figures: an input they depend on is missing (see `alerts`). */
  openInterest: z.object({ lowerCapUsd: z.number().nullable(), upperCapUsd: z.number().nullable() }),
  liquidationPenaltyBps: z.number().nullable(),
  insuranceFundTargetUsd: z.number().nullable(),
});

export const recommendationSchema = z.discriminatedUnion('profileKind', [lendingRecommendationSchema, perpRecommendationSchema]);
export type Recommendation = z.infer<typeof recommendationSchema>;
export type LendingRecommendation = z.infer<typeof lendingRecommendationSchema>;
export type PerpRecommendation = z.infer<typeof perpRecommendationSchema>;

/** A computed recommendation before the store gives it a version (Omit distributed over the union). */
export type RecommendationDraft = Recommendation extends infer R ? (R extends unknown ? Omit<R, 'version'> : never) : never;
