import { describe, expect, it } from 'vitest';
import { DEFAULT_MONITOR } from '../../../shared/config/defaults.js';
import { monitorSchema } from '../../../shared/config/monitor.js';
import { lendingBufferDrop, liquidationThreshold, roundDownBps } from '../../../shared/risk/lending.js';
import { figuresOf, initialState, monitorFitOf, monitorStep, rebase, type MonitoredMarket, type MonitorState } from '../../../shared/risk/monitor/core.js';
import { MS_PER_HOUR, MS_PER_MINUTE } from '../../../shared/util/time.js';

const config = monitorSchema.parse(DEFAULT_MONITOR);
const T0 = Date.UTC(2020, 2, 12);
// A BTC-like lending market: LT 78 %, bonus 4.5 %, hourly GARCH with long-run hourly sigma 0.8 %.
const fit = { omega: 0.008 ** 2 * 0.05, alpha: 0.1, beta: 0.85, longRunVariance: 0.008 ** 2, lastVariance: 0.008 ** 2 };
const market: MonitoredMarket = {
  asset: 'BTC',
  profileKind: 'lending',
  inForceBps: 7800,
  referencePrice: 100,
  referenceAtMs: T0,
  bonus: 0.045,
  slippage: 0.001,
  feeBuffer: 0,
  adverseMove: 0.18,
  filteredMove: 0.12,
  horizonBars: 4,
  barMs: MS_PER_HOUR,
  fit,
  roundingStepBps: 50,
  stressTightenBps: 200,
};

function run(closes: number[], state: MonitorState = initialState(market), m: MonitoredMarket = market) {
  const decisions = [];
  for (const [i, close] of closes.entries()) {
    const out = monitorStep(m, state, { atMs: m.referenceAtMs + (i + 1) * MS_PER_HOUR, close }, config);
    state = out.state;
    decisions.push(out.decision);
  }
  return { state, decisions };
}

