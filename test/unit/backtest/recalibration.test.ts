import { describe, expect, it } from 'vitest';
import { calibrationSchedule } from '../../../shared/backtest/recalibration.js';
import type { RiskCalibrationSettings } from '../../../shared/calibration/risk.js';
import type { ThroughTheCycleTail } from '../../../shared/config/tail.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import type { CandleLike } from '../../../shared/risk/series.js';

const H = 3_600_000;
const settings: RiskCalibrationSettings = { intervalMs: H, horizonBars: 4, confidence: 0.999, ordinaryConfidence: 0.95, blockBars: 24, ewmaHalfLifeBars: 120, ewmaSeedBars: 30, longRunMs: 60 * 86_400_000, stressedRegimeRatio: 1.25 };

function walk(fromMs: number, days: number, seed: number): CandleLike[] {
  const rng = new SeededRandom(seed);
  let price = 100;
  return Array.from({ length: days * 24 }, (_, i) => {
    const open = price;
    price *= Math.exp(0.01 * rng.standardizedStudentT(4));
    return { openTimeMs: fromMs + i * H, open, high: Math.max(open, price), low: Math.min(open, price), close: price };
  });
}

describe('calibration schedule of the walk-forward', () => {
  const start = Date.UTC(2018, 6, 1);
  const inputs = ['A', 'B', 'C'].map((symbol, i) => ({ symbol, candles: walk(start, 3 * 365, i + 1) }));
  const configured = { cutoff: '2021-01-01' } as ThroughTheCycleTail;

  it('refits each 1 January before the cutoff on the data before it (none while too few assets qualify), then the configured one', () => {
    const schedule = calibrationSchedule(configured, inputs, settings, undefined);
    // 2019-01-01: half a year of data, under one expected exceedance per asset: no refit.
    expect(schedule.map((c) => [new Date(c.fromMs).toISOString().slice(0, 10), c.refitted])).toEqual([
      ['2020-01-01', true],
      ['2021-01-01', false],
    ]);
    expect(schedule[0]!.tail.cutoff).toBe('2020-01-01');
    expect(schedule[1]!.tail).toBe(configured);
  });

  it('a backtest starting at or after the cutoff uses the configured calibration only', () => {
    expect(calibrationSchedule(configured, inputs, settings, Date.UTC(2021, 0, 1))).toEqual([{ fromMs: Date.UTC(2021, 0, 1), tail: configured, refitted: false }]);
  });
});
