import type { ThroughTheCycleTail } from '../../config/tail.js';
import { historyVolatility, type TailHistory } from './history.js';

/**
 * The through-the-cycle (TTC) floor of the lending tail (issue 14; docs/methodology-tail.md).
 *
 *   D_ttc = m x sigma_h x exp(delta)
 *
 * - sigma_h: the asset's h-bar volatility over ALL its history (history.ts), not the trailing year: a
 *   crash years ago still weighs, and a calm year does not shrink it;
 * - m: the tail multiple: in calm-regime windows (where the filtered tail, scaled to today's calm
 *   volatility, is the one that may be too low), the alpha-quantile of the h-bar drop is m times the
 *   asset's through-the-cycle volatility. Fitted before a cutoff over every asset with at least one
 *   expected exceedance (calibrate:risk) as a line in ln(volatility): an asset borrows m from older assets
 *   of similar volatility and brings only its own volatility, which a few months estimate well, where a
 *   99.9 % quantile they cannot;
 * - delta = V / (2 xi): the sampling error made explicit. With V the variance of ln(m sigma_h) (the
 *   prior line's at this volatility, the between-asset spread, and the batch-means error of this asset's
 *   sigma, larger with less data) and a tail of index xi (S(x) ~ x^(-1/xi)), raising the estimate by exp(V / (2 xi))
 *   makes the EXPECTED exceedance probability, estimation error included, equal to 1 - alpha (a
 *   beta-expectation tolerance bound): E[S(q e^(eps + delta))] = S(q) e^(-delta/xi + V/(2 xi^2)) = S(q).
 *   The 90 % upper confidence bound exp(1.2816 sqrt(V)) is reported beside it, not used (it costs more LT
 *   than the verdict allows, docs/methodology-tail.md).
 */

/** z of a one-sided 90 % bound (reported, not used). */
const Z_90 = 1.2815515655446004;

export interface ThroughTheCycleFigures {
  adverseMove: number;
  ordinaryMove: number;
  expectedShortfall: number;
  sigmaHorizon: number;
  /** The alpha multiple m at this asset's volatility (the prior line of older assets of similar volatility). */
  multiple: number;
  /** Variance of ln(D_ttc) and the predictive shift it adds. */
  logVariance: number;
  predictiveShift: number;
  /** 90 % upper confidence bound of the alpha figure (reported). */
  upperBound90: number;
  historyDays: number;
  returns: number;
}

/** The TTC figures of an asset's history; null when the history has fewer than two blocks (no error estimate). */
export function throughTheCycleTail(history: TailHistory, calibration: ThroughTheCycleTail): ThroughTheCycleFigures | null {
  const vol = historyVolatility(history, calibration.horizonBars);
  if (!vol || vol.logSigmaStandardError === null) return null;
  const c = calibration;
  const dx = Math.log(vol.sigmaHorizon / c.referenceSigmaHorizon);
  const logVariance = c.logMultipleStandardError ** 2 + dx ** 2 * c.volatilitySlopeStandardError ** 2 + c.betweenAssetVariance + vol.logSigmaStandardError ** 2;
  const predictiveShift = logVariance / (2 * c.tailIndex);
  const multiple = (key: keyof ThroughTheCycleTail['multiples']) => c.multiples[key] * Math.exp(c.volatilitySlopes[key] * dx);
  const adverse = multiple('adverse');
  const cap = (x: number) => Math.min(1, x);
  return {
    adverseMove: cap(adverse * vol.sigmaHorizon * Math.exp(predictiveShift)),
    ordinaryMove: cap(multiple('ordinary') * vol.sigmaHorizon),
    expectedShortfall: cap(multiple('expectedShortfall') * vol.sigmaHorizon * Math.exp(predictiveShift)),
    sigmaHorizon: vol.sigmaHorizon,
    multiple: adverse,
    logVariance,
    predictiveShift,
    upperBound90: cap(adverse * vol.sigmaHorizon * Math.exp(Z_90 * Math.sqrt(logVariance))),
    historyDays: vol.spanDays,
    returns: vol.returns,
  };
}

/** The calibration holds for the profile's shape (bar interval, horizon, both confidences). */
export function calibrationFits(
  calibration: ThroughTheCycleTail,
  profile: { intervalMs: number; horizonBars: number; confidence: number; ordinaryConfidence: number },
): boolean {
  return (
    calibration.intervalMs === profile.intervalMs &&
    calibration.horizonBars === profile.horizonBars &&
    calibration.confidence === profile.confidence &&
    calibration.ordinaryConfidence === profile.ordinaryConfidence
  );
}
