import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile, PerpProfile } from '../../../shared/config/schema.js';

/**
 * Every methodology constant is a config default. These are the values the literals had before they moved
 * into the config (issue 12, defect 15): a change here changes the numbers, so it must be deliberate.
 */

const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp') as PerpProfile;

describe('embedded defaults equal the former literals', () => {
  it('policy: aggregation (the 5-MAD rule), quality thresholds, refill bounds', () => {
    expect(config.policy.aggregation).toEqual({ outlierMads: 5, minScaleFraction: 0.002, minVenuesToVote: 3 });
    expect(config.policy.quality).toEqual({
      gapMinBars: 2,
      staleLastBarAfterMs: 1_800_000,
      venueStaleAfterMs: 3_600_000,
      zeroVolumeRunMs: 3_600_000,
      zeroVolumeRunMinBars: 3,
      maxQuoteDepegFraction: 0.01,
      maxReportEntries: 20,
      overlapBars: 1,
    });
    expect(config.policy.refill).toEqual({ minGapBars: 2, maxRanges: 4, maxBars: 2_000 });
  });

  it('policy: GARCH acceptance, realized and range windows, the book depth band', () => {
    expect(config.policy.garchMinReturns).toBe(500);
    expect(config.policy.garch).toEqual({ maxPersistence: 0.999, minAlpha: 0.005, minLikelihoodRatio: 6, ewmaSeedBars: 30 });
    expect(config.policy.realizedWindowsDays).toEqual({ d7: 7, d30: 30, d90: 90, d365: 365 });
    expect(config.policy.realizedMinCoverageShare).toBe(0.9);
    expect(config.policy.rangeWindowDays).toBe(30);
    expect(config.policy.bookDepthBand).toBe(0.02);
  });

  it('lending profile: guard-rail knobs and the Monte Carlo book', () => {
    expect(lending).toMatchObject({
      maxStepBps: 50,
      capMaxChangeShare: 1,
      capHysteresisShare: 0.1,
      capStressCutShare: 0.5,
      stressTightenBps: 200,
      monteCarloPositions: 200,
      monteCarloMinLtvShareOfLt: 0.5,
      monteCarloMaxLtvShareOfLt: 0.99,
    });
  });

  it('perp profile: guard-rail knobs and the largest position priced', () => {
    expect(perp).toMatchObject({
      maintenanceMarginMaxStepBps: 50,
      leverageMaxFactor: 2,
      leverageHysteresisShare: 0.1,
      stressTightenBps: 25,
      leverageStressCutShare: 0.5,
      maxPositionMultiple: 2,
    });
  });

  it('a user config listing its profiles without the newer knobs stays valid and gets the same defaults', () => {
    const strip = <T extends object>(profile: T, keys: string[]) => Object.fromEntries(Object.entries(profile).filter(([k]) => !keys.includes(k)));
    const older = buildConfig({
      profiles: [
        strip(lending, ['capStressCutShare', 'monteCarloMinLtvShareOfLt', 'monteCarloMaxLtvShareOfLt']),
        strip(perp, ['leverageHysteresisShare', 'leverageStressCutShare', 'maxPositionMultiple']),
      ],
    });
    expect(older.profiles).toEqual(config.profiles);
  });

  it('one policy knob overrides field by field; an unknown one is rejected with its path', () => {
    const moved = buildConfig({ policy: { aggregation: { outlierMads: 3 }, garch: { minAlpha: 0.01 } } });
    expect(moved.policy.aggregation).toEqual({ outlierMads: 3, minScaleFraction: 0.002, minVenuesToVote: 3 });
    expect(moved.policy.garch.minAlpha).toBe(0.01);
    expect(moved.policy.garch.maxPersistence).toBe(0.999);
    expect(() => buildConfig({ policy: { quality: { gapMinBar: 3 } } })).toThrow(/policy\.quality\.gapMinBar: unknown key/);
  });
});