describe('stress monitor core', () => {
  it('a quiet hour is nothing; figures read the buffer of the value in force', () => {
    const { decisions } = run([99.8, 100.1, 99.9]);
    expect(decisions.map((d) => d.kind)).toEqual(['none', 'none', 'none']);
    expect(decisions[0]!.figures.buffer).toBeCloseTo(lendingBufferDrop(0.78, 0.045, 0.001), 12);
    expect(decisions[0]!.figures.targetBps).toBe(roundDownBps(liquidationThreshold(0.18, 0.001, 0.045), 50));
  });

  it('a crash alerts once, critical, with an emergency cut beyond the stress line to the rescaled tail; then one all-clear', () => {
    // -6 %, -8 %, -10 % hours: about 22 % down in three hours (the 4 h buffer is about 18 %).
    const crash = [94, 86.5, 77.8];
    const { state, decisions } = run([...crash, 78, 78.5]);
    expect(decisions.filter((d) => d.kind === 'alert')).toHaveLength(1);
    const withCut = decisions.filter((d) => (d.kind === 'alert' || d.kind === 'emergency') && d.emergency);
    expect(withCut).toHaveLength(1);
    const first = decisions.find((d) => d.kind === 'alert')!;
    expect(first.kind === 'alert' && first.reason).toContain('buffer');
    const emergency = decisions.find((d) => (d.kind === 'alert' || d.kind === 'emergency') && d.emergency)!;
    expect(emergency.kind === 'alert' || emergency.kind === 'emergency').toBe(true);
    if (emergency.kind !== 'alert' && emergency.kind !== 'emergency') return;
    expect(emergency.reason).toBe('buffer+volatility');
    expect(emergency.emergency!.parameter).toBe('liquidationThresholdBps');
    expect(emergency.emergency!.fromBps).toBe(7800);
    expect(7800 - emergency.emergency!.toBps).toBeGreaterThanOrEqual(200);
    expect(emergency.figures.volatilityRatio).toBeGreaterThan(config.stressedVolatilityRatio);
    // Episode open: no second alert while the crash goes on.
    expect(state.episode).not.toBeNull();
    expect(state.episode!.emergencySent).toBe(true);
    // Recovery: back at the reference for a whole day, the volatility decays: one all-clear.
    let s = state;
    const after: string[] = [];
    for (let h = 0; h < 24 * 6; h++) {
      const out = monitorStep(market, s, { atMs: T0 + (10 + h) * MS_PER_HOUR, close: 100 }, config);
      s = out.state;
      after.push(out.decision.kind);
    }
    expect(after.filter((k) => k === 'all-clear')).toHaveLength(1);
    expect(after.filter((k) => k === 'alert' || k === 'emergency')).toHaveLength(0);
    expect(s.episode).toBeNull();
  });

  it('a large move with calm volatility alerts (warning or critical) but proposes no emergency', () => {
    // A slow slide: one small step per hour never lifts the GARCH variance far.
    const calmFit = { ...fit, alpha: 0.02, beta: 0.97, omega: 0.008 ** 2 * 0.01 };
    const m = { ...market, fit: calmFit };
    const closes = Array.from({ length: 40 }, (_, i) => 100 * (1 - 0.01 * (i + 1)));
    const { decisions } = run(closes, initialState(m), m);
    expect(decisions.filter((d) => d.kind === 'alert')).toHaveLength(1);
    expect(decisions.some((d) => (d.kind === 'alert' || d.kind === 'emergency') && d.emergency)).toBe(false);
  });

  it('the move since the reference is judged against the buffer scaled by the square root of time', () => {
    const early = figuresOf(market, fit.lastVariance, 90, T0 + 4 * MS_PER_HOUR);
    const late = figuresOf(market, fit.lastVariance, 90, T0 + 16 * MS_PER_HOUR);
    expect(late.scaledBuffer / early.scaledBuffer).toBeCloseTo(2, 12);
    expect(late.consumedShare).toBeCloseTo(early.consumedShare / 2, 12);
    // The horizon window's own move is read against the unscaled buffer.
    const inWindow = figuresOf(market, fit.lastVariance, 90, T0 + 16 * MS_PER_HOUR, [100]);
    expect(inWindow.windowMove).toBeCloseTo(0.1, 12);
    expect(inWindow.consumedShare).toBeGreaterThan(late.consumedShare);
  });

  it('perps: a move either way consumes the margin buffer; the emergency raises the maintenance margin', () => {
    const perp: MonitoredMarket = { ...market, profileKind: 'perp', inForceBps: 150, bonus: 0, slippage: 0.001, feeBuffer: 0.001, adverseMove: 0.012, filteredMove: 0.01, horizonBars: 1, barMs: 5 * MS_PER_MINUTE, stressTightenBps: 25 };
    const up = figuresOf(perp, fit.lastVariance, 101, perp.referenceAtMs + perp.barMs);
    const down = figuresOf(perp, fit.lastVariance, 99, perp.referenceAtMs + perp.barMs);
    expect(up.move).toBeCloseTo(0.01, 12);
    expect(down.move).toBeCloseTo(0.01, 12);
    const stressed = figuresOf(perp, fit.lastVariance * 16, 99, perp.referenceAtMs + perp.barMs);
    expect(stressed.targetBps).toBeGreaterThan(150);
  });

  it('the episode survives a rebase on a new recommendation (one alert per episode across recomputes)', () => {
    const { state } = run([94, 86.5, 77.8]);
    const next = rebase(state, { ...market, referencePrice: 78, referenceAtMs: T0 + 24 * MS_PER_HOUR });
    expect(next.episode).toEqual(state.episode);
    expect(next.variance).toBe(fit.lastVariance);
    const out = monitorStep({ ...market, referencePrice: 78, referenceAtMs: T0 + 24 * MS_PER_HOUR }, next, { atMs: T0 + 25 * MS_PER_HOUR, close: 60 }, config);
    expect(out.decision.kind === 'alert').toBe(false);
  });

  it('reads the fit a recommendation stores (annualized) back per bar', () => {
    const f = monitorFitOf({ alpha: 0.1, beta: 0.85, nextBarAnnualized: 0.8, longRunAnnualized: 0.6 }, 8760);
    expect(f.lastVariance).toBeCloseTo(0.64 / 8760, 15);
    expect(f.longRunVariance).toBeCloseTo(0.36 / 8760, 15);
    expect(f.omega).toBeCloseTo((0.36 / 8760) * 0.05, 15);
    const ewma = monitorFitOf({ alpha: 0.06, beta: 0.94, nextBarAnnualized: 0.8, longRunAnnualized: null }, 8760);
    expect(ewma.omega).toBe(0);
    expect(ewma.longRunVariance).toBe(ewma.lastVariance);
  });

  it('config refuses an all-clear line at or above the alert line', () => {
    expect(() => monitorSchema.parse({ ...DEFAULT_MONITOR, clearBufferShare: 0.6 })).toThrow(/clearBufferShare/);
  });
});
