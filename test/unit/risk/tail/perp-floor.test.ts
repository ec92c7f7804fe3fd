import { describe, expect, it } from 'vitest';
import { flatRandomWalk } from '../../../support/random-walk.js';
import { buildConfig } from '../../../../shared/config/load.js';
import type { PerpProfile } from '../../../../shared/config/schema.js';
import type { ThroughTheCycleTail } from '../../../../shared/config/tail.js';
import { tailFloor } from '../../../../shared/risk/tail/floor.js';
import { emptyTailHistory, extendTailHistory } from '../../../../shared/risk/tail/history.js';
import { throughTheCycleTail } from '../../../../shared/risk/tail/ttc.js';
import { MS_PER_MINUTE } from '../../../../shared/util/time.js';

/**
 * issue 15: a perp profile's floor is the through-the-cycle expected shortfall at its stressed confidence
 * (97.5 %), never below share x the trailing unconditional tail; a calibration of another shape or fitted at
 * another shortfall confidence is not applied.
 */
const config = buildConfig();
const perp = config.profiles.find((p): p is PerpProfile => p.kind === 'perp')!;
const BAR = 5 * MS_PER_MINUTE;
const calibration: ThroughTheCycleTail = {
  cutoff: '2022-01-01',
  intervalMs: BAR,
  horizonBars: 1,
  confidence: 0.99,
  ordinaryConfidence: 0.95,
  expectedShortfallConfidence: 0.975,
  blockBars: 288,
  multiples: { adverse: 3.2, ordinary: 1.8, expectedShortfall: 3.75 },
  volatilitySlopes: { adverse: 0, ordinary: 0, expectedShortfall: 0 },
  referenceSigmaHorizon: 0.005,
  logMultipleStandardError: 0.02,
  volatilitySlopeStandardError: 0.04,
  betweenAssetVariance: 0,
  tailIndex: 0.34,
  pooledAssets: ['A', 'B', 'C'],
};

const randomWalk = (bars: number, sigma: number, seed: number) => flatRandomWalk(bars, sigma, seed, BAR);

const candles = randomWalk(288 * 20, 0.004, 7);
const history = extendTailHistory(emptyTailHistory(BAR, calibration.blockBars), candles);
const profile: PerpProfile = { ...perp, throughTheCycleTail: calibration };
const floorOf = (p: PerpProfile, unconditionalAdverse: number) =>
  tailFloor({ asset: 'TEST', profile: p, policy: config.policy, candles, history, unconditional: { adverseMove: unconditionalAdverse, ordinaryMove: 0, expectedShortfall: unconditionalAdverse } });

describe('perp floor: the through-the-cycle expected shortfall', () => {
  it('the default perp profile carries a calibration of its own shape, fitted at its stressed confidence', () => {
    expect(perp.stressedShortfallConfidence).toBe(0.975);
    expect(perp.throughTheCycleTail?.expectedShortfallConfidence).toBe(perp.stressedShortfallConfidence);
    expect(perp.throughTheCycleTail?.intervalMs).toBe(BAR);
    expect(perp.throughTheCycleTail?.horizonBars).toBe(1);
  });

  it('floors the adverse move by m_ES x sigma_h x exp(V / (2 xi)), above the alpha quantile figure', () => {
    const ttc = throughTheCycleTail(history, calibration)!;
    const floor = floorOf(profile, 0);
    expect(floor.kind).toBe('through-the-cycle');
    expect(floor.adverseMove).toBeCloseTo(ttc.expectedShortfall, 12);
    expect(floor.adverseMove).toBeGreaterThan(ttc.adverseMove);
    // sigma_h ~ 0.4 %: the floor is about 3.75 x 0.4 % = 1.5 %.
    expect(floor.adverseMove).toBeGreaterThan(0.0145);
    expect(floor.adverseMove).toBeLessThan(0.016);
  });

  it('never below the trailing unconditional floor it had before', () => {
    expect(floorOf(profile, 0.05).adverseMove).toBe(0.05 * (perp.unconditionalFloorShare ?? config.policy.unconditionalFloorShare));
  });

  it('not applied when fitted at another shortfall confidence or for another shape', () => {
    expect(floorOf({ ...profile, stressedShortfallConfidence: 0.99 }, 0.003)).toMatchObject({ kind: 'unconditional-share', throughTheCycle: null });
    expect(floorOf({ ...profile, throughTheCycleTail: { ...calibration, horizonBars: 2 } }, 0.003)).toMatchObject({ kind: 'unconditional-share' });
    expect(floorOf({ ...profile, throughTheCycleTail: undefined }, 0.003).adverseMove).toBeCloseTo(0.003, 12);
  });
});
