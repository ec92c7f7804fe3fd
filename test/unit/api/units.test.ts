import { describe, expect, it } from 'vitest';
import { recommendationPercentSchema } from '../../../shared/api/schemas.js';
import { recommendationInPercent, toPercentKeys } from '../../../shared/api/units.js';
import type { Recommendation } from '../../../shared/model/recommendation.js';
import { perpRecommendationDraft, recommendationDraft } from '../../support/fixtures.js';

const lending = { ...recommendationDraft(), version: 1 } as Recommendation;
const perp = { ...perpRecommendationDraft(), version: 1 } as Recommendation;

describe('parameter units', () => {
  it('renames each xxxBps key to xxxPercent and divides by 100; other keys stay', () => {
    expect(toPercentKeys({ ltvBps: 7525, supplyCapUsd: 1e8, maxLeverage: 40 })).toEqual({ ltvPercent: 75.25, supplyCapUsd: 1e8, maxLeverage: 40 });
  });

  it('a lending recommendation in percent matches the percent schema and keeps every other field', () => {
    const converted = recommendationInPercent({
      ...lending,
      current: { ltvBps: 7000, liquidationThresholdBps: 7500, liquidationBonusBps: 700, supplyCapUsd: 1, borrowCapUsd: 1 },
      steps: [{ parameter: 'liquidationBonusBps', current: 700, target: 500, proposed: null, status: 'held-hysteresis', direction: 'tighten', stress: false, reason: 'r' }],
    } as Recommendation);
    expect(recommendationPercentSchema.safeParse(converted).success).toBe(true);
    expect(converted.current).toMatchObject({ ltvPercent: 70, liquidationBonusPercent: 7 });
    expect(converted.steps).toEqual([expect.objectContaining({ parameter: 'liquidationBonusPercent', current: 7, target: 5, proposed: null })]);
    expect(converted.volatility).toBe(lending.volatility);
    expect(converted.liquidity).toEqual(lending.liquidity); // spreadBps is a measurement, not a parameter
  });

  it('a perp recommendation converts its tiers', () => {
    const converted = recommendationInPercent(perp);
    expect(recommendationPercentSchema.safeParse(converted).success).toBe(true);
    expect(converted.tiers).toEqual([expect.objectContaining({ maintenanceMarginPercent: 1, initialMarginPercent: 2.5 })]);
    expect(converted.liquidationPenaltyBps).toBe(60);
  });

  it('the percent schema refuses a recommendation still in bps', () => {
    expect(recommendationPercentSchema.safeParse(lending).success).toBe(false);
  });
});
