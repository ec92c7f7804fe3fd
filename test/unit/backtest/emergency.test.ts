import { describe, expect, it } from 'vitest';
import { EmergencyPath } from '../../../shared/backtest/emergency.js';
import { lendingRules } from '../../../shared/risk/guardrails.js';

const DAY = 86_400_000;
// Aave steward bounds: +-50 bps, 3 days apart, 25 bps hysteresis, stress line 200 bps.
const rule = lendingRules({ maxStepBps: 50, minDelayMs: 3 * DAY, hysteresisBps: 25, stressTightenBps: 200 }).find((r) => r.parameter === 'liquidationThresholdBps')!;

describe('emergency path (counterfactual steward with a vote on stress)', () => {
  it('lists at the first target, then walks ordinary moves in bounded steps at most every 3 days', () => {
    const path = new EmergencyPath(rule, DAY);
    expect(path.step(8000, 0).value).toBe(8000);
    // A 150 bps cut: below the stress line, so bounded (50 bps) and spaced by the minimum delay.
    const values = [1, 2, 3, 4, 5, 6, 7].map((d) => path.step(7850, d * DAY).value);
    expect(values).toEqual([8000, 8000, 7950, 7950, 7950, 7900, 7900]);
  });

  it('a stress cut is flagged at once and voted through a day later', () => {
    const path = new EmergencyPath(rule, DAY);
    path.step(8000, 0);
    const flaggedDay = path.step(6000, 1 * DAY);
    expect(flaggedDay).toEqual({ value: 7950, flagged: true, voted: false }); // the steward step meanwhile
    const voteDay = path.step(6200, 2 * DAY);
    expect(voteDay.voted).toBe(true);
    expect(voteDay.value).toBe(6200); // the target of the day the vote executes
  });

  it('with no vote delay the cut is immediate; a vote is dropped when the target stops asking for a tightening', () => {
    const immediate = new EmergencyPath(rule, 0);
    immediate.step(8000, 0);
    expect(immediate.step(6000, DAY).value).toBe(6000);

    const late = new EmergencyPath(rule, 5 * DAY);
    late.step(8000, 0);
    late.step(6000, DAY); // flagged, vote due on day 6
    late.step(8100, 2 * DAY); // the market calmed: loosening wanted, vote cancelled
    expect(late.step(8100, 6 * DAY).voted).toBe(false);
  });

  it('after the vote, a mandate follows the target both ways, then the bounded steps resume', () => {
    const path = new EmergencyPath(rule, 0, 3 * DAY);
    path.step(8000, 0);
    expect(path.step(6000, DAY)).toMatchObject({ value: 6000, voted: true });
    expect(path.step(7500, 2 * DAY).value).toBe(7500); // inside the mandate (until day 4): loosens at once
    expect(path.step(7800, 3 * DAY).value).toBe(7800);
    expect(path.step(8000, 5 * DAY).value).toBe(7800); // mandate over: the 3-day delay since day 3 holds it
    expect(path.step(8000, 6 * DAY).value).toBe(7850); // then one 50 bps steward step
  });

  it('reset forgets the state (after a data gap)', () => {
    const path = new EmergencyPath(rule, DAY);
    path.step(8000, 0);
    path.reset();
    expect(path.step(7000, DAY)).toEqual({ value: 7000, flagged: false, voted: false });
  });
});
