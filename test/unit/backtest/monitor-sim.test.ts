import { describe, expect, it } from 'vitest';
import { simulateMonitor } from '../../../shared/backtest/monitor-sim.js';
import type { SeriesResult, StepRecord } from '../../../shared/backtest/walkforward.js';
import { toColumns } from '../../../shared/backtest/windows.js';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import type { CandleLike } from '../../../shared/risk/series.js';
import { DAY, H, START } from './stub.js';

const config = buildConfig();
const profile = config.profiles.find((p): p is LendingProfile => p.kind === 'lending')!;

/** Hourly bars at 100 (0.2 % wicks) with a -9 % hour at day 2 10:00, 11:00 and 12:00, then flat at the low. */
function bars(days: number): CandleLike[] {
  let price = 100;
  return Array.from({ length: days * 24 }, (_, i) => {
    const open = price;
    const t = START + i * H;
    if (t >= START + 2 * DAY + 10 * H && t <= START + 2 * DAY + 12 * H) price *= 0.91;
    return { openTimeMs: t, open, high: Math.max(open, price) * 1.002, low: Math.min(open, price) * 0.998, close: price };
  });
}

function step(day: number, price: number, ltBps: number): StepRecord {
  return {
    atMs: START + day * DAY,
    price,
    status: 'ok',
    unfitReasons: [],
    recommendation: {
      kind: 'lending',
      adverseMove: 0.18,
      unconditionalMove: 0.18,
      filteredMove: 0.1,
      adverseMoveSource: 'unconditional',
      regime: 'normal',
      slippage: 0.001,
      // Hourly GARCH at its long-run level, 60 % a year.
      forecast: { alpha: 0.1, beta: 0.85, nextBarAnnualized: 0.6, longRunAnnualized: 0.6 },
      bonusBps: 450,
      target: { ltBps, ltvBps: ltBps - 400, buffer: 0 },
      applied: { ltBps, ltvBps: ltBps - 400, buffer: 0, status: 'unchanged', stress: false, needsVote: false },
      emergency: { ltBps, buffer: 0, flagged: false, voted: false },
      naive: { adverseMove: 0.18, ltBps, buffer: 0 },
      monteCarlo: { paths: 0, positions: 0, totalCollateralUsd: 0, expectedBadDebtUsd: 0, valueAtRiskUsd: 0, expectedShortfallUsd: 0, probabilityOfBadDebt: 0 },
    },
    outcome: { windows: 24, worstMove: 0, breaches: { target: 0, applied: 0, emergency: 0, naive: 0 } },
    binds: {} as StepRecord['binds'],
  };
}

function series(steps: StepRecord[]): SeriesResult {
  return { id: 'X', asset: 'X', source: 'x.csv', barLabel: '1h', profileId: profile.id, profileKind: 'lending', horizonMinutes: 240, confidence: 0.999, steps, skipped: { warmup: 0, noWindows: 0 }, coverage: { target: null, applied: null, emergency: null, naive: null, shortSide: null }, heldFixed: null };
}

describe('stress monitor in the backtest (every bar between daily steps)', () => {
  it('a crash inside a day: one emergency within two bars of the first big drop, then scored as enacted', () => {
    const candles = bars(6);
    const steps = [0, 1, 2, 3, 4, 5].map((d) => step(d, d <= 2 ? 100 : 75.4, 7800));
    const sim = simulateMonitor(series(steps), toColumns(candles, H), profile, config.monitor);
    expect(sim.barsMonitored).toBe(6 * 24);
    expect(sim.emergencies).toHaveLength(1);
    const e = sim.emergencies[0]!;
    expect(e.atMs).toBeGreaterThanOrEqual(START + 2 * DAY + 10 * H);
    expect(e.atMs).toBeLessThanOrEqual(START + 2 * DAY + 12 * H);
    expect(e).toMatchObject({ parameter: 'liquidationThresholdBps', fromBps: 7800 });
    expect(7800 - e.toBps).toBeGreaterThanOrEqual(profile.stressTightenBps!);
    expect(sim.alerts.length).toBeGreaterThanOrEqual(1);
    // The cut widens the buffer of every window after it: the enacted path never breaks more than the steward path.
    expect(sim.scored.enactedBreaches).toBeLessThanOrEqual(sim.scored.appliedBreaches);
    expect(sim.scored.windows).toBeGreaterThan(0);
  });

  it('a quiet series: no alert, no emergency, the enacted path is the steward path', () => {
    const flat = bars(2);
    const sim = simulateMonitor(series([step(0, 100, 7800), step(1, 100, 7800)]), toColumns(flat, H), profile, config.monitor);
    expect(sim.alerts).toEqual([]);
    expect(sim.emergencies).toEqual([]);
    expect(sim.scored.enactedBreaches).toBe(sim.scored.appliedBreaches);
  });
});
