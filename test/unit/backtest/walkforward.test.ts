import { describe, expect, it } from 'vitest';
import { runWalkForward } from '../../../shared/backtest/walkforward.js';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingParameters, LendingProfile } from '../../../shared/config/schema.js';
import type { ParameterInputs } from '../../../shared/risk/engine/types.js';
import type { CandleLike } from '../../../shared/risk/series.js';
import { MS_PER_DAY as DAY_MS } from '../../../shared/util/time.js';
import { at, flat, START, stubEngine } from './stub.js';

/**
 * Breach accounting of the walk-forward driver on hand-made hourly series with a known crash, against a
 * stub engine whose LT is fixed (so every buffer is known exactly).
 */

const config = buildConfig();
const base = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
/** Two days of history are enough for the stub; a five-day lookback. */
const profile: LendingProfile = { ...base, lookbackDays: 5, minHistoryDays: 2, current: {} };

/** LT 76 %, bonus 5 %, no slippage: D* = 1 - 0.76 x 1.05 = 20.2 %. */
const LT_BPS = 7600;
const BUFFER = 1 - 0.76 * 1.05;
const stub = (calls: ParameterInputs[] = []) => stubEngine(() => LT_BPS, calls);

function run(candles: CandleLike[], calls: ParameterInputs[] = []) {
  return runWalkForward({ id: 'X', asset: 'X', source: 'hand-made', barLabel: '1h', candles }, { profile, policy: config.policy, books: [], recommend: stub(calls) });
}

const stepOn = (result: ReturnType<typeof run>, day: number) => result.steps.find((s) => s.atMs === START + day * DAY_MS)!;

describe('walk-forward breach accounting (stub engine, known buffer)', () => {
  it('a 30 % wick inside the horizon breaks exactly the four 4 h windows that contain it', () => {
    const candles = flat(10);
    const crash = candles.findIndex((c) => c.openTimeMs === at(5, 10));
    candles[crash] = { ...candles[crash]!, low: 70 };
    const result = run(candles);
    const day5 = stepOn(result, 5);
    expect(day5.recommendation.kind === 'lending' && day5.recommendation.target.buffer).toBeCloseTo(BUFFER, 12);
    expect(day5.outcome.windows).toBe(24);
    // Windows opening at 07:00, 08:00, 09:00 and 10:00 reach the 10:00 low.
    expect(day5.outcome.breaches).toEqual({ target: 4, applied: 4, emergency: 4, naive: 4 });
    expect(day5.outcome.worstMove).toBeCloseTo(0.3, 12);
    for (const s of result.steps.filter((x) => x !== day5)) expect(s.outcome.breaches.target).toBe(0);
    expect(result.coverage.target!.breaches).toBe(4);
  });

  it('breaches are booked on the day the window opens: a crash at 01:00 splits 2 / 2 across midnight', () => {
    const candles = flat(10);
    const crash = candles.findIndex((c) => c.openTimeMs === at(6, 1));
    candles[crash] = { ...candles[crash]!, low: 70 };
    const result = run(candles);
    expect(stepOn(result, 5).outcome.breaches.target).toBe(2); // 22:00 and 23:00
    expect(stepOn(result, 6).outcome.breaches.target).toBe(2); // 00:00 and 01:00
  });

  it('the same 30 % fall spread over 12 hours stays inside every 4 h buffer: no breach', () => {
    const candles = flat(10);
    const i0 = candles.findIndex((c) => c.openTimeMs === at(5, 6));
    const perHour = 0.7 ** (1 / 12);
    let price = 100;
    for (let i = i0; i < candles.length; i++) {
      const open = price;
      if (i < i0 + 12) price *= perHour;
      candles[i] = { openTimeMs: candles[i]!.openTimeMs, open, high: open, low: price, close: price };
    }
    const result = run(candles);
    expect(Math.min(...result.steps.map((s) => s.price))).toBeCloseTo(70, 6);
    expect(result.coverage.target!.breaches).toBe(0);
    expect(Math.max(...result.steps.map((s) => s.outcome.worstMove))).toBeCloseTo(1 - perHour ** 4, 10);
  });

  it('a window that would span a gap is not scored, and a day without bars is not a step', () => {
    const candles = flat(10).filter((c) => c.openTimeMs < at(5, 12) || c.openTimeMs >= at(7, 0));
    const result = run(candles);
    expect(stepOn(result, 5).outcome.windows).toBe(9); // 00:00 .. 08:00 open complete windows before the gap
    expect(stepOn(result, 6)).toBeUndefined();
    expect(result.skipped.noWindows).toBe(1);
  });

  it('the engine only ever sees bars that opened before the step, within the lookback', () => {
    const calls: ParameterInputs[] = [];
    run(flat(10), calls);
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      expect(Math.max(...c.candles.map((b) => b.openTimeMs))).toBeLessThan(c.nowMs);
      expect(Math.min(...c.candles.map((b) => b.openTimeMs))).toBeGreaterThanOrEqual(c.nowMs - profile.lookbackDays * DAY_MS);
    }
  });

  it("each step's current parameters are the previous step's applied ones (the steward path)", () => {
    const calls: ParameterInputs[] = [];
    const result = run(flat(10), calls);
    expect(calls[0]!.profile.current).toEqual({}); // listed at the first target
    for (let i = 1; i < calls.length; i++) {
      const previous = result.steps[i - 1]!.recommendation;
      expect((calls[i]!.profile.current as Record<string, LendingParameters>).X!.liquidationThresholdBps).toBe(previous.kind === 'lending' ? previous.applied.ltBps : -1);
    }
  });

  it('skips the warm-up: no step before minHistoryDays of trailing bars', () => {
    const result = run(flat(10));
    expect(result.steps[0]!.atMs).toBe(START + 2 * DAY_MS);
    expect(result.skipped.warmup).toBe(2); // days 0 and 1 have less than two days of history
  });

  it('honours --from / --to (calendar, from inclusive, to exclusive)', () => {
    const result = runWalkForward(
      { id: 'X', asset: 'X', source: 'hand-made', barLabel: '1h', candles: flat(10) },
      { profile, policy: config.policy, books: [], recommend: stub(), fromMs: at(4, 0), toMs: at(6, 0) },
    );
    expect(result.steps.map((s) => s.atMs)).toEqual([at(4, 0), at(5, 0)]);
  });
});
