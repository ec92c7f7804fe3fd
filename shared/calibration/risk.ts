import { toColumns, windowMoves } from '../backtest/windows.js';
import type { ThroughTheCycleTail } from '../config/tail.js';
import type { CandleLike } from '../risk/series.js';
import { quantileSorted } from '../numerics/statistics.js';
import { emptyTailHistory, extendTailHistory, historyVolatility, type TailHistory } from '../risk/tail/history.js';
import { AdvisorError } from '../util/errors.js';
import { upperBoundQuantile } from './order-statistics.js';
import { poolMultiples, type AssetMultiples, type Pool } from './pool.js';
import { stressedBars, type RegimeSettings } from './regime.js';

/**
 * `npm run calibrate:risk -- --to <cutoff>`: the constants of the through-the-cycle tail from bars that
 * open before the cutoff only (shared/risk/tail/ttc.ts). Per asset: the h-bar window drops of its calm-
 * regime windows (regime.ts), their alpha and beta quantiles and alpha expected shortfall, each divided by
 * the asset's through-the-cycle h-bar volatility (history.ts); then a line in ln(volatility) through the
 * assets whose calm sample holds at least one expected alpha exceedance (pool.ts). Pure and deterministic.
 */

export interface RiskCalibrationSettings extends RegimeSettings {
  intervalMs: number;
  horizonBars: number;
  confidence: number;
  ordinaryConfidence: number;
  blockBars: number;
  /** Confidence of the expected-shortfall multiple (default: `confidence`); the perp floor's is 97.5 % (issue 15). */
  expectedShortfallConfidence?: number;
}

export interface RiskCalibrationInput {
  symbol: string;
  /** Ascending bars, bad prints repaired; bars at or after the cutoff are ignored. */
  candles: readonly CandleLike[];
}

export interface RiskCalibration {
  tail: ThroughTheCycleTail;
  assets: AssetMultiples[];
  pool: Pool;
  /** Each asset's history record at the cutoff (what the live engine remembers beyond its lookback). */
  records: Record<string, TailHistory>;
}

/** Confidence of the distribution-free bound printed per asset (a diagnostic: the engine uses the pooled error). */
export const OWN_BOUND_CONFIDENCE = 0.9;

export class RiskCalibrationError extends AdvisorError {
  constructor(reason: string, detail: Record<string, unknown>) {
    super('RISK_CALIBRATION_FAILED', reason, detail);
  }
}

/** One asset's calm-window multiples at the cutoff; null with no calm window or no volatility. */
export function assetMultiples(input: RiskCalibrationInput, cutoffMs: number, s: RiskCalibrationSettings): { row: AssetMultiples; record: TailHistory } | null {
  const before = input.candles.filter((c) => c.openTimeMs < cutoffMs);
  const record = extendTailHistory(emptyTailHistory(s.intervalMs, s.blockBars), before);
  const vol = historyVolatility(record, s.horizonBars);
  if (before.length === 0 || !vol) return null;
  const bars = toColumns(before, s.intervalMs);
  const drops = windowMoves(bars, s.horizonBars).drop;
  const stressed = stressedBars(bars, s);
  const calm: number[] = [];
  let windows = 0;
  for (let i = 0; i < drops.length; i++) {
    if (Number.isNaN(drops[i]!)) continue;
    windows++;
    if (!stressed[i]) calm.push(drops[i]!);
  }
  if (calm.length === 0) return null;
  const sorted = Float64Array.from(calm).sort();
  const qAlpha = quantileSorted(sorted, s.confidence);
  const qBeta = quantileSorted(sorted, s.ordinaryConfidence);
  const qShortfall = s.expectedShortfallConfidence === undefined ? qAlpha : quantileSorted(sorted, s.expectedShortfallConfidence);
  let sum = 0;
  let count = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i]! >= qShortfall; i--) {
    sum += sorted[i]!;
    count++;
  }
  const effective = sorted.length / s.horizonBars;
  const expectedExceedances = effective * (1 - s.confidence);
  // Tail index from the quantiles exceeded by lambda / 2 and 2 lambda effective windows (a Pareto tail's
  // ln Q falls by xi per unit of ln rank); only when lambda / 2 >= 1, so both lie inside the sample.
  let tailIndex: number | null = null;
  if (expectedExceedances / 2 >= 1) {
    const atRank = (r: number) => quantileSorted(sorted, Math.min(1, Math.max(0, 1 - r / effective)));
    tailIndex = Math.log(atRank(expectedExceedances / 2) / atRank(2 * expectedExceedances)) / Math.log(4);
  }
  return {
    record,
    row: {
      symbol: input.symbol,
      firstMs: record.firstOpenMs!,
      windows,
      calmWindows: sorted.length,
      expectedExceedances,
      sigmaHorizon: vol.sigmaHorizon,
      quantile: qAlpha,
      adverse: qAlpha / vol.sigmaHorizon,
      ordinary: qBeta / vol.sigmaHorizon,
      expectedShortfall: sum / count / vol.sigmaHorizon,
      tailIndex,
      ownUpperBound90: upperBoundQuantile(sorted, effective, s.confidence, OWN_BOUND_CONFIDENCE),
    },
  };
}

export function calibrateRisk(inputs: readonly RiskCalibrationInput[], cutoffMs: number, s: RiskCalibrationSettings): RiskCalibration {
  const assets: AssetMultiples[] = [];
  const records: Record<string, TailHistory> = {};
  for (const input of inputs) {
    const result = assetMultiples(input, cutoffMs, s);
    if (!result) continue;
    assets.push(result.row);
    records[input.symbol] = result.record;
  }
  const pool = poolMultiples(assets);
  if (!pool) {
    throw new RiskCalibrationError('fewer than three assets have one expected alpha exceedance in their calm windows before the cutoff', { cutoff: new Date(cutoffMs).toISOString(), assets: assets.length });
  }
  const round = (x: number, digits: number) => Number(x.toFixed(digits));
  const tail: ThroughTheCycleTail = {
    cutoff: new Date(cutoffMs).toISOString().slice(0, 10),
    intervalMs: s.intervalMs,
    horizonBars: s.horizonBars,
    confidence: s.confidence,
    ordinaryConfidence: s.ordinaryConfidence,
    blockBars: s.blockBars,
    ...(s.expectedShortfallConfidence === undefined ? {} : { expectedShortfallConfidence: s.expectedShortfallConfidence }),
    multiples: { adverse: round(Math.exp(pool.adverse.intercept), 4), ordinary: round(Math.exp(pool.ordinary.intercept), 4), expectedShortfall: round(Math.exp(pool.expectedShortfall.intercept), 4) },
    volatilitySlopes: { adverse: round(pool.adverse.slope, 4), ordinary: round(pool.ordinary.slope, 4), expectedShortfall: round(pool.expectedShortfall.slope, 4) },
    referenceSigmaHorizon: round(Math.exp(pool.referenceLogSigma), 6),
    logMultipleStandardError: round(pool.adverse.interceptStandardError, 5),
    volatilitySlopeStandardError: round(pool.adverse.slopeStandardError, 5),
    betweenAssetVariance: round(pool.betweenAssetVariance, 5),
    tailIndex: round(pool.tailIndex, 4),
    pooledAssets: pool.assets,
  };
  return { tail, assets, pool, records };
}
