import { describe, expect, it } from 'vitest';
import { flatRandomWalk } from '../../../support/random-walk.js';
import { SeededRandom } from '../../../../shared/numerics/rng.js';
import type { ThroughTheCycleTail } from '../../../../shared/config/tail.js';
import { emptyTailHistory, extendTailHistory } from '../../../../shared/risk/tail/history.js';
import { calibrationFits, throughTheCycleTail } from '../../../../shared/risk/tail/ttc.js';

const H = 3_600_000;
const calibration: ThroughTheCycleTail = {
  cutoff: '2022-01-01',
  intervalMs: H,
  horizonBars: 4,
  confidence: 0.999,
  ordinaryConfidence: 0.95,
  blockBars: 24,
  multiples: { adverse: 7, ordinary: 1.8, expectedShortfall: 9 },
  volatilitySlopes: { adverse: -0.2, ordinary: 0, expectedShortfall: 0 },
  referenceSigmaHorizon: 0.02,
  logMultipleStandardError: 0.04,
  volatilitySlopeStandardError: 0.15,
  betweenAssetVariance: 0,
  tailIndex: 0.3,
  pooledAssets: ['A', 'B', 'C'],
};

const randomWalk = (bars: number, sigma: number, seed: number) => flatRandomWalk(bars, sigma, seed, H);

describe('through-the-cycle tail', () => {
  it('is m(sigma) x sigma_h x exp(V / (2 xi)), m read off the prior line at the asset volatility', () => {
    const history = extendTailHistory(emptyTailHistory(H, 24), randomWalk(24 * 400, 0.01, 1));
    const f = throughTheCycleTail(history, calibration)!;
    const dx = Math.log(f.sigmaHorizon / 0.02);
    expect(f.sigmaHorizon).toBeCloseTo(0.02, 2);
    expect(f.multiple).toBeCloseTo(7 * Math.exp(-0.2 * dx), 12);
    expect(f.predictiveShift).toBeCloseTo(f.logVariance / (2 * 0.3), 14);
    expect(f.adverseMove).toBeCloseTo(f.multiple * f.sigmaHorizon * Math.exp(f.predictiveShift), 14);
    expect(f.ordinaryMove).toBeCloseTo(1.8 * f.sigmaHorizon, 14);
    expect(f.upperBound90).toBeGreaterThan(f.adverseMove);
    expect(f.logVariance).toBeGreaterThanOrEqual(0.04 ** 2);
  });

  it('the shift makes the expected exceedance probability 1 - alpha under a Pareto tail of index xi', () => {
    // S(x) = (1 - alpha) (x / q)^(-1/xi); the estimate is q e^(eps + delta), eps ~ N(0, V).
    const xi = 0.3;
    const V = 0.05;
    const delta = V / (2 * xi);
    const rng = new SeededRandom(4);
    let sum = 0;
    const n = 400_000;
    for (let i = 0; i < n; i++) sum += Math.exp(-(Math.sqrt(V) * rng.normal() + delta) / xi);
    expect(sum / n).toBeCloseTo(1, 2);
  });

  it('less history, wider error, larger shift; fewer than two blocks: no figure', () => {
    const long = throughTheCycleTail(extendTailHistory(emptyTailHistory(H, 24), randomWalk(24 * 1000, 0.01, 2)), calibration)!;
    const short = throughTheCycleTail(extendTailHistory(emptyTailHistory(H, 24), randomWalk(24 * 20, 0.01, 2)), calibration)!;
    expect(short.predictiveShift).toBeGreaterThan(long.predictiveShift);
    expect(throughTheCycleTail(extendTailHistory(emptyTailHistory(H, 24), randomWalk(30, 0.01, 2)), calibration)).toBeNull();
  });

  it('applies only to the shape it was fitted on', () => {
    const shape = { intervalMs: H, horizonBars: 4, confidence: 0.999, ordinaryConfidence: 0.95 };
    expect(calibrationFits(calibration, shape)).toBe(true);
    expect(calibrationFits(calibration, { ...shape, horizonBars: 1 })).toBe(false);
    expect(calibrationFits(calibration, { ...shape, confidence: 0.99 })).toBe(false);
  });
});
