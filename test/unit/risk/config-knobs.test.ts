import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile, PerpProfile, Policy } from '../../../shared/config/schema.js';
import { aggregateVenueCandles } from '../../../shared/market/aggregate.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import type { BookSummary, DataQuality } from '../../../shared/model/snapshot.js';
import { chooseBooks } from '../../../shared/risk/book-window.js';
import { computeParameters } from '../../../shared/risk/engine/recommend.js';
import { rulesOf } from '../../../shared/risk/engine/rules.js';
import { computeTail } from '../../../shared/risk/engine/tail.js';
import { applyGuardRails, type ParameterStep } from '../../../shared/risk/guardrails.js';
import type { CandleLike } from '../../../shared/risk/series.js';
import { linearBook } from '../../support/fixtures.js';

/**
 * Each methodology knob moved into the config (issue 12, defect 15) is read from it: a config that moves
 * the knob moves the result, through the same entry points the cycle uses.
 */

const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp') as PerpProfile;
const H = 3_600_000;
const NOW = 100 * 86_400_000;
const quality: DataQuality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };
const policyWith = (overrides: object): Policy => buildConfig({ policy: overrides }).policy;
const computeVolatility = (candles: readonly CandleLike[], profile: LendingProfile, policy: Policy) => computeTail('X', candles, profile, policy).scores;

/** Hourly bars whose returns follow a GARCH(1,1) (alpha 0.1, beta 0.85): clear volatility clustering. */
function garchBars(bars: number, seed: number) {
  const rng = new SeededRandom(seed);
  const longRun = 0.008 ** 2;
  let variance = longRun;
  let price = 100;
  return Array.from({ length: bars }, (_, i) => {
    const r = Math.sqrt(variance) * rng.normal();
    variance = longRun * 0.05 + 0.1 * r * r + 0.85 * variance;
    const open = price;
    price = open * Math.exp(r);
    const wick = Math.abs(rng.normal()) * 0.002;
    return { openTimeMs: i * H, open, high: Math.max(open, price) * (1 + wick), low: Math.min(open, price) * (1 - wick), close: price };
  });
}

const stepOf = (steps: ParameterStep[], parameter: string) => steps.find((s) => s.parameter === parameter)!;

describe('policy.aggregation', () => {
  // Three venues agree to the tick but one wick: 1.2 % below the consensus low = 6 scales of the 0.2 % floor.
  const bar = (low: number) => ({ openTimeMs: 0, open: 100, high: 100.1, low, close: 100, volume: 1 });
  const venues = [
    { venue: 'a', candles: [bar(99.9)] },
    { venue: 'b', candles: [bar(99.9)] },
    { venue: 'c', candles: [bar(98.7)] },
  ];
  it('outlierMads 5 drops a 6-scale wick, 7 keeps it; 3 drops a 4-scale one that 5 keeps', () => {
    expect(aggregateVenueCandles(venues, config.policy.aggregation).candles[0]!.low).toBe(99.9);
    expect(aggregateVenueCandles(venues, policyWith({ aggregation: { outlierMads: 7 } }).aggregation).candles[0]!.low).toBe(98.7);
    const milder = [venues[0]!, venues[1]!, { venue: 'c', candles: [bar(99.1)] }];
    expect(aggregateVenueCandles(milder, config.policy.aggregation).candles[0]!.low).toBe(99.1);
    expect(aggregateVenueCandles(milder, policyWith({ aggregation: { outlierMads: 3 } }).aggregation).candles[0]!.low).toBe(99.9);
  });
});

