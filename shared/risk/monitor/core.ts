import type { MonitorConfig } from '../../config/monitor.js';
import { MS_PER_MINUTE } from '../../util/time.js';
import { bpsToFraction } from '../../util/units.js';
import { horizonVariance } from '../garch.js';
import { lendingBufferDrop, liquidationThreshold, roundDownBps, roundUpBps } from '../lending.js';
import { maintenanceMargin, perpBufferMove } from '../perp.js';

/**
 * The stress monitor's decision for one asset and one bar (issue 15). Pure and O(1) per bar: no engine run,
 * no fit. Inputs: the parameters in force and what they were computed from (the reference price, the
 * tail, the volatility fit), the monitor's state carried from the previous bar, and the newest close.
 *
 * - Conditional volatility: the fit's own recursion s2 <- omega + alpha r^2 + beta s2 on each new log return
 *   (GARCH(1,1); its EWMA fallback is omega 0, alpha 1 - lambda, beta lambda), from the fit's next-bar variance.
 * - Buffer: the move the parameter in force absorbs over the profile's horizon h (lending: the drop D* at
 *   which a position at LT is insolvent after bonus and slippage; perps: MMR less slippage and fee). A
 *   move since the reference price t after it is compared with the buffer scaled to t by the square root
 *   of time (max(1, t / h)): a 4-hour buffer is not consumed by a day's ordinary drift, and a 5-minute
 *   perp buffer by an hour's.
 * - Alert: the move consumes `alertBufferShare` of that buffer, or the conditional volatility is above
 *   `stressedVolatilityRatio` x its long-run level. One alert per episode; the episode ends with an
 *   all-clear after `clearAfterMinutes` below `clearBufferShare` and the ratio.
 * - Emergency (once per episode): the tail rescaled to the conditional volatility gives the target the
 *   DAO can enact at once (not only the steward's bounded step); it is proposed when the move and the
 *   volatility agree on the same bar (reason 'buffer+volatility': the price moved and the regime changed)
 *   and it is tighter than the value in force by at least the profile's stress line (`stressTightenBps`), the same line beyond
 *   which the engine's stress tightenings lead a proposal as [EMERGENCY CUT] (governance/render.ts).
 */

export type MonitoredParameter = 'liquidationThresholdBps' | 'maintenanceMarginBps';

/** A GARCH(1,1) (or EWMA) fit per bar: what the recursion needs. */
export interface MonitorFit {
  omega: number;
  alpha: number;
  beta: number;
  longRunVariance: number;
  /** The next-bar variance at the fit (the reference bar). */
  lastVariance: number;
}

/** The market as the parameters in force see it. Fractions unless named Bps. */
export interface MonitoredMarket {
  asset: string;
  profileKind: 'lending' | 'perp';
  /** The value in force of the parameter the buffer reads (LT; a perp's maintenance margin). */
  inForceBps: number;
  /** Last close the parameters in force were computed from, and when. */
  referencePrice: number;
  referenceAtMs: number;
  /** Lending: the liquidation bonus in force; perps: 0. */
  bonus: number;
  slippage: number;
  /** Perps: fee buffer; lending: 0. */
  feeBuffer: number;
  /** The engine's adverse move D (max of filtered and floor) and its filtered part, at the reference. */
  adverseMove: number;
  filteredMove: number;
  horizonBars: number;
  barMs: number;
  fit: MonitorFit;
  /** Lending rounding step of LT (bps); perps round up to whole bps. */
  roundingStepBps: number;
  /** The profile's stress line (bps). */
  stressTightenBps: number;
}

export interface MonitorEpisode {
  startedAtMs: number;
  /** Since when the figures are below the all-clear lines (null: not below). */
  calmSinceMs: number | null;
  emergencySent: boolean;
}

/** Carried from bar to bar (stored per asset in production). */
export interface MonitorState {
  /** Conditional variance of the next bar. */
  variance: number;
  lastClose: number;
  lastAtMs: number;
  /** The closes of the last `horizonBars` bars before the newest, oldest first (the horizon window's start). */
  recentCloses: number[];
  /** The reference the variance was started from (a new reference restarts it at the new fit). */
  referenceAtMs: number;
  episode: MonitorEpisode | null;
}

