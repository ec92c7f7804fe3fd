import * as z from 'zod';

/**
 * The constants of the through-the-cycle tail (shared/risk/tail/ttc.ts), as `npm run calibrate:risk -- --to
 * <date>` fits them from data before the cutoff (scripts/calibrate-risk.ts, shared/calibration/risk.ts).
 * They hold for the profile shape they were fitted on (bar interval, horizon, confidences): the engine
 * applies them only to a profile of that shape and falls back to the unconditional floor otherwise.
 */
export const throughTheCycleTailSchema = z
  .object({
    /** Only data before this day (UTC) was read. */
    cutoff: z.iso.date(),
    intervalMs: z.number().int().positive(),
    horizonBars: z.number().int().positive(),
    confidence: z.number().gt(0.5).lt(1),
    ordinaryConfidence: z.number().gt(0.5).lt(1),
    /** Confidence of the expected-shortfall multiple; absent: `confidence` (the perp floor's is 0.975, issue 15). */
    expectedShortfallConfidence: z.number().gt(0.5).lt(1).optional(),
    /** Returns per block of the batch-means error of the volatility (the EWMA half-life in bars). */
    blockBars: z.number().int().positive(),
    /**
     * Through-the-cycle multiples of the h-bar volatility at the reference volatility: the alpha and beta
     * quantiles and the alpha expected shortfall of calm-regime windows (the older assets' pooled prior).
     */
    multiples: z.object({ adverse: z.number().positive(), ordinary: z.number().positive(), expectedShortfall: z.number().positive() }).strict(),
    /** How each ln(multiple) moves with ln(volatility) (assets of similar volatility, a meta-regression). */
    volatilitySlopes: z.object({ adverse: z.number(), ordinary: z.number(), expectedShortfall: z.number() }).strict(),
    /** The h-bar volatility the multiples are quoted at (the pool's weighted mean, in logs). */
    referenceSigmaHorizon: z.number().positive(),
    /** Standard errors of ln(adverse multiple) at the reference and of its slope, from the pooled order statistics. */
    logMultipleStandardError: z.number().min(0),
    volatilitySlopeStandardError: z.number().min(0),
    /** Between-asset variance of ln(multiple) (DerSimonian-Laird, 0 when the spread is no wider than sampling noise). */
    betweenAssetVariance: z.number().min(0),
    /** Tail index xi of the windows' drops (slope of ln quantile against ln exceedance count), pooled. */
    tailIndex: z.number().positive(),
    /** The assets whose history entered the pool. */
    pooledAssets: z.array(z.string()).min(1),
  })
  .strict();

export type ThroughTheCycleTail = z.infer<typeof throughTheCycleTailSchema>;
