import {
  INTERVAL_MS,
  type LendingParameters,
  type LendingProfile,
  type PerpParameters,
  type PerpProfile,
  type Policy,
  type ProtocolProfile,
} from '../config/schema.js';
import { hashSeed } from '../market/rng.js';
import type { BookSummary, DataQuality } from '../model/snapshot.js';
import type { BookWindowChoice } from './book-window.js';
import { drawdownTail } from './drawdown.js';
import { standardizedBarShapes } from './fhs.js';
// issue 14 hook: the exact block bootstrap (no seed noise); the seeded Monte Carlo only when a path needs several blocks.
import { filteredDrawdownTail } from './tail/fhs-exact.js';
import { tailFloor } from './tail/floor.js';
import type { TailHistory } from './tail/history.js';
import type { ThroughTheCycleFigures } from './tail/ttc.js';
import { formatPct, formatUsd } from './format.js';
import { areStaleCandles, isStaleBookSet, lastBarEndMs, newestBookMs } from './freshness.js';
import { conditionalSigmas, fitGarchOrEwma, forecastVariance, horizonVariance, type GarchOrEwmaFit } from './garch.js';
import { applyGuardRails, keepBelow, lendingRules, perpRules, type MissingInput, type ParameterRule, type ParameterStep } from './guardrails.js';
import { liquidationBonus, liquidationThreshold, loanToValue, ltvCeilingBps, roundDownBps, roundUpBps, supplyCapUsd } from './lending.js';
import { bidDepthUsd, mergeBids, sellableWithinSlippage, sellSlippage, type Level } from './liquidity.js';
import { simulateBadDebt, syntheticBook } from './montecarlo.js';
import { maintenanceMargin } from './perp.js';
import { insuranceFundTarget, liquidationPenalty, marginTiers, openInterestCaps } from './perp-tiers.js';
import { dailyParkinsonVolatility, garmanKlassVolatility, parkinsonVolatility } from './range.js';
import { barCount, logReturns, splitAtGaps, type CandleLike, type PriceSeries } from './series.js';
import { crossCheck, impliedConfidence, smartLtv } from './smartltv.js';
import { ewmaLambdaFromHalfLife, ewmaVolatility, realizedVolatility } from './volatility.js';

/**
 * From market data to parameters for one (asset, profile): pure, deterministic (seeded), no I/O.
 * Everything the result says can be recomputed from its inputs.
 *
 * Pipeline: returns -> realized / EWMA / range volatility -> GARCH(1,1)-t (EWMA fallback) -> the horizon's
 * drawdown tail, unconditional and filtered (FHS at today's forecast) -> liquidity over a window of books
 * -> lending or perp targets -> cross-checks (SmartLTV, Monte Carlo bad debt) -> guard rails against the
 * protocol's current parameters.
 */

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

/** A missing input as the recommendation reports it: the input, since when, how bad, which parameters it held. */
export interface InputAlert {
  input: string;
  sinceMs: number | null;
  /** The input exists but is older than the policy allows. */
  stale?: boolean;
  severity: 'warning' | 'critical';
  parameters: string[];
  message: string;
}

export interface VolatilityScores {
  realizedAnnualized: { d7: number | null; d30: number | null; d90: number | null; d365: number | null };
  ewmaAnnualized: number | null;
  parkinsonAnnualized: number | null;
  garmanKlassAnnualized: number | null;
  forecast: {
    model: 'garch' | 'ewma-fallback';
    fallbackReason: string | null;
    alpha: number;
    beta: number;
    nu: number | null;
    persistence: number;
    nextBarAnnualized: number;
    longRunAnnualized: number | null;
    horizonVolatility: number;
  };
  regime: 'calm' | 'normal' | 'stressed';
  horizonMinutes: number;
  // Null: not computable from the candles given (no complete horizon window / no simulated path): no data, not a figure.
  unconditional: { adverseMove: number | null; ordinaryMove: number | null; expectedShortfall: number | null; windows: number };
  filtered: { adverseMove: number | null; ordinaryMove: number | null; expectedShortfall: number | null; paths: number };
  adverseMove: number | null;
  ordinaryMove: number | null;
  adverseMoveSource: 'filtered' | 'unconditional';
  /** issue 14: the through-the-cycle floor's figures when it is the floor ('unconditional' source then means it). */
  throughTheCycle?: ThroughTheCycleFigures | null;
  expectedShortfall: number | null;
  historicalWorst: number | null;
  windowsObserved: number;
  historyDays: number;
}

export interface LiquidityScores {
  depthUsd: Record<string, number>;
  liquidationSizeUsd: number;
  /** Null when there is no book, or the book cannot absorb the size (then `liquidationSizeFillable` is false). */
  slippageMerged: number | null;
  slippageBestVenue: number | null;
  bestVenue: string | null;
  slippageUsed: number | null;
  spreadBps: number;
  /** Null when there is no book at all: absence is not evidence that the size cannot be absorbed. */
  liquidationSizeFillable: boolean | null;
  window: { snapshots: number; percentile: number; depth2PctUsdLatest: number; depth2PctUsdChosen: number };
}

interface Common {
  status: 'ok' | 'unfit' | 'no-data';
  unfitReasons: string[];
  alerts: InputAlert[];
  volatility: VolatilityScores;
  liquidity: LiquidityScores;
  figures: Record<string, number>;
  rationale: { parameter: string; text: string }[];
  steps: ParameterStep[];
  needsGovernanceVote: boolean;
}

