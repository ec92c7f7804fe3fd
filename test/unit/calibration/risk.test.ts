import { describe, expect, it } from 'vitest';
import { stressedBars } from '../../../shared/calibration/regime.js';
import { assetMultiples, calibrateRisk, RiskCalibrationError, type RiskCalibrationSettings } from '../../../shared/calibration/risk.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { toSeries, type CandleLike } from '../../../shared/risk/series.js';

const H = 3_600_000;
const DAY = 86_400_000;
const settings: RiskCalibrationSettings = {
  intervalMs: H,
  horizonBars: 4,
  confidence: 0.999,
  ordinaryConfidence: 0.95,
  blockBars: 24,
  ewmaHalfLifeBars: 24 * 5,
  ewmaSeedBars: 30,
  longRunMs: 60 * DAY,
  stressedRegimeRatio: 1.25,
};

function walk(days: number, sigma: (i: number) => number, seed: number): CandleLike[] {
  const rng = new SeededRandom(seed);
  let price = 100;
  return Array.from({ length: days * 24 }, (_, i) => {
    const open = price;
    price *= Math.exp(sigma(i) * rng.standardizedStudentT(4));
    return { openTimeMs: i * H, open, high: Math.max(open, price), low: Math.min(open, price), close: price };
  });
}

describe('regime of each bar, ex ante', () => {
  it('flags the bars after volatility jumps well above its trailing level, not before', () => {
    const candles = walk(120, (i) => (i < 90 * 24 ? 0.005 : 0.02), 1);
    const stressed = stressedBars(toSeries(candles, H), settings);
    const share = (from: number, to: number) => stressed.subarray(from * 24, to * 24).reduce((s, x) => s + x, 0) / ((to - from) * 24);
    expect(share(30, 89)).toBeLessThan(0.1);
    expect(share(91, 100)).toBeGreaterThan(0.9);
  });
});

describe('calibrate:risk', () => {
  const assets = [
    { symbol: 'A', candles: walk(900, () => 0.006, 2) },
    { symbol: 'B', candles: walk(900, () => 0.012, 3) },
    { symbol: 'C', candles: walk(900, () => 0.009, 4) },
    { symbol: 'D', candles: walk(60, () => 0.02, 5) },
  ];
  const cutoff = 800 * DAY;

  it('reads only bars before the cutoff: changing later bars changes nothing', () => {
    const a = calibrateRisk(assets, cutoff, settings);
    const crashed = assets.map((x) => ({ ...x, candles: x.candles.map((c) => (c.openTimeMs >= cutoff ? { ...c, low: c.low * 0.5 } : c)) }));
    expect(calibrateRisk(crashed, cutoff, settings)).toEqual(a);
    expect(a.tail.cutoff).toBe('1972-03-11');
  });

  it('same-shaped assets share a multiple; a young one is left out of the pool but keeps its record', () => {
    const c = calibrateRisk(assets, cutoff, settings);
    expect(c.pool.assets).toEqual(['A', 'B', 'C']);
    expect(c.records.D?.returns).toBeGreaterThan(0);
    const multiples = c.assets.filter((x) => x.symbol !== 'D').map((x) => x.adverse);
    expect(Math.max(...multiples) / Math.min(...multiples)).toBeLessThan(1.4);
    expect(c.tail.multiples.adverse).toBeGreaterThan(3);
    expect(assetMultiples({ symbol: 'E', candles: [] }, cutoff, settings)).toBeNull();
  });

  it('refuses when fewer than three assets hold one expected exceedance', () => {
    expect(() => calibrateRisk(assets.slice(0, 2), cutoff, settings)).toThrow(RiskCalibrationError);
  });
});
