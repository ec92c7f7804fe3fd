import * as z from 'zod';
import { PARAMETER_UNITS } from './parameters.js';

/**
 * Whether a run published a proposal for a market (a profile), and why: the decision of
 * shared/governance/cadence.ts, kept on the run (GET /v1/runs/{id} `publication`) so a run that
 * published nothing says so with its figures instead of dropping the proposal silently.
 */

/**
 * - publish-first: no proposal was published for this market before;
 * - publish-material: some parameter moved beyond its hysteresis against the last published proposal,
 *   and `proposals.minIntervalHours` have passed since it;
 * - publish-emergency: an emergency cut not in the last published proposal (or moved beyond its
 *   hysteresis): goes at once, whatever the interval;
 * - publish-retry: this run had already published (a retried finalizer): the same proposals again;
 * - held-no-material-change: every parameter is within its hysteresis of the last published proposal;
 * - held-min-interval: a material change, but the last published proposal is younger than the interval;
 *   the first run after the interval publishes it if it still holds;
 * - held-newer-published: a more recent run already published for this market (this one closed late);
 * - nothing-to-propose: the guard rails let no change through (no proposal, as before issue 16).
 */
export const PUBLICATION_DECISIONS = [
  'publish-first',
  'publish-material',
  'publish-emergency',
  'publish-retry',
  'held-no-material-change',
  'held-min-interval',
  'held-newer-published',
  'nothing-to-propose',
] as const;
export type PublicationDecisionName = (typeof PUBLICATION_DECISIONS)[number];

/** One parameter compared with the last published proposal. */
export const parameterMoveSchema = z.object({
  asset: z.string(),
  parameter: z.string(),
  unit: z.enum(PARAMETER_UNITS),
  /** What the last published proposal asked, or the live value where it asked nothing; null: not listed. */
  published: z.number().nullable(),
  /** What this run asks, or the live value where it asks nothing; null: not listed. */
  now: z.number().nullable(),
  /** |now - published| in the parameter's unit; null when one side is not listed. */
  move: z.number().nullable(),
  /** The parameter's hysteresis as the guard rails print it ("±25 bps", "±10 %"); "none" without a rule. */
  hysteresis: z.string(),
  /** The move as a share of the hysteresis (1 = at its edge); null when one side is not listed or there is no hysteresis. */
  hysteresisShare: z.number().nullable(),
  /** Beyond the hysteresis (or listed on one side only): worth a new proposal. */
  material: z.boolean(),
});
export type ParameterMove = z.infer<typeof parameterMoveSchema>;

/** The last published proposal of a market, as a decision names it. */
export const publishedRefSchema = z.object({
  /** Its proposal ids (the parts of one run's proposal for the market), first part first. */
  proposalIds: z.array(z.string()).min(1),
  runId: z.string(),
  publishedAtMs: z.number(),
});
export type PublishedRef = z.infer<typeof publishedRefSchema>;

export const publicationDecisionSchema = z.object({
  profileId: z.string(),
  decision: z.enum(PUBLICATION_DECISIONS),
  publish: z.boolean(),
  /** One sentence for people: the CLI prints it, the run view shows it. */
  summary: z.string(),
  /** The last published proposal compared against; null when none. */
  since: publishedRefSchema.nullable(),
  /** Changes the guard rails let through in this run. */
  changes: z.number().int().nonnegative(),
  /** Parameters beyond their hysteresis against the last published proposal. */
  material: z.number().int().nonnegative(),
  /** The largest move (by share of its hysteresis) against the last published proposal; null when none. */
  largestMove: parameterMoveSchema.nullable(),
  /** Emergency cuts of this run ("BTC LTV"): these bypass the interval. */
  emergencies: z.array(z.string()),
  /** When the interval since the last published proposal ends (a routine proposal may go); null without one. */
  nextRoutineAtMs: z.number().nullable(),
});
export type PublicationDecision = z.infer<typeof publicationDecisionSchema>;

/** One parameter a published proposal asked for. */
export const publishedValueSchema = z.object({
  asset: z.string(),
  parameter: z.string(),
  unit: z.enum(PARAMETER_UNITS),
  recommended: z.number(),
});
export type PublishedValue = z.infer<typeof publishedValueSchema>;

/** The last published proposal of a market: what it asked (every part), and which asks were emergency cuts. */
export const publishedBaselineSchema = publishedRefSchema.extend({
  values: z.array(publishedValueSchema),
  /** `<asset>#<parameter>` of its emergency cuts. */
  emergencies: z.array(z.string()),
});
export type PublishedBaseline = z.infer<typeof publishedBaselineSchema>;

/**
 * Which proposals of a profile speak for the same market: simulated, replayed (historical) and live
 * data are three markets, never compared with each other.
 */
export type MarketMode = 'live' | 'simulated' | 'historical';
