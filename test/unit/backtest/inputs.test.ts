import { describe, expect, it } from 'vitest';
import { repairBadPrints } from '../../../shared/backtest/badprints.js';
import { CandleCsvError, parseCandleCsv } from '../../../shared/backtest/csv.js';
import { calibratedLiquidity, liquidityFor, syntheticBook } from '../../../shared/backtest/liquidity.js';
import { planSeries } from '../../../shared/backtest/plan.js';
import { compressDailyBars, dailyBarPolicy, dailyBarProfile, toCalendarMs, toEngineMs } from '../../../shared/backtest/timescale.js';
import { buildConfig } from '../../../shared/config/load.js';
import { bidDepthUsd, sellSlippage } from '../../../shared/risk/liquidity.js';

describe('series plan from the data directory', () => {
  const files = ['BTC-USDT-1h.csv', 'BTC-USDT-5m.csv', 'perp/BTC-USDT-1h.csv', 'FTT-USD-1d.csv', 'AAVE-USDT-15m.csv', 'SOURCES.md', 'ETH-USDT-1h.csv'];

  it('maps spot hourly and perp hourly to lending, daily to a separate 1-day series, 5m to perps; skips 15m with a reason', () => {
    const plan = planSeries(files);
    expect(plan.series.map((s) => `${s.id}:${s.profileKind}:${s.barLabel}`)).toEqual([
      'BTC:lending:1h',
      'BTC:perp:5m',
      'ETH:lending:1h',
      'FTT-1D:lending:1d',
      'BTC-PERP:lending:1h',
    ]);
    expect(plan.skipped).toEqual([{ file: 'AAVE-USDT-15m.csv', reason: expect.stringMatching(/no profile/) }]);
  });

  it('filters by asset and profile kind', () => {
    expect(planSeries(files, { assets: ['btc'], kinds: ['lending'] }).series.map((s) => s.id)).toEqual(['BTC', 'BTC-PERP']);
  });
});

describe('candle CSV', () => {
  it('parses the shared-data format', () => {
    expect(parseCandleCsv('ts,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n2000,1.5,2,1,1,4e-05\n', 'x.csv')).toEqual([
      { openTimeMs: 1000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
      { openTimeMs: 2000, open: 1.5, high: 2, low: 1, close: 1, volume: 0.00004 },
    ]);
  });

  it('names the file and line of a bad row', () => {
    expect(() => parseCandleCsv('a,b\n', 'x.csv')).toThrow(CandleCsvError);
    expect(() => parseCandleCsv('ts,open,high,low,close,volume\n1000,1,2,0.5,1.5,10\n1000,1,2,0.5,1.5,10\n', 'x.csv')).toThrow(/x\.csv:3: .*not after/);
    expect(() => parseCandleCsv('ts,open,high,low,close,volume\n1000,1,2,x,1.5,10\n', 'x.csv')).toThrow(/x\.csv:2: non-numeric/);
  });
});

describe('bad prints', () => {
  it('clips only the bad side to the body (LINK 2020-03-12: low 0.0001; perp ETH 2020-03-13: high 323)', () => {
    const { candles, repairs } = repairBadPrints([
      { openTimeMs: 1, open: 3.0634, high: 3.0765, low: 0.0001, close: 2.4693 },
      { openTimeMs: 2, open: 95.73, high: 323, low: 84.23, close: 110.8 },
      { openTimeMs: 3, open: 100, high: 110, low: 60, close: 70 }, // a real 40 % bar: low above half the body
    ]);
    expect(candles[0]).toEqual({ openTimeMs: 1, open: 3.0634, high: 3.0765, low: 2.4693, close: 2.4693 });
    expect(candles[1]).toEqual({ openTimeMs: 2, open: 95.73, high: 110.8, low: 84.23, close: 110.8 });
    expect(candles[2]!.low).toBe(60);
    expect(repairs.map((r) => r.side)).toEqual(['low', 'high']);
  });
});

describe('daily bars on the compressed clock', () => {
  const day = 86_400_000;
  const candles = [0, 1, 2].map((i) => ({ openTimeMs: Date.UTC(2022, 10, 7) + i * day, open: 1, high: 1, low: 1, close: 1 }));

  it('one calendar day is one engine hour, and the mapping round-trips', () => {
    const { candles: compressed, timeScale } = compressDailyBars(candles);
    expect(compressed[1]!.openTimeMs - compressed[0]!.openTimeMs).toBe(3_600_000);
    for (const c of candles) expect(toCalendarMs(timeScale, toEngineMs(timeScale, c.openTimeMs))).toBe(c.openTimeMs);
  });

  it('profile and policy keep their calendar meaning: one-bar horizon, lookback / history / delay / half-life in days', () => {
    const config = buildConfig();
    const lending = config.profiles.find((p) => p.kind === 'lending')!;
    const daily = dailyBarProfile(lending);
    expect(daily.horizonMinutes).toBe(60);
    expect(daily.lookbackDays * 24).toBe(lending.lookbackDays);
    expect(daily.minDelayDays * 24).toBe(lending.minDelayDays);
    expect(dailyBarPolicy(config.policy).ewmaHalfLifeDays * 24).toBeCloseTo(config.policy.ewmaHalfLifeDays, 12);
  });
});

describe('backtest liquidity', () => {
  it("a synthetic book has the calibrated 2 % depth and the simulator's shape", () => {
    const book = syntheticBook({ depth2PctUsd: 1e6, spreadBps: 10 });
    const levels = book.bids.map(([price, quantity]) => ({ price, quantity }));
    expect(bidDepthUsd(levels, book.midUsd, 0.1)).toBeCloseTo(1e6 * 5 ** 0.85, -2);
    const two = bidDepthUsd(levels, book.midUsd, 0.02);
    expect(two).toBeLessThanOrEqual(1e6 + 1);
    expect(two).toBeGreaterThan(0.8e6); // the last level inside 2 % sits a little short of it
    expect(sellSlippage(levels, book.midUsd, 1e5).complete).toBe(true);
  });

  it('an asset outside the calibration takes the median calibrated alt depth; recorded books win when given', () => {
    expect(calibratedLiquidity('BTC').calibrated).toBe(true);
    const unknown = calibratedLiquidity('FTT');
    expect(unknown.calibrated).toBe(false);
    expect(unknown.depth2PctUsd).toBeGreaterThan(2e5);
    expect(liquidityFor('FTT', []).source).toMatch(/median calibrated alt/);
    const recorded = { venue: 'v', pair: 'p.json', fetchedAtMs: 0, midUsd: 1, spreadBps: 1, bids: [[0.99, 1e7]] as [number, number][] };
    expect(liquidityFor('BTC', [recorded]).books).toEqual([recorded]);
  });
});
