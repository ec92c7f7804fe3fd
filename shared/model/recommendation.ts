import { z } from 'zod';
import { lendingParametersSchema, perpParametersSchema } from '../config/schema.js';
import { dataQualitySchema } from './snapshot.js';

export const volatilityScoresSchema = z.object({
  /** Annualized realized volatility over trailing windows (null: not enough history). */
  realizedAnnualized: z.object({
    d7: z.number().nullable(),
    d30: z.number().nullable(),
    d90: z.number().nullable(),
    d365: z.number().nullable(),
  }),
  ewmaAnnualized: z.number().nullable(),
  horizonMinutes: z.number(),
  /** D_alpha(h): the alpha-quantile of the worst drop over the liquidation horizon. */
  adverseMove: z.number(),
  /** D_beta(h), lending only: the "ordinary day" move between LTV and LT. */
  ordinaryMove: z.number().nullable(),
  expectedShortfall: z.number(),
  historicalWorst: z.number(),
  windowsObserved: z.number().int(),
  historyDays: z.number(),
});

export const liquidityScoresSchema = z.object({
  /** Merged bid depth within x % of mid, USD, keyed by x ("0.5", "1", "2", "5", "10"). */
  depthUsd: z.record(z.string(), z.number()),
  liquidationSizeUsd: z.number(),
  /** Slippage selling the liquidation size into the merged book (a liquidator splits across venues). */
  slippageMerged: z.number(),
  /** Slippage on the single best venue (conservative); null when no single venue can fill the size. */
  slippageBestVenue: z.number().nullable(),
  bestVenue: z.string().nullable(),
  /** The slippage the parameters use: the best single venue when one can fill the size, else the merged book. */
  slippageUsed: z.number(),
  spreadBps: z.number(),
  /** False when even the merged book cannot absorb the liquidation size. */
  liquidationSizeFillable: z.boolean(),
});

export const rationaleSchema = z.object({ parameter: z.string(), text: z.string() });

const common = {
  asset: z.string(),
  profileId: z.string(),
  version: z.number().int().positive(),
  createdAtMs: z.number(),
  runId: z.string(),
  methodologyVersion: z.string(),
  simulated: z.boolean(),
  snapshotTakenAtMs: z.number(),
  /** sha256 of the canonical JSON of every input (series, books, profile): the recommendation is reproducible from it. */
  inputsDigest: z.string(),
  /** `unfit`: not collateral (lending, LTV 0) or not listable (perp, leverage 0); reasons say why. */
  status: z.enum(['ok', 'unfit']),
  unfitReasons: z.array(z.string()),
  volatility: volatilityScoresSchema,
  liquidity: liquidityScoresSchema,
  quality: dataQualitySchema,
  /** Every intermediate figure, for reproduction (fractions unless the name says otherwise). */
  figures: z.record(z.string(), z.number()),
  rationale: z.array(rationaleSchema),
};

export const lendingRecommendationSchema = z.object({
  ...common,
  profileKind: z.literal('lending'),
  parameters: lendingParametersSchema,
  current: lendingParametersSchema.nullable(),
});

export const perpRecommendationSchema = z.object({
  ...common,
  profileKind: z.literal('perp'),
  parameters: perpParametersSchema,
  current: perpParametersSchema.nullable(),
});

export const recommendationSchema = z.discriminatedUnion('profileKind', [lendingRecommendationSchema, perpRecommendationSchema]);
export type Recommendation = z.infer<typeof recommendationSchema>;
export type LendingRecommendation = z.infer<typeof lendingRecommendationSchema>;
export type PerpRecommendation = z.infer<typeof perpRecommendationSchema>;

/** A computed recommendation before the store gives it a version. */
export type RecommendationDraft = Omit<Recommendation, 'version'> & { version?: never };
