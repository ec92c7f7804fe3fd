import { INTERVAL_MS, type Policy, type ProtocolProfile } from '../../config/schema.js';
import { hashSeed } from '../../market/rng.js';
import { drawdownTail } from '../drawdown.js';
import { fhsDrawdownTail, standardizedBarShapes } from '../fhs.js';
import { conditionalSigmas, fitGarchOrEwma, forecastVariance, horizonVariance, type GarchOrEwmaFit } from '../garch.js';
import { garmanKlassVolatility, parkinsonVolatility } from '../range.js';
import { barCount, logReturns, splitAtGaps, type CandleLike, type PriceSeries } from '../series.js';
import { ewmaLambdaFromHalfLife, ewmaVolatility, realizedVolatility } from '../volatility.js';
import type { VolatilityScores } from './types.js';

/**
 * The volatility scores and the horizon's drawdown tail of one (asset, profile): unconditional (the
 * lookback's own windows) and filtered (FHS at today's GARCH or EWMA forecast). The adverse move the
 * parameters use is the filtered tail, floored at `unconditionalFloorShare` x the unconditional one
 * (docs/decisions.md 8); `adverseMoveSource` says which one drove it.
 */

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

export interface TailModel {
  scores: VolatilityScores;
  /** The gap-free segments the scores were computed on (reused by the range estimators). */
  segments: PriceSeries[];
  /** Worst drawdown of every simulated path (for the Monte Carlo check); empty when nothing could be simulated. */
  simulatedDrawdowns: Float64Array;
  /**
   * The figures the formulas run on, with a total loss standing in where there was no evidence. Used only
   * for parameters whose inputs exist (the others are held `no-data`); never reported as figures.
   */
  working: { adverseMove: number; ordinaryMove: number; expectedShortfall: number };
}

export function barsPerDayOf(profile: ProtocolProfile): number {
  return 86_400_000 / INTERVAL_MS[profile.candleInterval];
}

function fitForecast(returns: Float64Array, policy: Policy, barsPerDay: number): GarchOrEwmaFit | null {
  if (returns.length < 2) return null;
  return fitGarchOrEwma(returns, {
    ewmaHalfLifeBars: policy.ewmaHalfLifeDays * barsPerDay,
    minReturns: policy.garchMinReturns,
    ...policy.garch,
    includeResiduals: false,
  });
}

function meanSquare(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v * v;
  return values.length > 0 ? sum / values.length : Number.NaN;
}