export interface MonitorFigures {
  /** Move against positions since the reference (lending: the drop; perps: either way). */
  move: number;
  /** Worst move against positions from a close of the last horizon window to the newest close. */
  windowMove: number;
  /** The horizon buffer of the value in force, and scaled to the time since the reference. */
  buffer: number;
  scaledBuffer: number;
  /** The larger of move / scaledBuffer and windowMove / buffer. */
  consumedShare: number;
  /** Conditional per-bar volatility over its long-run level. */
  volatilityRatio: number;
  /** The tail rescaled to the conditional volatility, and the value it implies (bps). */
  adverseMoveNow: number;
  targetBps: number;
}

export interface MonitorEmergency {
  parameter: MonitoredParameter;
  fromBps: number;
  toBps: number;
}

export type MonitorReason = 'buffer' | 'volatility' | 'buffer+volatility';

export type MonitorDecision =
  | { kind: 'none'; figures: MonitorFigures }
  | { kind: 'alert'; severity: 'warning' | 'critical'; reason: MonitorReason; figures: MonitorFigures; emergency: MonitorEmergency | null }
  | { kind: 'emergency'; reason: MonitorReason; figures: MonitorFigures; emergency: MonitorEmergency }
  | { kind: 'all-clear'; figures: MonitorFigures; episodeStartedAtMs: number };

/** The fit as a recommendation stores it (annualized volatilities, shared/model/recommendation.ts). */
export function monitorFitOf(
  forecast: { alpha: number; beta: number; nextBarAnnualized: number; longRunAnnualized: number | null },
  barsPerYear: number,
): MonitorFit {
  const lastVariance = (forecast.nextBarAnnualized * forecast.nextBarAnnualized) / barsPerYear;
  const longRunVariance = forecast.longRunAnnualized !== null ? (forecast.longRunAnnualized * forecast.longRunAnnualized) / barsPerYear : lastVariance;
  const persistence = forecast.alpha + forecast.beta;
  return { omega: Math.max(0, longRunVariance * (1 - persistence)), alpha: forecast.alpha, beta: forecast.beta, longRunVariance, lastVariance };
}

export function parameterOf(kind: 'lending' | 'perp'): MonitoredParameter {
  return kind === 'lending' ? 'liquidationThresholdBps' : 'maintenanceMarginBps';
}

/** The horizon buffer of a value of the monitored parameter. */
export function bufferOf(market: MonitoredMarket, valueBps: number): number {
  return market.profileKind === 'lending'
    ? lendingBufferDrop(bpsToFraction(valueBps), market.bonus, market.slippage)
    : perpBufferMove(bpsToFraction(valueBps), market.slippage, market.feeBuffer);
}

/** A fresh state at the market's reference (no episode). */
export function initialState(market: MonitoredMarket): MonitorState {
  return { variance: market.fit.lastVariance, lastClose: market.referencePrice, lastAtMs: market.referenceAtMs, recentCloses: [market.referencePrice], referenceAtMs: market.referenceAtMs, episode: null };
}

/**
 * The state carried onto a new reference (a new recommendation): the volatility restarts at the new fit,
 * the episode (if any) carries on, so a stress spanning a recompute alerts once.
 */
export function rebase(state: MonitorState | null, market: MonitoredMarket): MonitorState {
  return { ...initialState(market), ...(state ? { recentCloses: state.recentCloses } : {}), episode: state?.episode ?? null };
}

function horizonSigma(fit: MonitorFit, variance: number, horizonBars: number): number {
  return Math.sqrt(horizonVariance({ persistence: fit.alpha + fit.beta, longRunVariance: fit.longRunVariance, lastVariance: variance }, horizonBars));
}

