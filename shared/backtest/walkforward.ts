import type { ThroughTheCycleTail } from '../config/tail.js';
import { INTERVAL_MS, type LendingParameters, type PerpParameters, type ProtocolProfile } from '../config/schema.js';
import type { DataQuality } from '../model/snapshot.js';
import { computeParameters } from '../risk/engine/recommend.js';
import { rulesOf } from '../risk/engine/rules.js';
import type { ParameterRule } from '../risk/guardrails.js';
import { emptyTailHistory, extendTailHistory } from '../risk/tail/history.js';
import { assertContinuousTiers } from '../risk/tier-continuity.js';
import { MS_PER_DAY as DAY_MS, MS_PER_MINUTE } from '../util/time.js';
import { bpsToFraction } from '../util/units.js';
import { bindsOf } from './binds.js';
import { heldFixedOf } from './heldfixed.js';
import { naiveLiquidationThresholdBps, naiveMaintenanceMarginBps, trailingQuantile } from './baseline.js';
import { countBreaches, lendingBufferDrop, perpBufferMove, worstMove } from './breach.js';
import { coverageOf, RunRecorder } from './coverage.js';
import { EmergencyPath } from './emergency.js';
import { identityScale, toCalendarMs, toEngineMs } from './timescale.js';
import { lowerBound, toColumns, windowMoves } from './windows.js';

/**
 * Walk-forward backtest of one series under one profile. At each daily step t (UTC midnight) the engine
 * sees only the bars opening before t, within the profile's lookback; its recommendation is then scored on
 * every h-bar window opening in [t, t + 1 day). Three parameter sets are scored side by side:
 * - target: the engine's unconstrained recommendation (what the model says);
 * - applied: what a steward would have live, the engine's guard-railed proposal with the previous
 *   step's applied parameters as "current" (bounded steps, minimum delay, fast tighten path);
 * - naive: the unconditional quantile of the trailing windows, same bonus and slippage (baseline.ts).
 * Pure and deterministic: the engine is seeded, time comes from the data.
 */

export type { BacktestSeries, LendingRecommendation, PerpRecommendation, Recommend, SeriesResult, StepOutcome, StepRecord, WalkForwardOptions } from './walkforward-types.js';
import type { BacktestSeries, LendingRecommendation, PerpRecommendation, SeriesResult, StepOutcome, WalkForwardOptions } from './walkforward-types.js';

/** The backtest's record of a step where nothing was simulated: zeros over zero paths, as it always counted them. */
const NOT_SIMULATED: LendingRecommendation['monteCarlo'] = { paths: 0, positions: 0, totalCollateralUsd: 0, expectedBadDebtUsd: 0, valueAtRiskUsd: 0, expectedShortfallUsd: 0, probabilityOfBadDebt: 0 };

const PASSED: DataQuality = { passed: true, issues: [], venuesWithData: 2, missingBarShare: 0, lastBarAgeMs: 0 };