export interface LendingExtras {
  /** Null when an input it needs (candles, book) is missing: no figure, not zeros. */
  crossCheck: {
    smartLtv: number;
    confidence: number;
    gapPp: number;
    flagged: boolean;
    dailyParkinsonVolatility: number | null;
    liquidityAtBonusUsd: number;
    impliedConfidenceOfCurrent: number | null;
  } | null;
  /** Null when nothing could be simulated (missing candles or book, no LT): no figure, not zeros. */
  monteCarlo: {
    paths: number;
    positions: number;
    totalCollateralUsd: number;
    expectedBadDebtUsd: number;
    valueAtRiskUsd: number;
    expectedShortfallUsd: number;
    probabilityOfBadDebt: number;
  } | null;
}

export interface PerpExtras {
  tiers: {
    lowerBoundUsd: number;
    upperBoundUsd: number | null;
    maintenanceMarginBps: number;
    initialMarginBps: number;
    maxLeverage: number;
    deductionUsd: number;
    slippage: number;
    reduceOnly: boolean;
  }[];
  openInterest: { lowerCapUsd: number | null; upperCapUsd: number | null };
  liquidationPenaltyBps: number | null;
  insuranceFundTargetUsd: number | null;
}

export type ComputedParameters =
  | (Common & LendingExtras & { profileKind: 'lending'; parameters: LendingParameters; target: LendingParameters })
  | (Common & PerpExtras & { profileKind: 'perp'; parameters: PerpParameters; target: PerpParameters });

/** The guard-rail rules of a profile, every knob from its config (recommend and the backtest build them here). */
export function rulesOf(profile: ProtocolProfile): ParameterRule[] {
  const minDelayMs = profile.minDelayDays * 86_400_000;
  if (profile.kind === 'lending') {
    return lendingRules({
      ltvLtBonusMaxStepBps: profile.maxStepBps,
      capMaxShare: profile.capMaxChangeShare,
      minDelayMs,
      hysteresisBps: profile.hysteresisBps,
      capHysteresisShare: profile.capHysteresisShare,
      stressTightenBps: profile.stressTightenBps,
      capStressCutShare: profile.capStressCutShare,
    });
  }
  return perpRules({
    maintenanceMarginMaxStepBps: profile.maintenanceMarginMaxStepBps,
    initialMarginMaxStepBps: profile.initialMarginMaxStepBps,
    leverageMaxFactor: profile.leverageMaxFactor,
    minDelayMs,
    hysteresisBps: profile.hysteresisBps,
    leverageHysteresisShare: profile.leverageHysteresisShare,
    maintenanceStressTightenBps: profile.stressTightenBps,
    initialStressTightenBps: profile.initialStressTightenBps,
    leverageStressCutShare: profile.leverageStressCutShare,
  });
}

const finiteOrNull = (value: number): number | null => (Number.isFinite(value) ? value : null);

