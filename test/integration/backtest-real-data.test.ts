import { describe, expect, it } from 'vitest';
import { repairBadPrints } from '../../shared/backtest/badprints.js';
import { compressDailyBars, dailyBarPolicy, dailyBarProfile } from '../../shared/backtest/timescale.js';
import { runWalkForward, type SeriesResult } from '../../shared/backtest/walkforward.js';
import { liquidityFor } from '../../shared/backtest/liquidity.js';
import { buildConfig } from '../../shared/config/load.js';
import type { LendingProfile, PerpProfile } from '../../shared/config/schema.js';
import type { CandleLike } from '../../shared/risk/series.js';
import { MS_PER_DAY as DAY_MS } from '../../shared/util/time.js';
import { HAS_REAL_DATA, readCandles } from '../support/real-data.js';

/**
 * The walk-forward driver with the real engine on small real-data cases from ../shared/data: no look-ahead
 * (corrupt the future, same past), the naive baseline equals the engine's unconditional tail, the fast
 * tighten path through Mar 2020, daily bars through the FTX collapse, and perps through LUNA.
 */

const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp') as PerpProfile;
// Fewer paths keep the file fast; a 120-day lookback keeps each engine call small.
const policy = { ...config.policy, simulationPaths: 2_000 };
const shortLending: LendingProfile = { ...lending, lookbackDays: 120 };
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const between = (candles: CandleLike[], from: string, to: string) => candles.filter((c) => c.openTimeMs >= day(from) && c.openTimeMs < day(to));
const books = liquidityFor('X', []).books;

function btcAroundMarch2020(candles: CandleLike[]): SeriesResult {
  return runWalkForward({ id: 'BTC', asset: 'BTC', source: 'BTC-USDT-1h.csv', barLabel: '1h', candles }, { profile: shortLending, policy, books, fromMs: day('2020-03-01'), toMs: day('2020-03-25') });
}

