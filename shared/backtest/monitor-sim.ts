import type { MonitorConfig } from '../config/monitor.js';
import type { ProtocolProfile } from '../config/schema.js';
import { rulesOf } from '../risk/engine/rules.js';
import { applyGuardRails } from '../risk/guardrails.js';
import { bufferOf, monitorFitOf, monitorStep, parameterOf, rebase, type MonitoredMarket, type MonitoredParameter, type MonitorReason, type MonitorState } from '../risk/monitor/core.js';
import { MS_PER_DAY, MS_PER_MINUTE } from '../util/time.js';
import { bpsToFraction } from '../util/units.js';
import type { SeriesResult, StepRecord } from './walkforward-types.js';
import { lowerBound, windowMoves, type BarColumns } from './windows.js';

/**
 * The stress monitor (shared/risk/monitor/core.ts) simulated on every bar of a backtest series (issue 15):
 * hourly on 1h series, every 5 minutes on 5m series. At each daily step the monitor is rebased on the
 * step's recommendation (reference price, tail, volatility fit); between steps it updates the conditional
 * variance bar by bar and decides. Its emergency cuts are scored as enacted at once:
 * - before any emergency the value in force is the steward-applied path;
 * - an emergency sets its value from the next bar; then, for `mandateDays`, each daily step sets the
 *   engine's target (both ways, like the vote's mandate in emergency.ts);
 * - after the mandate the steward's bounded steps resume from there.
 * Every window of the monitored days is scored against the value in force when it opens, beside the
 * steward-applied path on the same windows.
 */

export interface MonitorEmergencyRecord {
  /** Open time of the bar whose close triggered the cut (the data's bar label); in force from the next bar. */
  atMs: number;
  reason: MonitorReason;
  parameter: MonitoredParameter;
  fromBps: number;
  toBps: number;
}

export interface MonitorAlertRecord {
  atMs: number;
  severity: 'warning' | 'critical';
  reason: MonitorReason;
  consumedShare: number;
  volatilityRatio: number;
}

export interface MonitorSimulation {
  barsMonitored: number;
  alerts: MonitorAlertRecord[];
  allClears: number;
  emergencies: MonitorEmergencyRecord[];
  /** Windows of the monitored days: breaches of the path as enacted and of the steward-applied path. */
  scored: { windows: number; enactedBreaches: number; appliedBreaches: number };
  elapsedMs: number;
}

function valuesOf(step: StepRecord): { targetBps: number; appliedBps: number } {
  const r = step.recommendation;
  return r.kind === 'lending' ? { targetBps: r.target.ltBps, appliedBps: r.applied.ltBps } : { targetBps: r.target.mmrBps, appliedBps: r.applied.mmrBps };
}

function marketOf(asset: string, step: StepRecord, profile: ProtocolProfile, inForceBps: number, horizonBars: number, barMs: number): MonitoredMarket {
  const r = step.recommendation;
  const barsPerYear = (MS_PER_DAY / barMs) * 365;
  const stressLine = profile.kind === 'lending' ? (profile.stressTightenBps ?? profile.maxStepBps) : (profile.stressTightenBps ?? profile.maintenanceMarginMaxStepBps);
  return {
    asset,
    profileKind: r.kind,
    inForceBps,
    referencePrice: step.price,
    referenceAtMs: step.atMs,
    bonus: r.kind === 'lending' ? bpsToFraction(r.bonusBps) : 0,
    slippage: r.slippage,
    feeBuffer: r.kind === 'perp' ? r.feeBuffer : 0,
    adverseMove: r.adverseMove,
    filteredMove: r.filteredMove,
    horizonBars,
    barMs,
    fit: monitorFitOf(r.forecast, barsPerYear),
    roundingStepBps: profile.kind === 'lending' ? profile.roundingStepBps : 1,
    stressTightenBps: stressLine,
  };
}