/** Volatility scores and the horizon's tail: unconditional and filtered at today's forecast. */
export function computeTail(asset: string, candles: readonly CandleLike[], profile: ProtocolProfile, policy: Policy): TailModel {
  const intervalMs = INTERVAL_MS[profile.candleInterval];
  const barsPerDay = barsPerDayOf(profile);
  const barsPerYear = barsPerDay * 365;
  const horizonBars = profile.horizonMinutes / (intervalMs / 60_000);
  const segments: PriceSeries[] = splitAtGaps(candles, intervalMs);
  const returns = logReturns(segments);

  const realized = {} as VolatilityScores['realizedAnnualized'];
  for (const [key, days] of Object.entries(policy.realizedWindowsDays) as [keyof Policy['realizedWindowsDays'], number][]) {
    const windowBars = days * barsPerDay;
    // A window counts only when enough of its returns exist (policy.realizedMinCoverageShare, 90 %).
    realized[key] = returns.length >= windowBars * policy.realizedMinCoverageShare ? realizedVolatility(returns, windowBars, barsPerYear) : null;
  }
  const rangeBars = policy.rangeWindowDays * barsPerDay;
  const confidences = profile.kind === 'lending' ? [profile.confidence, profile.ltvConfidence] : [profile.confidence];
  const unconditional = drawdownTail(segments, horizonBars, confidences);

  const fit = fitForecast(returns, policy, barsPerDay);
  let filtered: { quantiles: Record<string, number>; expectedShortfall: number; paths: Float64Array } = { quantiles: {}, expectedShortfall: Number.NaN, paths: new Float64Array(0) };
  let horizonVolatility = Number.NaN;
  if (fit) {
    const shapes = standardizedBarShapes(segments, conditionalSigmas(returns, fit, policy.garch.ewmaSeedBars), returns);
    const horizonSigmas = forecastVariance(fit, horizonBars).map(Math.sqrt);
    horizonVolatility = Math.sqrt(horizonVariance(fit, horizonBars));
    if (shapes.residuals.length > 0) {
      filtered = fhsDrawdownTail({
        residuals: shapes.residuals,
        lowExcursions: shapes.lowExcursions,
        horizonSigmas,
        paths: policy.simulationPaths,
        confidences,
        seed: hashSeed(policy.simulationSeed, asset, profile.id),
      });
    }
  }

  // With no evidence at all assume the worst (a total loss); the missing history makes the asset unfit.
  const orWorst = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value : 1);
  const uncAdverse = orWorst(unconditional.quantiles[String(profile.confidence)]);
  const filAdverse = filtered.paths.length > 0 ? orWorst(filtered.quantiles[String(profile.confidence)]) : 0;
  const floor = profile.unconditionalFloorShare ?? policy.unconditionalFloorShare;
  const filteredDrives = filAdverse >= floor * uncAdverse;
  const adverseMove = Math.max(filAdverse, floor * uncAdverse);
  let uncOrdinary: number | null = null;
  let filOrdinary: number | null = null;
  let ordinaryMove: number | null = null;
  if (profile.kind === 'lending') {
    uncOrdinary = orWorst(unconditional.quantiles[String(profile.ltvConfidence)]);
    filOrdinary = filtered.paths.length > 0 ? orWorst(filtered.quantiles[String(profile.ltvConfidence)]) : 0;
    ordinaryMove = Math.max(filOrdinary, floor * uncOrdinary);
  }

  const hasTail = unconditional.windows > 0;
  const hasPaths = filtered.paths.length > 0;
  const expectedShortfall = Math.max(hasPaths ? orWorst(filtered.expectedShortfall) : 0, floor * orWorst(unconditional.expectedShortfall));

  const longRunVariance = fit?.model === 'garch' ? fit.longRunVariance : meanSquare(returns);
  const nextBarVariance = fit?.lastVariance ?? Number.NaN;
  const ratio = Math.sqrt(nextBarVariance / longRunVariance);
  const regime = !Number.isFinite(ratio) ? 'normal' : ratio > policy.stressedRegimeRatio ? 'stressed' : ratio < 1 / policy.stressedRegimeRatio ? 'calm' : 'normal';

  const scores: VolatilityScores = {
    realizedAnnualized: realized,
    ewmaAnnualized: returns.length > 1 ? ewmaVolatility(returns, ewmaLambdaFromHalfLife(policy.ewmaHalfLifeDays * barsPerDay), barsPerYear, policy.garch.ewmaSeedBars) : null,
    parkinsonAnnualized: finiteOrNull(parkinsonVolatility(segments, rangeBars, barsPerYear)),
    garmanKlassAnnualized: finiteOrNull(garmanKlassVolatility(segments, rangeBars, barsPerYear)),
    forecast: {
      model: fit?.model ?? 'ewma-fallback',
      fallbackReason: fit ? (fit.model === 'garch' ? null : (fit.reason ?? 'EWMA fallback')) : 'fewer than two returns',
      alpha: fit?.alpha ?? 0,
      beta: fit?.beta ?? 0,
      nu: fit && Number.isFinite(fit.nu) ? fit.nu : null,
      persistence: fit?.persistence ?? 0,
      nextBarAnnualized: Number.isFinite(nextBarVariance) ? Math.sqrt(nextBarVariance * barsPerYear) : 0,
      longRunAnnualized: fit?.model === 'garch' ? Math.sqrt(fit.longRunVariance * barsPerYear) : null,
      horizonVolatility: Number.isFinite(horizonVolatility) ? horizonVolatility : 0,
    },
    regime,
    horizonMinutes: profile.horizonMinutes,
    unconditional: {
      adverseMove: hasTail ? uncAdverse : null,
      ordinaryMove: hasTail ? uncOrdinary : null,
      expectedShortfall: hasTail ? orWorst(unconditional.expectedShortfall) : null,
      windows: unconditional.windows,
    },
    filtered: {
      adverseMove: hasPaths ? filAdverse : null,
      ordinaryMove: hasPaths ? filOrdinary : null,
      expectedShortfall: hasPaths ? orWorst(filtered.expectedShortfall) : null,
      paths: filtered.paths.length,
    },
    adverseMove: hasTail ? adverseMove : null,
    ordinaryMove: hasTail ? ordinaryMove : null,
    adverseMoveSource: filteredDrives && hasPaths ? 'filtered' : 'unconditional',
    expectedShortfall: hasTail ? expectedShortfall : null,
    historicalWorst: hasTail ? orWorst(unconditional.historicalWorst) : null,
    windowsObserved: unconditional.windows,
    historyDays: barCount(segments) / barsPerDay,
  };
  return { scores, segments, simulatedDrawdowns: filtered.paths, working: { adverseMove, ordinaryMove: ordinaryMove ?? adverseMove, expectedShortfall } };
}