/** The figures of a market at a close, given the conditional variance after it. */
export function figuresOf(market: MonitoredMarket, variance: number, close: number, atMs: number, recentCloses: readonly number[] = [], windowWeight = 1): MonitorFigures {
  const against = (from: number) => Math.max(0, market.profileKind === 'lending' ? 1 - close / from : Math.abs(close / from - 1));
  const move = against(market.referencePrice);
  let windowMove = 0;
  for (const from of recentCloses) if (from > 0) windowMove = Math.max(windowMove, against(from));
  const buffer = bufferOf(market, market.inForceBps);
  const elapsedBars = Math.max(0, atMs - market.referenceAtMs) / market.barMs;
  const scaledBuffer = buffer * Math.sqrt(Math.max(1, elapsedBars / market.horizonBars));
  const consumedShare = Math.max(share(move, scaledBuffer), share(windowMove, buffer) * windowWeight);
  const volatilityRatio = market.fit.longRunVariance > 0 ? Math.sqrt(variance / market.fit.longRunVariance) : 1;
  // The filtered tail is a multiple of the horizon sigma: ln(1 - D) scales with it.
  const then = horizonSigma(market.fit, market.fit.lastVariance, market.horizonBars);
  const now = horizonSigma(market.fit, variance, market.horizonBars);
  const scale = then > 0 && Number.isFinite(now / then) ? now / then : 1;
  const filteredNow = 1 - Math.pow(1 - Math.min(market.filteredMove, 0.999999), scale);
  const adverseMoveNow = Math.min(1, Math.max(market.adverseMove, filteredNow));
  const targetBps =
    market.profileKind === 'lending'
      ? roundDownBps(liquidationThreshold(adverseMoveNow, market.slippage, market.bonus), market.roundingStepBps)
      : roundUpBps(maintenanceMargin(adverseMoveNow, market.slippage, market.feeBuffer));
  return { move, windowMove, buffer, scaledBuffer, consumedShare, volatilityRatio, adverseMoveNow, targetBps };
}

function share(move: number, buffer: number): number {
  return buffer > 0 ? move / buffer : move > 0 ? Number.POSITIVE_INFINITY : 0;
}

function emergencyOf(market: MonitoredMarket, figures: MonitorFigures): MonitorEmergency | null {
  const cut = market.profileKind === 'lending' ? market.inForceBps - figures.targetBps : figures.targetBps - market.inForceBps;
  return cut >= market.stressTightenBps ? { parameter: parameterOf(market.profileKind), fromBps: market.inForceBps, toBps: figures.targetBps } : null;
}

/** Updates the conditional variance with the close (the state's last close is the previous bar). */
export function updateVariance(market: MonitoredMarket, state: MonitorState, close: number): number {
  if (!(close > 0) || !(state.lastClose > 0)) return state.variance;
  const r = Math.log(close / state.lastClose);
  return market.fit.omega + market.fit.alpha * r * r + market.fit.beta * state.variance;
}

/** One bar: the new state and the decision. `state` must be based on this market's reference (rebase). */
export function monitorStep(market: MonitoredMarket, state: MonitorState, bar: { atMs: number; close: number }, config: MonitorConfig): { state: MonitorState; decision: MonitorDecision } {
  const variance = updateVariance(market, state, bar.close);
  const figures = figuresOf(market, variance, bar.close, bar.atMs, state.recentCloses, config.alertBufferShare / config.windowAlertBufferShare);
  const recentCloses = [...state.recentCloses, bar.close].slice(-market.horizonBars);
  const byBuffer = figures.consumedShare >= config.alertBufferShare;
  const byVolatility = figures.volatilityRatio >= config.stressedVolatilityRatio;
  const reason: MonitorReason | null = byBuffer && byVolatility ? 'buffer+volatility' : byBuffer ? 'buffer' : byVolatility ? 'volatility' : null;
  const next: MonitorState = { variance, lastClose: bar.close, lastAtMs: bar.atMs, recentCloses, referenceAtMs: state.referenceAtMs, episode: state.episode };
  const episode = state.episode;

  if (episode === null) {
    if (reason === null) return { state: next, decision: { kind: 'none', figures } };
    const emergency = reason === 'buffer+volatility' ? emergencyOf(market, figures) : null;
    next.episode = { startedAtMs: bar.atMs, calmSinceMs: null, emergencySent: emergency !== null };
    const severity = figures.consumedShare >= config.criticalBufferShare || emergency !== null ? 'critical' : 'warning';
    return { state: next, decision: { kind: 'alert', severity, reason, figures, emergency } };
  }

  const calm = figures.consumedShare < config.clearBufferShare && !byVolatility;
  const calmSinceMs = calm ? (episode.calmSinceMs ?? bar.atMs) : null;
  if (calmSinceMs !== null && bar.atMs - calmSinceMs >= config.clearAfterMinutes * MS_PER_MINUTE) {
    next.episode = null;
    return { state: next, decision: { kind: 'all-clear', figures, episodeStartedAtMs: episode.startedAtMs } };
  }
  next.episode = { ...episode, calmSinceMs };
  if (!episode.emergencySent && reason === 'buffer+volatility') {
    const emergency = emergencyOf(market, figures);
    if (emergency) {
      next.episode.emergencySent = true;
      return { state: next, decision: { kind: 'emergency', reason, figures, emergency } };
    }
  }
  return { state: next, decision: { kind: 'none', figures } };
}