/** Runs the monitor over a walk-forward's ok steps and the series' bars (engine clock = calendar: not for daily series). */
export function simulateMonitor(result: SeriesResult, bars: BarColumns, profile: ProtocolProfile, config: MonitorConfig, restartAfterDays = 7): MonitorSimulation {
  const started = performance.now();
  const barMs = bars.intervalMs;
  const horizonBars = Math.max(1, Math.round((profile.horizonMinutes * MS_PER_MINUTE) / barMs));
  const moves = windowMoves(bars, horizonBars).drop;
  const times = bars.openTimeMs;
  const rule = rulesOf(profile).find((r) => r.parameter === parameterOf(profile.kind))!;
  const out: MonitorSimulation = { barsMonitored: 0, alerts: [], allClears: 0, emergencies: [], scored: { windows: 0, enactedBreaches: 0, appliedBreaches: 0 }, elapsedMs: 0 };

  let state: MonitorState | null = null;
  let enacted: number | null = null;
  let ownPath = false;
  let mandateUntilMs = Number.NEGATIVE_INFINITY;
  let lastChangeMs: number | undefined;
  let lastStepMs = Number.NEGATIVE_INFINITY;
  let lo = 0;
  for (const step of result.steps) {
    if (step.status !== 'ok') continue;
    const t = step.atMs;
    if (t - lastStepMs > restartAfterDays * MS_PER_DAY) {
      state = null;
      enacted = null;
      ownPath = false;
      mandateUntilMs = Number.NEGATIVE_INFINITY;
      lastChangeMs = undefined;
    }
    lastStepMs = t;
    const { targetBps, appliedBps } = valuesOf(step);
    let value: number;
    if (!ownPath || enacted === null) value = appliedBps;
    else if (t < mandateUntilMs) value = targetBps;
    else {
      const [railed] = applyGuardRails({
        rules: [rule],
        target: { [rule.parameter]: targetBps },
        current: { [rule.parameter]: enacted },
        lastChangedAtMs: { [rule.parameter]: lastChangeMs },
        nowMs: t,
        evidence: { strong: true, reasons: [] },
        frozen: false,
      });
      value = railed!.proposed ?? enacted;
    }
    if (value !== enacted) lastChangeMs = t;
    enacted = value;

    let market = marketOf(result.asset, step, profile, enacted, horizonBars, barMs);
    const appliedBuffer = bufferOf(market, appliedBps);
    let enactedBuffer = bufferOf(market, enacted);
    state = rebase(state, market);
    lo = lowerBound(times, t, lo);
    const end = lowerBound(times, t + MS_PER_DAY, lo);
    for (let i = lo; i < end; i++) {
      const move = moves[i]!;
      if (!Number.isNaN(move)) {
        out.scored.windows++;
        if (move > enactedBuffer) out.scored.enactedBreaches++;
        if (move > appliedBuffer) out.scored.appliedBreaches++;
      }
      const atMs = times[i]!;
      const { state: next, decision } = monitorStep(market, state, { atMs: atMs + barMs, close: bars.close[i]! }, config);
      state = next;
      out.barsMonitored++;
      if (decision.kind === 'all-clear') out.allClears++;
      if (decision.kind === 'alert') {
        const f = decision.figures;
        out.alerts.push({ atMs, severity: decision.severity, reason: decision.reason, consumedShare: round(f.consumedShare), volatilityRatio: round(f.volatilityRatio) });
      }
      const emergency = decision.kind === 'alert' || decision.kind === 'emergency' ? decision.emergency : null;
      if (emergency && decision.kind !== 'none' && decision.kind !== 'all-clear') {
        out.emergencies.push({ atMs, reason: decision.reason, ...emergency });
        enacted = emergency.toBps;
        lastChangeMs = atMs + barMs;
        ownPath = true;
        mandateUntilMs = atMs + barMs + config.mandateDays * MS_PER_DAY;
        // The cut is the parameter in force from here, set at this close.
        market = { ...market, inForceBps: enacted, referencePrice: bars.close[i]!, referenceAtMs: atMs + barMs };
        enactedBuffer = bufferOf(market, enacted);
      }
    }
    lo = end;
  }
  out.elapsedMs = performance.now() - started;
  return out;
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}
