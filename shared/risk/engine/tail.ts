import { INTERVAL_MS, type Policy, type ProtocolProfile } from '../../config/schema.js';
import { hashSeed } from '../../numerics/rng.js';
import { MS_PER_DAY, MS_PER_MINUTE } from '../../util/time.js';
import { drawdownTail, type DrawdownTail } from '../drawdown.js';
import { standardizedBarShapes } from '../fhs.js';
import { conditionalSigmas, forecastVariance, type GarchOrEwmaFit } from '../garch.js';
import { barCount, logReturns, splitAtGaps, type CandleLike, type PriceSeries } from '../series.js';
// issue 14: the exact block bootstrap (no seed noise); the seeded Monte Carlo only when a path needs several blocks.
import { filteredDrawdownTail } from '../tail/fhs-exact.js';
import { tailFloor } from '../tail/floor.js';
import type { TailHistory } from '../tail/history.js';
import type { VolatilityScores } from './types.js';
import { fitForecast, returnScores } from './volatility-scores.js';

/**
 * The horizon's drawdown tail of one (asset, profile), two ways: unconditional (the lookback's own windows)
 * and filtered (FHS: history rescaled to today's GARCH or EWMA forecast). The adverse move the parameters
 * use is the filtered tail floored by the through-the-cycle tail where the profile carries its calibration
 * (tail/floor.ts, issue 14), else by `unconditionalFloorShare` x the unconditional one (docs/decisions.md 8);
 * `adverseMoveSource` says which one drove it.
 */

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

interface SimulatedTail {
  quantiles: Record<string, number>;
  expectedShortfall: number;
  paths: Float64Array;
}

const noPaths = (): SimulatedTail => ({ quantiles: {}, expectedShortfall: Number.NaN, paths: new Float64Array(0) });

export function barsPerDayOf(profile: ProtocolProfile): number {
  return MS_PER_DAY / INTERVAL_MS[profile.candleInterval];
}

/** FHS at today's forecast, seeded per (asset, profile); no paths without a fit or without bar shapes. */
function filteredTail(
  asset: string,
  history: { segments: readonly PriceSeries[]; returns: Float64Array; fit: GarchOrEwmaFit | null },
  horizonBars: number,
  confidences: number[],
  profile: ProtocolProfile,
  policy: Policy,
): SimulatedTail {
  const { segments, returns, fit } = history;
  if (!fit) return noPaths();
  const shapes = standardizedBarShapes(segments, conditionalSigmas(returns, fit, policy.garch.ewmaSeedBars), returns);
  if (shapes.residuals.length === 0) return noPaths();
  return filteredDrawdownTail({
    residuals: shapes.residuals,
    lowExcursions: shapes.lowExcursions,
    horizonSigmas: forecastVariance(fit, horizonBars).map(Math.sqrt),
    paths: policy.simulationPaths,
    confidences,
    seed: hashSeed(policy.simulationSeed, asset, profile.id),
  });
}

type TailScores = Pick<
  VolatilityScores,
  'unconditional' | 'filtered' | 'adverseMove' | 'ordinaryMove' | 'adverseMoveSource' | 'throughTheCycle' | 'expectedShortfall' | 'historicalWorst' | 'windowsObserved'
>;

/**
 * Which tail is used: max(filtered, floor) for the adverse move (alpha), the ordinary move (beta, lending)
 * and the expected shortfall; the floor (tail/floor.ts) is the through-the-cycle tail where calibrated, else
 * share x the unconditional one. The scores say null where a tail has no evidence.
 */
function flooredTail(
  asset: string,
  candles: readonly CandleLike[],
  tails: { unconditional: DrawdownTail; filtered: SimulatedTail },
  profile: ProtocolProfile,
  policy: Policy,
  history?: TailHistory,
): { scores: TailScores; working: TailModel['working'] } {
  const { unconditional, filtered } = tails;
  // With no evidence at all assume the worst (a total loss); the missing history makes the asset unfit.
  const orWorst = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value : 1);
  const hasTail = unconditional.windows > 0;
  const hasPaths = filtered.paths.length > 0;
  const uncAdverse = orWorst(unconditional.quantiles[String(profile.confidence)]);
  const filAdverse = hasPaths ? orWorst(filtered.quantiles[String(profile.confidence)]) : 0;
  // issue 14 hook (tail/floor.ts): the floor under the filtered tail is the through-the-cycle tail when the
  // profile carries a fitting calibration, else share x the trailing unconditional tail as before.
  const floor = tailFloor({
    asset, profile, policy, candles, ...(history ? { history } : {}),
    unconditional: { adverseMove: uncAdverse, ordinaryMove: orWorst(unconditional.quantiles[String(profile.kind === 'lending' ? profile.ltvConfidence : profile.confidence)]), expectedShortfall: orWorst(unconditional.expectedShortfall) },
  });
  const filteredDrives = filAdverse >= floor.adverseMove;
  const adverseMove = Math.max(filAdverse, floor.adverseMove);
  let uncOrdinary: number | null = null;
  let filOrdinary: number | null = null;
  let ordinaryMove: number | null = null;
  if (profile.kind === 'lending') {
    uncOrdinary = orWorst(unconditional.quantiles[String(profile.ltvConfidence)]);
    filOrdinary = hasPaths ? orWorst(filtered.quantiles[String(profile.ltvConfidence)]) : 0;
    ordinaryMove = Math.max(filOrdinary, floor.ordinaryMove);
  }
  const expectedShortfall = Math.max(hasPaths ? orWorst(filtered.expectedShortfall) : 0, floor.expectedShortfall);
  return {
    scores: {
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
      throughTheCycle: floor.throughTheCycle,
      expectedShortfall: hasTail ? expectedShortfall : null,
      historicalWorst: hasTail ? orWorst(unconditional.historicalWorst) : null,
      windowsObserved: unconditional.windows,
    },
    working: { adverseMove, ordinaryMove: ordinaryMove ?? adverseMove, expectedShortfall },
  };
}

/** Volatility scores and the horizon's tail: unconditional and filtered at today's forecast. */
export function computeTail(asset: string, candles: readonly CandleLike[], profile: ProtocolProfile, policy: Policy, history?: TailHistory): TailModel {
  const intervalMs = INTERVAL_MS[profile.candleInterval];
  const barsPerDay = barsPerDayOf(profile);
  const horizonBars = profile.horizonMinutes / (intervalMs / MS_PER_MINUTE);
  const segments: PriceSeries[] = splitAtGaps(candles, intervalMs);
  const returns = logReturns(segments);
  const confidences = profile.kind === 'lending' ? [profile.confidence, profile.ltvConfidence] : [profile.confidence];

  const unconditional = drawdownTail(segments, horizonBars, confidences);
  const fit = fitForecast(returns, policy, barsPerDay);
  const filtered = filteredTail(asset, { segments, returns, fit }, horizonBars, confidences, profile, policy);
  const tail = flooredTail(asset, candles, { unconditional, filtered }, profile, policy, history);
  const scores: VolatilityScores = {
    ...returnScores(segments, returns, fit, { perDay: barsPerDay, horizon: horizonBars }, policy),
    horizonMinutes: profile.horizonMinutes,
    ...tail.scores,
    historyDays: barCount(segments) / barsPerDay,
  };
  return { scores, segments, simulatedDrawdowns: filtered.paths, working: tail.working };
}
