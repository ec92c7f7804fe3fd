import { describe, expect, it } from 'vitest';
import { runWalkForward } from '../../../shared/backtest/walkforward.js';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import type { ThroughTheCycleTail } from '../../../shared/config/tail.js';
import type { ParameterInputs } from '../../../shared/risk/engine/types.js';
import { at, DAY, flat, START, stubEngine } from './stub.js';

const config = buildConfig();
const base = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const profile: LendingProfile = { ...base, lookbackDays: 2, minHistoryDays: 1, current: {} };

describe('walk-forward: the through-the-cycle floor sees every bar before the step, and the calibration in force', () => {
  it('hands the engine a history record of all bars before the step (beyond the lookback), never one after', () => {
    const calls: ParameterInputs[] = [];
    runWalkForward({ id: 'X', asset: 'X', source: 'hand-made', barLabel: '1h', candles: flat(8) }, { profile, policy: config.policy, books: [], recommend: stubEngine(() => 8000, calls) });
    expect(calls.length).toBeGreaterThan(3);
    for (const call of calls) {
      const history = call.tailHistory!;
      expect(history.lastOpenMs).toBe(call.nowMs - 3_600_000);
      expect(history.firstOpenMs).toBe(START);
      expect(history.returns).toBe((call.nowMs - START) / 3_600_000 - 1);
      // The candles stay the lookback's.
      expect(call.candles[0]!.openTimeMs).toBe(Math.max(START, call.nowMs - 2 * DAY));
    }
  });

  it('uses the calibration in force at each step, and the fallback floor before the first one', () => {
    const calls: ParameterInputs[] = [];
    const tail = { ...base.throughTheCycleTail!, cutoff: '2021-01-05' } as ThroughTheCycleTail;
    runWalkForward(
      { id: 'X', asset: 'X', source: 'hand-made', barLabel: '1h', candles: flat(8) },
      { profile, policy: config.policy, books: [], recommend: stubEngine(() => 8000, calls), tailCalibrations: [{ fromMs: at(4, 0), tail }] },
    );
    for (const call of calls) {
      const p = call.profile as LendingProfile;
      expect(p.throughTheCycleTail).toBe(call.nowMs >= at(4, 0) ? tail : undefined);
    }
  });
});