interface TailModel {
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

function barsPerDayOf(profile: ProtocolProfile): number {
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
export function computeTail(asset: string, candles: readonly CandleLike[], profile: ProtocolProfile, policy: Policy, history?: TailHistory): TailModel {
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
      filtered = filteredDrawdownTail({
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
    filOrdinary = filtered.paths.length > 0 ? orWorst(filtered.quantiles[String(profile.ltvConfidence)]) : 0;
    ordinaryMove = Math.max(filOrdinary, floor.ordinaryMove);
  }

  const hasTail = unconditional.windows > 0;
  const hasPaths = filtered.paths.length > 0;
  const expectedShortfall = Math.max(hasPaths ? orWorst(filtered.expectedShortfall) : 0, floor.expectedShortfall);

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
    throughTheCycle: floor.throughTheCycle,
    expectedShortfall: hasTail ? expectedShortfall : null,
    historicalWorst: hasTail ? orWorst(unconditional.historicalWorst) : null,
    windowsObserved: unconditional.windows,
    historyDays: barCount(segments) / barsPerDay,
  };
  return { scores, segments, simulatedDrawdowns: filtered.paths, working: { adverseMove, ordinaryMove: ordinaryMove ?? adverseMove, expectedShortfall } };
}

/** Backward-compatible name: the volatility scores alone. */
export function computeVolatility(candles: readonly CandleLike[], profile: ProtocolProfile, policy: Policy, asset = 'X'): VolatilityScores {
  return computeTail(asset, candles, profile, policy).scores;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function levelsOf(book: BookSummary): Level[] {
  return book.bids.map(([price, quantity]) => ({ price, quantity }));
}

export interface MergedLiquidity {
  scores: LiquidityScores;
  mergedBids: Level[];
  midUsd: number;
  /** Slippage the parameters use: the best single venue when it can fill Q, else the merged book. */
  slippageForParameters: number;
}

export function computeLiquidity(
  books: readonly BookSummary[],
  liquidationSizeUsd: number,
  policy: Policy,
  window: LiquidityScores['window'] = { snapshots: books.length > 0 ? 1 : 0, percentile: 1, depth2PctUsdLatest: 0, depth2PctUsdChosen: 0 },
): MergedLiquidity {
  if (books.length === 0) {
    return {
      scores: {
        // No book: no figure (not zero depth, not 100 % slippage).
        depthUsd: {},
        liquidationSizeUsd,
        slippageMerged: null,
        slippageBestVenue: null,
        bestVenue: null,
        slippageUsed: null,
        spreadBps: 0,
        liquidationSizeFillable: null,
        window,
      },
      mergedBids: [],
      midUsd: 0,
      slippageForParameters: 1,
    };
  }
  const midUsd = median(books.map((b) => b.midUsd));
  const mergedBids = mergeBids(books.map(levelsOf));
  const merged = sellSlippage(mergedBids, midUsd, liquidationSizeUsd);
  let bestVenue: string | null = null;
  let slippageBestVenue = Number.POSITIVE_INFINITY;
  for (const book of books) {
    const result = sellSlippage(levelsOf(book), book.midUsd, liquidationSizeUsd);
    if (result.complete && result.slippage < slippageBestVenue) {
      slippageBestVenue = result.slippage;
      bestVenue = book.venue;
    }
  }
  const depthUsd = Object.fromEntries(policy.depthBands.map((band) => [String(band * 100), bidDepthUsd(mergedBids, midUsd, band)]));
  const slippageForParameters = bestVenue !== null ? slippageBestVenue : merged.complete ? merged.slippage : 1;
  const depth2 = bidDepthUsd(mergedBids, midUsd, policy.bookDepthBand);
  return {
    scores: {
      depthUsd,
      liquidationSizeUsd,
      slippageMerged: merged.complete ? merged.slippage : null,
      slippageBestVenue: bestVenue !== null ? slippageBestVenue : null,
      bestVenue,
      slippageUsed: bestVenue !== null || merged.complete ? slippageForParameters : null,
      spreadBps: median(books.map((b) => b.spreadBps)),
      liquidationSizeFillable: merged.complete,
      window: window.snapshots > 0 && window.depth2PctUsdChosen > 0 ? window : { ...window, depth2PctUsdChosen: depth2, depth2PctUsdLatest: window.depth2PctUsdLatest || depth2 },
    },
    mergedBids,
    midUsd,
    slippageForParameters,
  };
}

/** Evidence against the asset only: absent candles or books are missing inputs (held `no-data`), never unfitness. */
function unfitReasonsOf(profile: ProtocolProfile, volatility: VolatilityScores, liquidity: LiquidityScores): string[] {
  const reasons: string[] = [];
  if (volatility.windowsObserved > 0 && volatility.historyDays < profile.minHistoryDays) {
    reasons.push(`only ${volatility.historyDays.toFixed(1)} days of history; at least ${profile.minHistoryDays} are needed`);
  }
  // A real book that cannot absorb the liquidation size is evidence; no book at all (null) is not.
  if (liquidity.liquidationSizeFillable === false) {
    reasons.push(`the merged order book cannot absorb the ${formatUsd(liquidity.liquidationSizeUsd)} liquidation size`);
  }
  // Failed data-quality checks are weak evidence, not unfitness: the guard rails then let only
  // tightening through (a stale feed for a few hours must not propose a delisting).
  return reasons;
}

/** Floors a USD amount to two significant figures, so caps read as round numbers and never round up. */
export function floorToSignificant(usd: number, digits = 2): number {
  if (!(usd > 0)) return 0;
  const magnitude = 10 ** (Math.floor(Math.log10(usd)) - digits + 1);
  return Math.floor(usd / magnitude) * magnitude;
}

function horizonLabel(profile: ProtocolProfile): string {
  return profile.horizonMinutes >= 60 ? `${profile.horizonMinutes / 60} h` : `${profile.horizonMinutes} min`;
}

/** One sentence on which tail drove the adverse move and in which regime. */
const pctOrNone = (value: number | null) => (value === null ? 'no data' : formatPct(value));

function regimeSentence(v: VolatilityScores): string {
  const forecast = `forecast vol ${formatPct(v.forecast.nextBarAnnualized, 0)} (${v.forecast.model === 'garch' ? 'GARCH' : 'EWMA'})` +
    (v.forecast.longRunAnnualized !== null ? ` vs long-run ${formatPct(v.forecast.longRunAnnualized, 0)}` : '');
  const source =
    v.adverseMoveSource === 'filtered'
      ? `the filtered tail at today's volatility (${pctOrNone(v.filtered.adverseMove)}) drove the number, above the unconditional ${pctOrNone(v.unconditional.adverseMove)}`
      : v.throughTheCycle
        ? `the through-the-cycle tail (${formatPct(v.throughTheCycle.adverseMove)}: ${v.throughTheCycle.multiple.toFixed(2)} x the ${formatPct(v.throughTheCycle.sigmaHorizon)} volatility of the asset's ${(v.throughTheCycle.historyDays / 365).toFixed(1)} years of history, plus its sampling error) drove the number; the trailing year's unconditional tail is ${pctOrNone(v.unconditional.adverseMove)}, today's filtered tail ${pctOrNone(v.filtered.adverseMove)}`
        : `the unconditional tail (${pctOrNone(v.unconditional.adverseMove)}) drove the number; today's filtered tail is ${pctOrNone(v.filtered.adverseMove)}`;
  return `Regime ${v.regime}: ${forecast}; ${source}.`;
}

function evidenceOf(quality: DataQuality) {
  return { strong: quality.passed, reasons: quality.issues.filter((i) => i.severity === 'failure').map((i) => i.message) };
}

function lastChangedAt(profile: ProtocolProfile, asset: string, parameters: readonly string[]): Record<string, number | undefined> {
  const iso = profile.currentUpdatedAt[asset];
  const at = iso ? Date.parse(iso) : undefined;
  return Object.fromEntries(parameters.map((p) => [p, at]));
}

function proposedFrom<T extends Record<string, number>>(target: T, steps: readonly ParameterStep[]): T {
  const out: Record<string, number> = { ...target };
  for (const step of steps) if (step.proposed !== null) out[step.parameter] = step.proposed;
  return out as T;
}

/** What is missing for this (asset, profile): per parameter the first absent input it depends on. */
interface Gaps {
  candlesMissing: boolean;
  bookMissing: boolean;
  byParameter: Record<string, MissingInput>;
}

/** Drops the figures whose inputs are missing: a figure computed on a stand-in is not a figure. */
function figuresWithData(figures: Record<string, number>, needs: Record<string, readonly ('candles' | 'book')[]>, gaps: Gaps): Record<string, number> {
  const missing = (need: 'candles' | 'book') => (need === 'candles' ? gaps.candlesMissing : gaps.bookMissing);
  return Object.fromEntries(Object.entries(figures).filter(([key]) => !(needs[key] ?? []).some(missing)));
}

/** Held parameters keep the protocol's current value as target too (0 = not listed); the step says no-data. */
function holdMissing<T extends Record<string, number>>(target: T, current: Partial<Record<string, number>> | null, gaps: Gaps): T {
  const out: Record<string, number> = { ...target };
  for (const parameter of Object.keys(gaps.byParameter)) if (parameter in out) out[parameter] = current?.[parameter] ?? 0;
  return out as T;
}

function rationaleWithData(rationale: { parameter: string; text: string }[], steps: readonly ParameterStep[]): { parameter: string; text: string }[] {
  return rationale.map((r) => {
    const step = steps.find((s) => s.parameter === r.parameter);
    return step?.status === 'no-data' ? { parameter: r.parameter, text: step.reason } : r;
  });
}

function lending(inputs: ParameterInputs, profile: LendingProfile, tail: TailModel, liq: MergedLiquidity, unfitReasons: string[], gaps: Gaps) {
  const v = tail.scores;
  const unfit = unfitReasons.length > 0;
  const slippage = liq.slippageForParameters;
  const adverse = tail.working.adverseMove;
  const ordinary = tail.working.ordinaryMove;
  const bonus = liquidationBonus(slippage, profile.liquidatorCostBps / 1e4, profile.minLiquidationBonusBps / 1e4, profile.maxLiquidationBonusBps / 1e4);
  const threshold = liquidationThreshold(adverse, slippage, bonus);
  const ltv = loanToValue(threshold, ordinary);
  const sellableAtHalfBonus = liq.mergedBids.length > 0 ? sellableWithinSlippage(liq.mergedBids, liq.midUsd, bonus / 2) : 0;
  const supplyCap = floorToSignificant(supplyCapUsd(sellableAtHalfBonus, profile.capLiquidationShare));
  const target: LendingParameters = {
    // Against the rounded LT, so the target itself keeps the beta buffer (and stays strictly below LT).
    ltvBps: unfit ? 0 : Math.min(roundDownBps(ltv, profile.roundingStepBps), ltvCeilingBps(roundDownBps(threshold, profile.roundingStepBps), ordinary, profile.roundingStepBps)),
    liquidationThresholdBps: roundDownBps(threshold, profile.roundingStepBps),
    liquidationBonusBps: roundUpBps(bonus),
    supplyCapUsd: supplyCap,
    borrowCapUsd: floorToSignificant(supplyCap * profile.borrowCapShare),
  };

  // Cross-check: Risk DAO's SmartLTV on the same liquidity, and the c implied by today's live parameters.
  const sigma = dailyParkinsonVolatility(tail.segments, barsPerDayOf(profile), inputs.policy.rangeWindowDays);
  const liquidityAtBonus = liq.mergedBids.length > 0 ? sellableWithinSlippage(liq.mergedBids, liq.midUsd, bonus) : 0;
  const smart = Number.isFinite(sigma) ? smartLtv({ sigma, liquidityUsd: liquidityAtBonus, debtCapUsd: target.supplyCapUsd, bonus, c: profile.smartLtvConfidence }) : 0;
  const check = crossCheck({ ourLtv: target.ltvBps / 1e4, smartLtv: smart, thresholdPp: profile.smartLtvGapFlagPp });
  const current = profile.current[inputs.asset] ?? null;
  // On Aave an LTV of 0 means "not enabled as collateral" and a cap of 0 "no cap / disabled": moving
  // off 0 is a listing decision for governance, not a steward step, so those count as not set.
  const currentForRails = current
    ? Object.fromEntries(Object.entries(current).filter(([parameter, value]) => !(value === 0 && (parameter === 'ltvBps' || parameter.endsWith('CapUsd')))))
    : null;
  let impliedOfCurrent: number | null = null;
  if (current && Number.isFinite(sigma) && liq.mergedBids.length > 0) {
    const implied = impliedConfidence({
      ltv: current.ltvBps / 1e4,
      bonus: current.liquidationBonusBps / 1e4,
      sigma,
      liquidityUsd: sellableWithinSlippage(liq.mergedBids, liq.midUsd, current.liquidationBonusBps / 1e4),
      debtCapUsd: current.supplyCapUsd,
    });
    impliedOfCurrent = implied.status === 'implied' ? implied.c : null;
  }

  // Monte Carlo: a synthetic book spread up to LT, over the filtered paths of the horizon.
  const ltFraction = target.liquidationThresholdBps / 1e4;
  const totalCollateralUsd = target.supplyCapUsd > 0 ? target.supplyCapUsd : profile.liquidationSizeUsd;
  const badDebt =
    ltFraction > 0 && tail.simulatedDrawdowns.length > 0
      ? simulateBadDebt({
          pathsWorstDrawdown: tail.simulatedDrawdowns,
          positions: syntheticBook({
            totalCollateralUsd,
            positions: profile.monteCarloPositions,
            liquidationThreshold: ltFraction,
            minLtvShareOfLt: profile.monteCarloMinLtvShareOfLt,
            maxLtvShareOfLt: profile.monteCarloMaxLtvShareOfLt,
          }),
          liquidationThreshold: ltFraction,
          liquidationBonus: bonus,
          slippage,
          confidence: profile.confidence,
        })
      : null;

  const rules = rulesOf(profile);
  const railed = applyGuardRails({
    rules,
    target,
    current: currentForRails,
    lastChangedAtMs: lastChangedAt(profile, inputs.asset, Object.keys(target)),
    nowMs: inputs.nowMs,
    evidence: evidenceOf(inputs.quality),
    frozen: inputs.frozen ?? false,
    missing: gaps.byParameter,
  });
  // The guard rails bound each parameter on its own: keep LTV below what LT is set to, by the beta buffer,
  // in the steps themselves, so that parameters, proposals and every rendering read one value.
  const steps = keepBelow(railed, rules, {
    parameter: 'ltvBps',
    bound: 'liquidationThresholdBps',
    ceilingOf: (ltBps) => ltvCeilingBps(ltBps, ordinary, profile.roundingStepBps),
    ceilingName: `LT less an ordinary ${formatPct(ordinary)} ${horizonLabel(profile)} move, rounded down`,
  });
  const heldTarget = holdMissing(target, current, gaps);
  const parameters = proposedFrom(heldTarget, steps);

  const horizon = horizonLabel(profile);
  const rationale = rationaleWithData([
    {
      parameter: 'liquidationBonusBps',
      text:
        `Bonus ${formatPct(bonus)}: ${formatPct(slippage)} slippage selling ${formatUsd(profile.liquidationSizeUsd)}` +
        ` plus ${formatPct(profile.liquidatorCostBps / 1e4)} liquidator cost, kept within` +
        ` ${formatPct(profile.minLiquidationBonusBps / 1e4)}-${formatPct(profile.maxLiquidationBonusBps / 1e4)}.`,
    },
    {
      parameter: 'liquidationThresholdBps',
      text:
        `LT ${formatPct(target.liquidationThresholdBps / 1e4)}: after a ${formatPct(adverse)} drop over ${horizon}` +
        ` (${formatPct(profile.confidence, 1)} confidence), ${formatPct(slippage)} slippage and a ${formatPct(bonus)} bonus, collateral still covers the debt:` +
        ` (1 - ${adverse.toFixed(4)}) x (1 - ${slippage.toFixed(4)}) / (1 + ${bonus.toFixed(4)}) = ${formatPct(threshold)}, rounded down. ` +
        regimeSentence(v),
    },
    {
      parameter: 'ltvBps',
      text: unfit
        ? `LTV 0 %: not collateral (${unfitReasons.join('; ')}).`
        : `LTV ${formatPct(target.ltvBps / 1e4)}: LT less an ordinary ${formatPct(ordinary)} ${horizon} move` +
          ` (${formatPct(profile.ltvConfidence, 0)} confidence), so a loan opened at max LTV is not liquidated by a normal day.`,
    },
    {
      parameter: 'supplyCapUsd',
      text:
        `Supply cap ${formatUsd(target.supplyCapUsd)}: liquidating ${formatPct(profile.capLiquidationShare, 0)} of it` +
        ` (${formatUsd(sellableAtHalfBonus)}) costs at most half the bonus (${formatPct(bonus / 2)}) in slippage on the merged book` +
        ` (the p${Math.round(liq.scores.window.percentile * 100)} of ${liq.scores.window.snapshots} book snapshot(s)). Borrow cap ${formatPct(profile.borrowCapShare, 0)} of it.`,
    },
  ], steps);
  const figures = figuresWithData({
    adverseMove: adverse,
    ordinaryMove: ordinary,
    slippage,
    liquidationBonus: bonus,
    liquidationThreshold: threshold,
    loanToValue: ltv,
    sellableAtHalfBonusUsd: sellableAtHalfBonus,
    liquidityAtBonusUsd: liquidityAtBonus,
    dailyParkinsonVolatility: sigma,
    midUsd: liq.midUsd,
  }, {
    adverseMove: ['candles'],
    ordinaryMove: ['candles'],
    slippage: ['book'],
    liquidationBonus: ['book'],
    liquidationThreshold: ['candles', 'book'],
    loanToValue: ['candles', 'book'],
    sellableAtHalfBonusUsd: ['book'],
    liquidityAtBonusUsd: ['book'],
    dailyParkinsonVolatility: ['candles'],
    midUsd: ['book'],
  }, gaps);
  // SmartLTV needs the range volatility (candles) and the book; the Monte Carlo the paths, LT and the book.
  const inputsPresent = !gaps.candlesMissing && !gaps.bookMissing;
  const extras: LendingExtras = {
    crossCheck: inputsPresent && Number.isFinite(sigma) ? {
      smartLtv: smart,
      confidence: profile.smartLtvConfidence,
      gapPp: check.gapPp,
      flagged: check.flagged,
      dailyParkinsonVolatility: finiteOrNull(sigma),
      liquidityAtBonusUsd: liquidityAtBonus,
      impliedConfidenceOfCurrent: impliedOfCurrent,
    } : null,
    monteCarlo: inputsPresent && badDebt ? {
      paths: badDebt.paths.length,
      positions: profile.monteCarloPositions,
      totalCollateralUsd,
      expectedBadDebtUsd: badDebt.expectedBadDebtUsd,
      valueAtRiskUsd: badDebt.varUsd,
      expectedShortfallUsd: badDebt.expectedShortfallUsd,
      probabilityOfBadDebt: badDebt.probabilityOfBadDebt,
    } : null,
  };
  return { target: heldTarget, parameters, steps, rationale, figures, extras };
}

function perp(inputs: ParameterInputs, profile: PerpProfile, tail: TailModel, liq: MergedLiquidity, unfitReasons: string[], gaps: Gaps) {
  const v = { ...tail.scores, ...tail.working };
  const unfit = unfitReasons.length > 0;
  const fee = profile.feeBufferBps / 1e4;
  // Tiers need the tail (candles) and the book: with either missing none is computed (the schedule is held).
  const tiers =
    liq.mergedBids.length > 0 && !gaps.candlesMissing
      ? marginTiers({
          adverseMove: Math.min(1, v.adverseMove),
          bids: liq.mergedBids,
          midUsd: liq.midUsd,
          feeBuffer: fee,
          initialToMaintenanceRatio: profile.initialToMaintenanceRatio,
          leverageTiers: profile.leverageTiers,
          tierNotionalsUsd: profile.tierNotionalsUsd,
          maxPositionMultiple: profile.maxPositionMultiple,
        })
      : [];
  const first = tiers[0];
  // Without a book the first tier falls back to the plain formula at the liquidation size.
  const maintenance = first ? first.maintenanceMarginFraction : Math.min(1, maintenanceMargin(v.adverseMove, liq.slippageForParameters, fee));
  const leverage = unfit || !first ? 0 : first.maxLeverage;
  const target: PerpParameters = {
    maintenanceMarginBps: Math.min(10_000, roundUpBps(maintenance)),
    initialMarginBps: leverage > 0 ? roundUpBps(1 / leverage) : 10_000,
    maxLeverage: leverage,
  };
  const penalty = liquidationPenalty({ slippageAtTierSize: first?.slippage ?? liq.slippageForParameters, insuranceContribution: profile.insuranceContributionBps / 1e4 });
  const caps =
    liq.mergedBids.length > 0
      ? openInterestCaps({
          bids: liq.mergedBids,
          midUsd: liq.midUsd,
          liquidationPenalty: Math.min(1, penalty),
          liquidatedShareOfOi: profile.liquidatedShareOfOi,
          upperCapMultiple: profile.upperOpenInterestCapMultiple,
        })
      : { lowerCapUsd: 0, upperCapUsd: 0 };
  const insurance = insuranceFundTarget({
    openInterestUsd: caps.upperCapUsd,
    stressDrawdown: Math.min(1, v.expectedShortfall),
    maintenanceMargin: Math.min(1, maintenance),
    slippage: Math.min(1, first?.slippage ?? liq.slippageForParameters),
  });

  // Initial margin is 1 / max leverage: the rails bound maintenance margin and leverage, and the initial
  // margin step is derived from the leverage step (bounding both separately would let them disagree).
  const current = profile.current[inputs.asset] ?? null;
  const railed = applyGuardRails({
    rules: rulesOf(profile).filter((rule) => rule.parameter !== 'initialMarginBps'),
    target: { maintenanceMarginBps: target.maintenanceMarginBps, maxLeverage: target.maxLeverage },
    current: current ? { maintenanceMarginBps: current.maintenanceMarginBps, maxLeverage: current.maxLeverage } : null,
    lastChangedAtMs: lastChangedAt(profile, inputs.asset, ['maintenanceMarginBps', 'maxLeverage']),
    nowMs: inputs.nowMs,
    evidence: evidenceOf(inputs.quality),
    frozen: inputs.frozen ?? false,
    missing: gaps.byParameter,
  });
  const heldTarget = holdMissing(target, current, gaps);
  const parameters = proposedFrom(heldTarget, railed);
  // A bounded leverage step is snapped down to an offered tier.
  if (parameters.maxLeverage > 0) parameters.maxLeverage = Math.max(0, ...profile.leverageTiers.filter((t) => t <= parameters.maxLeverage));
  parameters.initialMarginBps = parameters.maxLeverage > 0 ? roundUpBps(1 / parameters.maxLeverage) : 10_000;
  // The step says what is set (the snapped tier), so steps and parameters never disagree.
  const railedLeverage = railed.find((s) => s.parameter === 'maxLeverage')!;
  const leverageStep = railedLeverage.proposed === null ? railedLeverage : { ...railedLeverage, proposed: parameters.maxLeverage };
  const initialMissing = gaps.byParameter.initialMarginBps;
  if (initialMissing) {
    heldTarget.initialMarginBps = current?.initialMarginBps ?? 0;
    parameters.initialMarginBps = current?.initialMarginBps ?? heldTarget.initialMarginBps;
  }
  const steps: ParameterStep[] = [
    ...railed.map((s) => (s === railedLeverage ? leverageStep : s)),
    initialMissing
      ? {
          parameter: 'initialMarginBps',
          current: current?.initialMarginBps ?? null,
          target: null,
          proposed: current?.initialMarginBps ?? null,
          status: 'no-data',
          direction: 'none',
          stress: false,
          missingInput: initialMissing,
          reason: `follows max leverage, held for want of ${initialMissing.input}`,
        }
      : {
      parameter: 'initialMarginBps',
      current: current?.initialMarginBps ?? null,
      target: target.initialMarginBps,
      proposed: leverageStep.proposed === null ? null : parameters.initialMarginBps,
      status: leverageStep.status === 'within-bounds' && parameters.initialMarginBps === (current?.initialMarginBps ?? -1) ? 'unchanged' : leverageStep.status,
      direction: leverageStep.direction === 'loosen' ? 'loosen' : leverageStep.direction === 'tighten' ? 'tighten' : 'none',
      stress: leverageStep.stress,
      reason: `follows max leverage: 1 / ${parameters.maxLeverage || 'n/a'}x`,
    },
  ];

  const rationale = rationaleWithData([
    {
      parameter: 'maintenanceMarginBps',
      text:
        `Maintenance margin ${formatPct(maintenance)} for positions up to ${formatUsd(first?.upperBoundUsd ?? profile.liquidationSizeUsd)}:` +
        ` a ${formatPct(v.adverseMove)} adverse move over ${profile.horizonMinutes} min (${formatPct(profile.confidence, 1)} confidence)` +
        ` + ${formatPct(first?.slippage ?? liq.slippageForParameters)} slippage closing the tier's largest position + ${formatPct(fee)} fees. ${regimeSentence(v)}`,
    },
    {
      parameter: 'maxLeverage',
      text: unfit
        ? `Max leverage 0: not listable (${unfitReasons.join('; ')}).`
        : `Max leverage ${leverage}x: 1 / (maintenance x ${profile.initialToMaintenanceRatio}) = ` +
          `${(1 / (maintenance * profile.initialToMaintenanceRatio)).toFixed(1)}x, snapped down to the tiers ${profile.leverageTiers.join('/')}.` +
          ` Larger positions: ${tiers.slice(1).map((t) => `${t.reduceOnly ? 'reduce-only' : `${t.maxLeverage}x`} from ${formatUsd(t.lowerBoundUsd)}`).join(', ') || 'one tier'}.`,
    },
    { parameter: 'initialMarginBps', text: `Initial margin ${formatPct(target.initialMarginBps / 1e4)}: 1 / max leverage.` },
  ], steps);
  const figures = figuresWithData({
    adverseMove: v.adverseMove,
    slippage: first?.slippage ?? liq.slippageForParameters,
    maintenanceMargin: maintenance,
    liquidationPenalty: penalty,
    openInterestLowerCapUsd: caps.lowerCapUsd,
    openInterestUpperCapUsd: caps.upperCapUsd,
    midUsd: liq.midUsd,
  }, {
    adverseMove: ['candles'],
    slippage: ['book'],
    maintenanceMargin: ['candles', 'book'],
    liquidationPenalty: ['book'],
    openInterestLowerCapUsd: ['book'],
    openInterestUpperCapUsd: ['book'],
    midUsd: ['book'],
  }, gaps);
  const extras: PerpExtras = {
    tiers: tiers.map((t, i) => ({
      lowerBoundUsd: t.lowerBoundUsd,
      upperBoundUsd: i === tiers.length - 1 ? null : t.upperBoundUsd,
      maintenanceMarginBps: Math.min(10_000, roundUpBps(t.maintenanceMarginFraction)),
      initialMarginBps: Math.min(10_000, roundUpBps(t.initialMarginFraction)),
      maxLeverage: unfit ? 0 : t.maxLeverage,
      deductionUsd: t.maintenanceDeductionUsd,
      slippage: t.slippage,
      reduceOnly: unfit || t.reduceOnly,
    })),
    openInterest: gaps.bookMissing ? { lowerCapUsd: null, upperCapUsd: null } : { lowerCapUsd: caps.lowerCapUsd, upperCapUsd: caps.upperCapUsd },
    liquidationPenaltyBps: gaps.bookMissing ? null : Math.min(10_000, roundUpBps(penalty)),
    insuranceFundTargetUsd: gaps.bookMissing || gaps.candlesMissing ? null : insurance.targetUsd,
  };
  return { target: heldTarget, parameters, steps, rationale, figures, extras };
}

/**
 * Which inputs each parameter is computed from. LT and LTV need the tail (candles) and the slippage (book);
 * the bonus needs the slippage, the caps the depth (book); the perp margin schedule needs the tail and the book.
 */
export const PARAMETER_INPUTS: Record<ProtocolProfile['kind'], Record<string, readonly ('candles' | 'book')[]>> = {
  lending: {
    ltvBps: ['candles', 'book'],
    liquidationThresholdBps: ['candles', 'book'],
    liquidationBonusBps: ['book'],
    supplyCapUsd: ['book'],
    borrowCapUsd: ['book'],
  },
  perp: {
    maintenanceMarginBps: ['candles', 'book'],
    maxLeverage: ['candles', 'book'],
    initialMarginBps: ['candles', 'book'],
  },
};

/** The delisting parameter, which evidence of unfitness (not absence) sets to 0. */
const DELISTING_PARAMETER: Record<ProtocolProfile['kind'], string> = { lending: 'ltvBps', perp: 'maxLeverage' };

/** Which inputs were dropped as stale (freshness.ts), with the time they were last good. */
interface Staleness {
  candlesSinceMs: number | null;
  bookSinceMs: number | null;
}

function latestOf(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined) return b ?? null;
  return b === null || b === undefined ? a : Math.max(a, b);
}

function gapsOf(inputs: ParameterInputs, tail: TailModel, books: readonly BookSummary[], stale: Staleness, unfit: boolean): Gaps {
  const { profile } = inputs;
  // No complete liquidation-horizon window: the tail cannot be computed (absent, stale, not short, history).
  const candlesMissing = tail.scores.windowsObserved === 0;
  const bookMissing = books.length === 0;
  const lastBarEnd = lastBarEndMs(inputs.candles, profile.candleInterval);
  const candles: MissingInput =
    stale.candlesSinceMs !== null
      ? { input: `candles ${profile.candleInterval}`, sinceMs: latestOf(stale.candlesSinceMs, inputs.lastGoodMs?.candles), stale: true }
      : { input: `candles ${profile.candleInterval}`, sinceMs: lastBarEnd ?? inputs.lastGoodMs?.candles ?? null };
  const book: MissingInput =
    stale.bookSinceMs !== null
      ? { input: 'order book', sinceMs: latestOf(stale.bookSinceMs, inputs.lastGoodMs?.book), stale: true }
      : { input: 'order book', sinceMs: inputs.lastGoodMs?.book ?? null };
  const byParameter: Record<string, MissingInput> = {};
  for (const [parameter, needs] of Object.entries(PARAMETER_INPUTS[profile.kind])) {
    // With evidence of unfitness (a real book that cannot absorb the size) the delisting stands.
    if (unfit && (parameter === DELISTING_PARAMETER[profile.kind] || (profile.kind === 'perp' && parameter === 'initialMarginBps'))) continue;
    const first = needs.find((need) => (need === 'candles' ? candlesMissing : bookMissing));
    if (first) byParameter[parameter] = first === 'candles' ? candles : book;
  }
  return { candlesMissing, bookMissing, byParameter };
}

function alertsOf(asset: string, profile: ProtocolProfile, gaps: Gaps): InputAlert[] {
  const all = Object.keys(PARAMETER_INPUTS[profile.kind]);
  const inputs = new Map<string, { sinceMs: number | null; stale: boolean; parameters: string[] }>();
  for (const [parameter, missing] of Object.entries(gaps.byParameter)) {
    const entry = inputs.get(missing.input) ?? { sinceMs: missing.sinceMs, stale: missing.stale === true, parameters: [] };
    entry.parameters.push(parameter);
    inputs.set(missing.input, entry);
  }
  const heldCount = Object.keys(gaps.byParameter).length;
  return [...inputs].map(([input, { sinceMs, stale, parameters }]) => ({
    input,
    sinceMs,
    ...(stale ? { stale: true } : {}),
    severity: heldCount >= all.length ? ('critical' as const) : ('warning' as const),
    parameters,
    message:
      `${asset} on ${profile.id}: ${stale ? `${input} stale` : `no ${input}`} (${sinceMs === null ? 'none stored' : `last good ${new Date(sinceMs).toISOString()}`}); ` +
      `${parameters.join(', ')} held at the protocol's current value`,
  }));
}

export function computeParameters(inputs: ParameterInputs): ComputedParameters {
  const { profile, policy, nowMs } = inputs;
  // Stale is missing: an old book or bar series is dropped before anything is computed from it, so it can
  // neither delist (a three-year-old thin book) nor print a figure; the step says since when.
  const hold = inputs.staleness !== 'ignore';
  const candlesStale = hold && areStaleCandles(inputs.candles, profile.candleInterval, nowMs, policy);
  const bookStale = hold && isStaleBookSet(inputs.books, nowMs, policy);
  const stale: Staleness = {
    candlesSinceMs: candlesStale ? lastBarEndMs(inputs.candles, profile.candleInterval) : null,
    bookSinceMs: bookStale ? newestBookMs(inputs.books) : null,
  };
  const candles = candlesStale ? [] : inputs.candles;
  const books = bookStale ? [] : inputs.books;
  const tail = computeTail(inputs.asset, candles, profile, policy, inputs.tailHistory);
  const window = inputs.bookWindow
    ? { snapshots: inputs.bookWindow.snapshots, percentile: inputs.bookWindow.percentile, depth2PctUsdLatest: inputs.bookWindow.depth2PctUsdLatest, depth2PctUsdChosen: inputs.bookWindow.depth2PctUsdChosen }
    : undefined;
  const liquidity = computeLiquidity(books, profile.liquidationSizeUsd, policy, window);
  const unfitReasons = unfitReasonsOf(profile, tail.scores, liquidity.scores);
  const gaps = gapsOf(inputs, tail, books, stale, unfitReasons.length > 0);
  const alerts = alertsOf(inputs.asset, profile, gaps);
  const common = {
    status: unfitReasons.length > 0 ? ('unfit' as const) : alerts.length > 0 ? ('no-data' as const) : ('ok' as const),
    unfitReasons,
    alerts,
    volatility: tail.scores,
    liquidity: liquidity.scores,
  };
  const finish = <T extends { steps: ParameterStep[]; figures: Record<string, number> }>(result: T) => ({
    ...result,
    figures: Object.fromEntries(Object.entries(result.figures).filter(([, value]) => Number.isFinite(value))),
    needsGovernanceVote: result.steps.some((s) => s.status === 'bounded-needs-vote' || s.status === 'new-listing-needs-vote'),
  });
  if (profile.kind === 'lending') {
    const r = finish(lending(inputs, profile, tail, liquidity, unfitReasons, gaps));
    return { ...common, profileKind: 'lending', target: r.target, parameters: r.parameters, steps: r.steps, rationale: r.rationale, figures: r.figures, needsGovernanceVote: r.needsGovernanceVote, ...r.extras };
  }
  const r = finish(perp(inputs, profile, tail, liquidity, unfitReasons, gaps));
  return { ...common, profileKind: 'perp', target: r.target, parameters: r.parameters, steps: r.steps, rationale: r.rationale, figures: r.figures, needsGovernanceVote: r.needsGovernanceVote, ...r.extras };
}