describe.skipIf(!HAS_REAL_DATA)('walk-forward on real data', () => {
  const btc = HAS_REAL_DATA ? between(readCandles('BTC-USDT-1h.csv'), '2019-10-01', '2020-04-01') : [];
  const crashDay = day('2020-03-12');

  it('never reads the future: corrupting every bar at or after a step leaves that step and all before it identical', () => {
    const clean = btcAroundMarch2020(btc);
    // Wild prices from the crash day on: lows at 1 % of the open, highs at 50x.
    const corrupted = btc.map((c) => (c.openTimeMs >= crashDay ? { ...c, open: c.open * 3, high: c.open * 150, low: c.open * 0.03, close: c.close * 0.5 } : c));
    const dirty = btcAroundMarch2020(corrupted);
    const upTo = (r: SeriesResult) => r.steps.filter((s) => s.atMs <= crashDay).map((s) => ({ atMs: s.atMs, price: s.price, status: s.status, recommendation: s.recommendation }));
    expect(upTo(clean).length).toBe(12);
    expect(upTo(dirty)).toEqual(upTo(clean));
    // The corruption is visible where it may be: in the crash day's outcome and in later recommendations.
    const outcomeOn = (r: SeriesResult) => r.steps.find((s) => s.atMs === crashDay)!.outcome;
    expect(outcomeOn(dirty).worstMove).toBeGreaterThan(outcomeOn(clean).worstMove);
    const after = (r: SeriesResult) => r.steps.find((s) => s.atMs === crashDay + DAY_MS)!.recommendation;
    expect(after(dirty)).not.toEqual(after(clean));
  });

  it("the naive baseline is exactly the engine's unconditional tail of the same trailing windows", () => {
    for (const s of btcAroundMarch2020(btc).steps) expect(s.recommendation.naive.adverseMove).toBe(s.recommendation.unconditionalMove);
  });

  it('fast tighten through Mar 2020: the day after the crash cuts the target hard, takes the stress path and flags a vote', () => {
    const result = btcAroundMarch2020(btc);
    const on = (iso: string) => result.steps.find((s) => s.atMs === day(iso))!.recommendation;
    const crash = on('2020-03-12');
    const next = on('2020-03-13');
    const nextNext = on('2020-03-14');
    if (crash.kind !== 'lending' || next.kind !== 'lending' || nextNext.kind !== 'lending') throw new Error('expected lending steps');
    expect(result.steps.find((s) => s.atMs === crashDay)!.outcome.breaches.applied).toBeGreaterThan(0);
    // The target falls by far more than the 200 bps stress line...
    expect(crash.applied.ltBps - next.target.ltBps).toBeGreaterThan(2_000);
    // ...so the step skips the 3-day delay, moves the full 50 bps bound and asks for a vote;
    expect(next.applied).toMatchObject({ status: 'bounded-needs-vote', stress: true, needsVote: true, ltBps: crash.applied.ltBps - lending.maxStepBps });
    // the next day moves again (no 3-day wait), and the emergency-vote path has reached the target.
    expect(nextNext.applied.ltBps).toBe(next.applied.ltBps - lending.maxStepBps);
    expect(nextNext.emergency.ltBps).toBe(nextNext.target.ltBps);
  });

  it('daily bars: FTT-USD-1d through the FTX collapse (one-day horizon on the compressed clock)', () => {
    const { candles, timeScale } = compressDailyBars(readCandles('FTT-USD-1d.csv'));
    const result = runWalkForward(
      { id: 'FTT-1D', asset: 'FTT', source: 'FTT-USD-1d.csv', barLabel: '1d', candles, timeScale },
      { profile: dailyBarProfile(lending), policy: dailyBarPolicy(policy), books: liquidityFor('FTT', []).books },
    );
    expect(result.horizonMinutes).toBe(1440);
    expect(result.steps[0]!.atMs).toBe(day('2022-03-15')); // 90 days of warm-up from 2021-12-15
    const nov8 = result.steps.find((s) => s.atMs === day('2022-11-08'))!;
    expect(nov8.outcome).toMatchObject({ windows: 1, breaches: { target: 1 } });
    expect(nov8.outcome.worstMove).toBeCloseTo(1 - 3.15 / 22.14, 2);
    const nov9 = result.steps.find((s) => s.atMs === day('2022-11-09'))!.recommendation;
    if (nov9.kind !== 'lending') throw new Error('expected lending');
    expect(nov9.target.ltBps).toBeLessThan(3_000);
    expect(nov9.applied).toMatchObject({ stress: true, needsVote: true });
  });

  it('perps: BTC 5-minute bars through LUNA, one window per bar, MMR buffer = MMR - slippage - fee', () => {
    const candles = between(readCandles('BTC-USDT-5m.csv'), '2022-04-01', '2022-05-16');
    const result = runWalkForward({ id: 'BTC', asset: 'BTC', source: 'BTC-USDT-5m.csv', barLabel: '5m', candles }, { profile: perp, policy, books, fromMs: day('2022-05-05') });
    expect(result.profileKind).toBe('perp');
    const luna = result.steps.find((s) => s.atMs === day('2022-05-09'))!;
    expect(luna.outcome.windows).toBe(288);
    const r = luna.recommendation;
    if (r.kind !== 'perp') throw new Error('expected perp');
    expect(r.target.buffer).toBeCloseTo(r.target.mmrBps / 1e4 - r.slippage - r.feeBuffer, 12);
    expect(result.coverage.target!.windows).toBe(result.steps.reduce((n, s) => n + s.outcome.windows, 0));
    expect(result.coverage.shortSide).not.toBeNull();
  });

  it('bad prints are repaired before the walk (LINK 2020-03-12: a 0.0001 low would read as a 100 % drop)', () => {
    const link = between(readCandles('LINK-USDT-1h.csv'), '2020-03-12', '2020-03-13');
    const { candles, repairs } = repairBadPrints(link);
    expect(repairs).toHaveLength(1);
    expect(Math.min(...candles.map((c) => c.low))).toBeGreaterThan(1);
  });
});