describe('policy.garch, realized and range windows', () => {
  const candles = garchBars(24 * 120, 7);

  it('the GARCH acceptance limits are read: the default accepts the fit, a moved limit rejects it naming the limit', () => {
    expect(computeVolatility(candles, lending, config.policy).forecast.model).toBe('garch');
    const persistence = computeVolatility(candles, lending, policyWith({ garch: { maxPersistence: 0.5 } })).forecast;
    expect(persistence.model).toBe('ewma-fallback');
    expect(persistence.fallbackReason).toMatch(/at the bound 0\.5/);
    expect(computeVolatility(candles, lending, policyWith({ garch: { minAlpha: 0.5 } })).forecast.fallbackReason).toMatch(/below 0\.5/);
    expect(computeVolatility(candles, lending, policyWith({ garch: { minLikelihoodRatio: 1e9 } })).forecast.fallbackReason).toMatch(/below 1000000000/);
  });

  it('ewmaSeedBars seeds the EWMA score', () => {
    const short = candles.slice(0, 60);
    const a = computeVolatility(short, lending, config.policy).ewmaAnnualized!;
    const b = computeVolatility(short, lending, policyWith({ garch: { ewmaSeedBars: 5 } })).ewmaAnnualized!;
    expect(a).toBeGreaterThan(0);
    expect(b).not.toBeCloseTo(a, 6);
  });

  it('realizedWindowsDays, realizedMinCoverageShare and rangeWindowDays are read', () => {
    const base = computeVolatility(candles, lending, config.policy);
    // 120 days of bars: the 365-day window is not covered at 90 %, it is at 30 %.
    expect(base.realizedAnnualized.d365).toBeNull();
    expect(computeVolatility(candles, lending, policyWith({ realizedMinCoverageShare: 0.3 })).realizedAnnualized.d365).not.toBeNull();
    const d7As2 = computeVolatility(candles, lending, policyWith({ realizedWindowsDays: { d7: 2 } })).realizedAnnualized;
    expect(d7As2.d7).not.toBeCloseTo(base.realizedAnnualized.d7!, 6);
    expect(d7As2.d30).toBe(base.realizedAnnualized.d30);
    expect(computeVolatility(candles, lending, policyWith({ rangeWindowDays: 5 })).parkinsonAnnualized).not.toBeCloseTo(base.parkinsonAnnualized!, 6);
  });
});

describe('policy.bookDepthBand', () => {
  it('the book window ranks snapshots by depth within the configured band', () => {
    // Deep near mid but nothing beyond 1 %, versus thin near mid and deep at 1-2 %.
    const near: BookSummary = { venue: 'binance', pair: 'X', fetchedAtMs: 0, midUsd: 100, spreadBps: 2, bids: [[99.5, 1_000]] };
    const far: BookSummary = { venue: 'binance', pair: 'X', fetchedAtMs: 0, midUsd: 100, spreadBps: 2, bids: [[99.5, 100], [98.5, 5_000]] };
    expect(chooseBooks([[near], [far]], 0, config.policy.bookDepthBand).books).toEqual([near]);
    expect(chooseBooks([[near], [far]], 0, policyWith({ bookDepthBand: 0.01 }).bookDepthBand).books).toEqual([far]);
  });
});