/** Runs the walk-forward backtest of one series. */
export function runWalkForward(series: BacktestSeries, options: WalkForwardOptions): SeriesResult {
  const { profile, policy, books } = options;
  const recommend = options.recommend ?? computeParameters;
  const scale = series.timeScale ?? identityScale();
  const candles = series.candles;
  const intervalMs = INTERVAL_MS[profile.candleInterval];
  const horizonBars = profile.horizonMinutes / (intervalMs / MS_PER_MINUTE);
  const bars = toColumns(candles, intervalMs);
  const moves = windowMoves(bars, horizonBars);
  const times = bars.openTimeMs;
  const lookbackMs = profile.lookbackDays * DAY_MS;
  const barsPerDay = DAY_MS / intervalMs;
  const warmupBars = (options.warmupDays ?? profile.minHistoryDays) * barsPerDay;
  const restartAfterMs = (options.restartAfterDays ?? 7) * DAY_MS;
  const horizonMs = horizonBars * intervalMs;
  const fee = profile.kind === 'perp' ? bpsToFraction(profile.feeBufferBps) : 0;
  const scratch = new Float64Array(Math.ceil(lookbackMs / intervalMs) + 1);

  const result: SeriesResult = {
    id: series.id,
    asset: series.asset,
    source: series.source,
    barLabel: series.barLabel,
    profileId: profile.id,
    profileKind: profile.kind,
    horizonMinutes: profile.horizonMinutes * scale.factor,
    confidence: profile.confidence,
    steps: [],
    skipped: { warmup: 0, noWindows: 0 },
    coverage: { target: null, applied: null, emergency: null, naive: null, shortSide: null },
    heldFixed: null,
  };
  if (candles.length === 0) return result;

  const firstStep = Math.ceil(toCalendarMs(scale, times[0]!) / DAY_MS) * DAY_MS;
  const lastStep = Math.floor(toCalendarMs(scale, times[times.length - 1]!) / DAY_MS) * DAY_MS;
  const from = Math.max(firstStep, options.fromMs !== undefined ? Math.ceil(options.fromMs / DAY_MS) * DAY_MS : firstStep);
  const to = Math.min(lastStep + DAY_MS, options.toMs ?? Number.POSITIVE_INFINITY);
  const total = Math.max(0, Math.ceil((to - from) / DAY_MS));

  const runs = { target: new RunRecorder(), applied: new RunRecorder(), emergency: new RunRecorder(), naive: new RunRecorder(), shortSide: new RunRecorder() };
  const totals = { target: zero(), applied: zero(), emergency: zero(), naive: zero(), shortSide: zero() };
  const emergency = new EmergencyPath(
    mainRule(profile),
    ((options.emergencyVoteDelayDays ?? 1) * DAY_MS) / scale.factor,
    ((options.emergencyMandateDays ?? 14) * DAY_MS) / scale.factor,
  );
  let current: LendingParameters | PerpParameters | null = null;
  let lastChangeMs: number | undefined;
  let lastEvaluatedMs = Number.NEGATIVE_INFINITY;
  let lo = 0;
  let hi = 0;
  let done = 0;
  // issue 14: every bar before the step (not only the lookback) feeds the through-the-cycle floor's history.
  const ttc = profile.throughTheCycleTail ?? options.tailCalibrations?.[0]?.tail;
  let history = ttc ? emptyTailHistory(intervalMs, ttc.blockBars) : undefined;
  let historyEnd = 0;
  // Scored window ranges [from, to) and non-overlapping window starts, for the held-fixed test.
  const scoredRanges: number[] = [];
  const nonOverlappingStarts: number[] = [];

  for (let t = from; t < to; t += DAY_MS, done++) {
    options.onProgress?.({ done, total, atMs: t });
    const e = toEngineMs(scale, t);
    const eNext = toEngineMs(scale, t + DAY_MS);
    hi = lowerBound(times, e, hi);
    lo = lowerBound(times, e - lookbackMs, lo);
    const next = lowerBound(times, eNext, hi);
    // A day without a complete window (a data gap) is not a step; neither is one with too little history.
    if (countBreaches(moves.drop, hi, next, Number.POSITIVE_INFINITY).windows === 0) {
      result.skipped.noWindows++;
      continue;
    }
    if (hi - lo < warmupBars) {
      result.skipped.warmup++;
      continue;
    }
    if (t - lastEvaluatedMs > restartAfterMs) {
      current = null;
      lastChangeMs = undefined;
      emergency.reset();
      for (const r of Object.values(runs)) r.breakRun();
    } else if (t - lastEvaluatedMs > DAY_MS) {
      for (const r of Object.values(runs)) r.breakRun();
    }
    lastEvaluatedMs = t;

    const stepProfile = {
      ...profile,
      ...(options.tailCalibrations ? { throughTheCycleTail: calibrationAt(options.tailCalibrations, t) } : {}),
      current: current ? { [series.asset]: current } : {},
      currentUpdatedAt: lastChangeMs !== undefined ? { [series.asset]: new Date(lastChangeMs).toISOString() } : {},
    } as ProtocolProfile;
    if (history) {
      history = extendTailHistory(history, candles.slice(historyEnd, hi));
      historyEnd = hi;
    }
    const computed = recommend({
      asset: series.asset,
      profile: stepProfile,
      policy,
      candles: candles.slice(lo, hi),
      books,
      quality: { ...PASSED, lastBarAgeMs: Math.max(0, e - (times[hi - 1]! + intervalMs)) },
      nowMs: e,
      // The book is a standing assumption for every step (no historical books) and gaps are skipped above.
      staleness: 'ignore',
      ...(history ? { tailHistory: history } : {}),
    });
    const naive = trailingQuantile(moves.drop, lo, hi - horizonBars, profile.confidence, scratch);
    const v = computed.volatility;
    // The walk-forward always hands the engine candles; a figure the engine could not compute counts as a total loss here.
    const common = {
      adverseMove: v.adverseMove ?? 1,
      unconditionalMove: v.unconditional.adverseMove ?? 1,
      filteredMove: v.filtered.adverseMove ?? 0,
      adverseMoveSource: v.adverseMoveSource,
      regime: v.regime,
      slippage: computed.liquidity.slippageUsed ?? 1,
      // A stub engine (tests) may leave the fit out: a flat one, which the monitor reads as "no change".
      forecast: { alpha: v.forecast?.alpha ?? 0, beta: v.forecast?.beta ?? 0, nextBarAnnualized: v.forecast?.nextBarAnnualized ?? 0, longRunAnnualized: v.forecast?.longRunAnnualized ?? null },
    };

    let recommendation: LendingRecommendation | PerpRecommendation;
    let applied: LendingParameters | PerpParameters;
    if (computed.profileKind === 'lending') {
      const listing: boolean = current === null;
      applied = listing ? computed.target : computed.parameters;
      const ltStep = computed.steps.find((s) => s.parameter === 'liquidationThresholdBps');
      const bonus = bpsToFraction(computed.target.liquidationBonusBps);
      const appliedBonus = bpsToFraction(applied.liquidationBonusBps);
      const em = emergency.step(computed.target.liquidationThresholdBps, e);
      const naiveLtBps = naiveLiquidationThresholdBps(naive.quantile, common.slippage, computed.figures.liquidationBonus ?? bonus, lendingRounding(profile));
      recommendation = {
        kind: 'lending',
        ...common,
        bonusBps: computed.target.liquidationBonusBps,
        target: {
          ltBps: computed.target.liquidationThresholdBps,
          ltvBps: computed.target.ltvBps,
          buffer: lendingBufferDrop(bpsToFraction(computed.target.liquidationThresholdBps), bonus, common.slippage),
        },
        applied: {
          ltBps: applied.liquidationThresholdBps,
          ltvBps: applied.ltvBps,
          buffer: lendingBufferDrop(bpsToFraction(applied.liquidationThresholdBps), appliedBonus, common.slippage),
          status: listing ? 'listed' : (ltStep?.status ?? 'unchanged'),
          stress: !listing && (ltStep?.stress ?? false),
          needsVote: !listing && computed.needsGovernanceVote,
        },
        emergency: { ltBps: em.value, buffer: lendingBufferDrop(bpsToFraction(em.value), appliedBonus, common.slippage), flagged: em.flagged, voted: em.voted },
        naive: { adverseMove: naive.quantile, ltBps: naiveLtBps, buffer: lendingBufferDrop(bpsToFraction(naiveLtBps), bonus, common.slippage) },
        monteCarlo: computed.monteCarlo ?? NOT_SIMULATED,
      };
    } else {
      assertContinuousTiers(computed.tiers, `${series.id} at ${new Date(t).toISOString()}`);
      const listing: boolean = current === null;
      applied = listing ? computed.target : computed.parameters;
      const mmStep = computed.steps.find((s) => s.parameter === 'maintenanceMarginBps');
      const slippage = computed.figures.slippage ?? common.slippage;
      const naiveMmrBps = naiveMaintenanceMarginBps(naive.quantile, slippage, fee);
      const em = emergency.step(computed.target.maintenanceMarginBps, e);
      recommendation = {
        kind: 'perp',
        ...common,
        slippage,
        feeBuffer: fee,
        target: {
          mmrBps: computed.target.maintenanceMarginBps,
          maxLeverage: computed.target.maxLeverage,
          buffer: perpBufferMove(bpsToFraction(computed.target.maintenanceMarginBps), slippage, fee),
        },
        applied: {
          mmrBps: applied.maintenanceMarginBps,
          maxLeverage: applied.maxLeverage,
          buffer: perpBufferMove(bpsToFraction(applied.maintenanceMarginBps), slippage, fee),
          status: listing ? 'listed' : (mmStep?.status ?? 'unchanged'),
          stress: !listing && (mmStep?.stress ?? false),
          needsVote: !listing && computed.needsGovernanceVote,
        },
        emergency: { mmrBps: em.value, buffer: perpBufferMove(bpsToFraction(em.value), slippage, fee), flagged: em.flagged, voted: em.voted },
        naive: { adverseMove: naive.quantile, mmrBps: naiveMmrBps, buffer: perpBufferMove(bpsToFraction(naiveMmrBps), slippage, fee) },
        insuranceFundTargetUsd: computed.insuranceFundTargetUsd ?? 0,
      };
    }
    if (current === null || Object.keys(applied).some((k) => (applied as unknown as Record<string, number>)[k] !== (current as unknown as Record<string, number>)[k])) {
      lastChangeMs = e;
    }
    current = applied;

    const ok = computed.status === 'ok';
    const target = countBreaches(moves.drop, hi, next, recommendation.target.buffer);
    const appliedCount = countBreaches(moves.drop, hi, next, recommendation.applied.buffer);
    const emergencyCount = countBreaches(moves.drop, hi, next, recommendation.emergency.buffer);
    const naiveCount = countBreaches(moves.drop, hi, next, recommendation.naive.buffer);
    const outcome: StepOutcome = {
      windows: target.windows,
      worstMove: worstMove(moves.drop, hi, next),
      breaches: { target: target.breaches, applied: appliedCount.breaches, emergency: emergencyCount.breaches, naive: naiveCount.breaches },
    };
    if (recommendation.kind === 'perp') {
      outcome.worstRise = worstMove(moves.rise, hi, next);
      outcome.shortBreaches = countBreaches(moves.rise, hi, next, recommendation.target.buffer).breaches;
    }
    const binds = bindsOf(computed, profile, recommendation.applied.status);
    result.steps.push({ atMs: t, price: bars.close[hi - 1]!, status: computed.status, unfitReasons: computed.unfitReasons, recommendation, outcome, binds });
    if (!ok) {
      for (const r of Object.values(runs)) r.breakRun();
      continue;
    }

    scoredRanges.push(hi, next);
    add(totals.target, target.windows, target.breaches);
    add(totals.applied, appliedCount.windows, appliedCount.breaches);
    add(totals.emergency, emergencyCount.windows, emergencyCount.breaches);
    add(totals.naive, naiveCount.windows, naiveCount.breaches);
    if (recommendation.kind === 'perp') add(totals.shortSide, target.windows, outcome.shortBreaches!);
    // Non-overlapping windows (one every h from the step time) for the independence test; a missing or
    // incomplete window breaks the run.
    for (let start = e, i = hi; start < eNext; start += horizonMs) {
      i = lowerBound(times, start, i, next);
      const move = times[i] === start ? moves.drop[i]! : Number.NaN;
      if (Number.isNaN(move)) {
        for (const r of Object.values(runs)) r.breakRun();
        continue;
      }
      nonOverlappingStarts.push(i);
      runs.target.push(move > recommendation.target.buffer);
      runs.applied.push(move > recommendation.applied.buffer);
      runs.emergency.push(move > recommendation.emergency.buffer);
      runs.naive.push(move > recommendation.naive.buffer);
      if (recommendation.kind === 'perp') runs.shortSide.push(moves.rise[i]! > recommendation.target.buffer);
    }
  }
  options.onProgress?.({ done: total, total, atMs: to });
  result.heldFixed = heldFixedOf(result.steps, moves.drop, scoredRanges, nonOverlappingStarts, 1 - profile.confidence);

  const alphaTail = 1 - profile.confidence;
  result.coverage = {
    target: coverageOf(totals.target, runs.target, alphaTail),
    applied: coverageOf(totals.applied, runs.applied, alphaTail),
    emergency: coverageOf(totals.emergency, runs.emergency, alphaTail),
    naive: coverageOf(totals.naive, runs.naive, alphaTail),
    shortSide: profile.kind === 'perp' ? coverageOf(totals.shortSide, runs.shortSide, alphaTail) : null,
  };
  return result;
}

function calibrationAt(calibrations: readonly { fromMs: number; tail: ThroughTheCycleTail }[], atMs: number): ThroughTheCycleTail | undefined {
  let chosen: ThroughTheCycleTail | undefined;
  for (const c of calibrations) if (c.fromMs <= atMs) chosen = c.tail;
  return chosen;
}

function zero(): { windows: number; breaches: number } {
  return { windows: 0, breaches: 0 };
}

function add(total: { windows: number; breaches: number }, windows: number, breaches: number): void {
  total.windows += windows;
  total.breaches += breaches;
}

/** The guard-rail rule of the parameter the breach buffer reads (LT; a perp's maintenance margin), as the engine builds it (engine/rules.ts). */
function mainRule(profile: ProtocolProfile): ParameterRule {
  const rules = rulesOf(profile);
  const name = profile.kind === 'lending' ? 'liquidationThresholdBps' : 'maintenanceMarginBps';
  return rules.find((r) => r.parameter === name)!;
}

function lendingRounding(profile: ProtocolProfile): number {
  return profile.kind === 'lending' ? profile.roundingStepBps : 1;
}
