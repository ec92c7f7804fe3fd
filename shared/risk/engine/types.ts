import type * as z from 'zod';
import type { LendingParameters, PerpParameters, Policy, ProtocolProfile } from '../../config/schema.js';
import type {
  InputAlert,
  LendingRecommendation,
  liquidityScoresSchema,
  PerpRecommendation,
  rationaleSchema,
  volatilityScoresSchema,
} from '../../model/recommendation.js';
import type { BookSummary, DataQuality } from '../../model/snapshot.js';
import type { BookWindowChoice } from '../book-window.js';
import type { MissingInput, ParameterStep } from '../guardrails.js';
import type { CandleLike } from '../series.js';
import type { TailHistory } from '../tail/history.js';

/** What the engine reads for one (asset, profile) and what it returns; the output types are the stored record's. */

export interface ParameterInputs {
  asset: string;
  profile: ProtocolProfile;
  policy: Policy;
  /** Aggregated candles on the profile's interval over its lookback, ascending. */
  candles: readonly CandleLike[];
  /** Per-venue bids in USD, chosen over the book window (book-window.ts). */
  books: readonly BookSummary[];
  bookWindow?: Omit<BookWindowChoice, 'books'>;
  quality: DataQuality;
  nowMs: number;
  frozen?: boolean;
  /** Last time each input was good, when the caller knows (for the `since` of a missing-input alert). */
  lastGoodMs?: { candles?: number | null; book?: number | null };
  /**
   * `hold` (default): candles whose newest bar closed more than policy.staleAfterMs before nowMs, and books
   * older than policy.maxBookAgeMs, are missing inputs (freshness.ts). `ignore`: for the walk-forward
   * backtest only, whose book is a standing assumption for every step and whose own coverage skips gaps.
   */
  staleness?: 'hold' | 'ignore';
  /** issue 14: the asset's history record for the through-the-cycle floor (the walk-forward's, bars before nowMs); default: the record on file + the candles. */
  tailHistory?: TailHistory;
}

export type { InputAlert };
export type VolatilityScores = z.infer<typeof volatilityScoresSchema>;
export type LiquidityScores = z.infer<typeof liquidityScoresSchema>;
/** Null parts: an input they need (candles, book) is missing, or nothing could be simulated: no figure, not zeros. */
export type LendingExtras = Pick<LendingRecommendation, 'crossCheck' | 'monteCarlo'>;
export type PerpExtras = Pick<PerpRecommendation, 'tiers' | 'openInterest' | 'liquidationPenaltyBps' | 'insuranceFundTargetUsd'>;

/** One paragraph of prose per parameter. */
export type Rationale = z.infer<typeof rationaleSchema>;

interface Common {
  status: 'ok' | 'unfit' | 'no-data';
  unfitReasons: string[];
  alerts: InputAlert[];
  volatility: VolatilityScores;
  liquidity: LiquidityScores;
  figures: Record<string, number>;
  rationale: Rationale[];
  steps: ParameterStep[];
  needsGovernanceVote: boolean;
}

export type ComputedParameters =
  | (Common & LendingExtras & { profileKind: 'lending'; parameters: LendingParameters; target: LendingParameters })
  | (Common & PerpExtras & { profileKind: 'perp'; parameters: PerpParameters; target: PerpParameters });

/** What is missing for this (asset, profile): per parameter the first absent input it depends on. */
export interface Gaps {
  candlesMissing: boolean;
  bookMissing: boolean;
  byParameter: Record<string, MissingInput>;
}

/** One market input a parameter or figure is computed from. */
export type MarketInput = 'candles' | 'book';