describe('lending profile knobs', () => {
  it('capStressCutShare: a cap cut of 60 % takes the fast path at 0.5 and waits for the minimum delay at 0.7', () => {
    const input = (profile: LendingProfile) => ({
      rules: rulesOf(profile),
      target: { ltvBps: 7000, liquidationThresholdBps: 7500, liquidationBonusBps: 500, supplyCapUsd: 40e6, borrowCapUsd: 20e6 },
      current: { ltvBps: 7000, liquidationThresholdBps: 7500, liquidationBonusBps: 500, supplyCapUsd: 100e6, borrowCapUsd: 50e6 },
      lastChangedAtMs: { supplyCapUsd: NOW - 86_400_000 },
      nowMs: NOW,
      evidence: { strong: true, reasons: [] },
      frozen: false,
    });
    const fast = stepOf(applyGuardRails(input(lending)), 'supplyCapUsd');
    // issue 14: a cut beyond 50 % is a vote; the fast path halves the cap at once and flags the rest.
    expect(fast).toMatchObject({ status: 'bounded-needs-vote', stress: true, proposed: 50e6 });
    const slow = stepOf(applyGuardRails(input({ ...lending, capStressCutShare: 0.7 })), 'supplyCapUsd');
    expect(slow).toMatchObject({ status: 'held-min-delay', stress: false, proposed: 100e6 });
  });

  it('the Monte Carlo book spreads LTVs between the configured shares of LT', () => {
    const candles = garchBars(24 * 120, 3);
    // At alpha 0.99 about 1 % of the paths drop past LT's cover: the positions nearest LT then leave bad debt.
    const policy = policyWith({ simulationPaths: 2_000 });
    const run = (profile: LendingProfile) => {
      const r = computeParameters({ asset: 'T', nowMs: candles.length * H, profile: { ...profile, confidence: 0.99, ltvConfidence: 0.9, minHistoryDays: 30, current: {} }, policy, candles, books: [linearBook(candles.at(-1)!.close, 50e6, { fetchedAtMs: candles.length * H })], quality });
      if (r.profileKind !== 'lending') throw new Error('lending expected');
      return r.monteCarlo!;
    };
    const base = run(lending);
    const riskier = run({ ...lending, monteCarloMinLtvShareOfLt: 0.9, monteCarloMaxLtvShareOfLt: 0.999 });
    expect(base.expectedBadDebtUsd).toBeGreaterThan(0);
    expect(riskier.expectedBadDebtUsd).toBeGreaterThan(base.expectedBadDebtUsd);
  });
});

describe('perp profile knobs', () => {
  // No initial margin: it follows max leverage and has no rule of its own (docs/decisions.md 10).
  const current = { maintenanceMarginBps: 100, maxLeverage: 40 };
  const rail = (profile: PerpProfile, target: typeof current, lastChangedAtMs: Record<string, number> = {}) =>
    applyGuardRails({ rules: rulesOf(profile), target, current, lastChangedAtMs, nowMs: NOW, evidence: { strong: true, reasons: [] }, frozen: false });

  it('leverageHysteresisShare: 40x -> 38x is held at 0.1 and proposed at 0.01', () => {
    const target = { ...current, maxLeverage: 38 };
    expect(stepOf(rail(perp, target), 'maxLeverage').status).toBe('held-hysteresis');
    expect(stepOf(rail({ ...perp, leverageHysteresisShare: 0.01 }, target), 'maxLeverage')).toMatchObject({ status: 'within-bounds', proposed: 38 });
  });

  it('leverageStressCutShare: 40x -> 25x within the delay waits at 0.5 and takes the fast path at 0.3', () => {
    const target = { ...current, maxLeverage: 25 };
    const recently = { maxLeverage: NOW - 86_400_000 };
    expect(stepOf(rail(perp, target, recently), 'maxLeverage').status).toBe('held-min-delay');
    expect(stepOf(rail({ ...perp, leverageStressCutShare: 0.3 }, target, recently), 'maxLeverage')).toMatchObject({ stress: true, status: 'within-bounds', proposed: 25 });
  });

  it('maxPositionMultiple: the last tier is priced at that multiple of its lower bound', () => {
    const candles = garchBars(24 * 12 * 10, 5).map((c, i) => ({ ...c, openTimeMs: i * 300_000 }));
    const run = (profile: PerpProfile) => {
      const r = computeParameters({ asset: 'T', nowMs: candles.length * 300_000, profile: { ...profile, minHistoryDays: 1 }, policy: policyWith({ simulationPaths: 500 }), candles, books: [linearBook(candles.at(-1)!.close, 20e6, { fetchedAtMs: candles.length * 300_000 })], quality });
      if (r.profileKind !== 'perp') throw new Error('perp expected');
      return r.tiers.at(-1)!.slippage;
    };
    expect(run({ ...perp, maxPositionMultiple: 1.2 })).toBeLessThan(run(perp));
  });
});
