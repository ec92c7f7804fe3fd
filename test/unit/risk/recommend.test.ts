import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import type { BookSummary, DataQuality } from '../../../shared/model/snapshot.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { floorToSignificant } from '../../../shared/risk/engine/lending-target.js';
import { computeParameters } from '../../../shared/risk/engine/recommend.js';
import { assertContinuousTiers, boundaryJumpsUsd } from '../../../shared/risk/tier-continuity.js';

const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp')!;
const H = 3_600_000;
const goodQuality: DataQuality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };

function randomWalk(bars: number, hourlyVol: number, seed: number, intervalMs = H) {
  const rng = new SeededRandom(seed);
  let price = 100;
  return Array.from({ length: bars }, (_, i) => {
    const open = price;
    price = open * Math.exp(hourlyVol * rng.normal());
    const wick = Math.abs(rng.normal()) * hourlyVol * 0.5;
    return { openTimeMs: i * intervalMs, open, high: Math.max(open, price) * (1 + wick), low: Math.min(open, price) * (1 - wick), close: price };
  });
}

function linearBook(mid: number, depth2PctUsd: number, venue: BookSummary['venue'] = 'binance'): BookSummary {
  const bids: [number, number][] = [];
  for (let i = 1; i <= 100; i++) {
    const price = mid * (1 - i * 0.001);
    bids.push([price, depth2PctUsd / 20 / price]);
  }
  return { venue, pair: 'X', fetchedAtMs: 0, midUsd: mid, spreadBps: 2, bids };
}

describe('computeParameters (lending)', () => {
  const candles = randomWalk(365 * 24, 0.008, 1);
  const last = candles[candles.length - 1]!.close;

  it('produces every field with 0 <= LTV <= LT < 1 and a rationale for each parameter', () => {
    const result = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles, books: [linearBook(last, 50e6)], quality: goodQuality });
    expect(result.profileKind).toBe('lending');
    if (result.profileKind !== 'lending') return;
    expect(result.status).toBe('ok');
    const p = result.parameters;
    expect(p.ltvBps).toBeGreaterThan(0);
    expect(p.ltvBps).toBeLessThanOrEqual(p.liquidationThresholdBps);
    expect(p.liquidationThresholdBps).toBeLessThan(10_000);
    expect(p.liquidationThresholdBps % lending.roundingStepBps).toBe(0);
    expect(p.liquidationBonusBps).toBeGreaterThanOrEqual(lending.minLiquidationBonusBps);
    expect(p.supplyCapUsd).toBeGreaterThan(0);
    expect(p.borrowCapUsd).toBeLessThanOrEqual(p.supplyCapUsd);
    expect(result.rationale.map((r) => r.parameter).sort()).toEqual(['liquidationBonusBps', 'liquidationThresholdBps', 'ltvBps', 'supplyCapUsd']);
    expect(result.volatility.realizedAnnualized.d365).toBeCloseTo(0.008 * Math.sqrt(8760), 1);
  });

  it('is unfit (LTV 0) with reasons on short history or thin books', () => {
    const short = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles: candles.slice(-24 * 30), books: [linearBook(last, 50e6)], quality: goodQuality });
    expect(short.status).toBe('unfit');
    expect(short.unfitReasons.join()).toMatch(/days of history/);
    expect(short.parameters).toMatchObject({ ltvBps: 0 });

    const thin = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles, books: [linearBook(last, 10_000)], quality: goodQuality });
    expect(thin.unfitReasons.join()).toMatch(/cannot absorb/);

    // Failed quality is weak evidence (guard rails hold loosening), not unfitness.
    const weak = computeParameters({
      asset: 'TEST',
      nowMs: 0,
      profile: lending,
      policy: config.policy,
      candles,
      books: [linearBook(last, 50e6)],
      quality: { ...goodQuality, passed: false, issues: [{ code: 'STALE', severity: 'failure', message: 'last bar 30 h old' }] },
    });
    expect(weak.status).toBe('ok');
  });

  it('0 <= LTV <= LT < 1; more volatility never raises LT or LTV; more depth never lowers them', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.002, max: 0.02, noNaN: true }), fc.double({ min: 1.1, max: 3, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (vol, factor, seed) => {
        // Same shocks, scaled: the calmer path's moves are uniformly smaller.
        const calm = randomWalk(120 * 24, vol, seed);
        const wild = randomWalk(120 * 24, vol * factor, seed);
        const run = (c: typeof calm, depth: number) => {
          const r = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles: c, books: [linearBook(100, depth)], quality: goodQuality });
          return r.parameters as { ltvBps: number; liquidationThresholdBps: number };
        };
        const a = run(calm, 20e6);
        const b = run(wild, 20e6);
        for (const p of [a, b]) {
          expect(p.ltvBps).toBeGreaterThanOrEqual(0);
          expect(p.ltvBps).toBeLessThanOrEqual(p.liquidationThresholdBps);
          expect(p.liquidationThresholdBps).toBeLessThan(10_000);
        }
        expect(b.liquidationThresholdBps).toBeLessThanOrEqual(a.liquidationThresholdBps);
        expect(b.ltvBps).toBeLessThanOrEqual(a.ltvBps);
        const deeper = run(calm, 80e6);
        expect(deeper.liquidationThresholdBps).toBeGreaterThanOrEqual(a.liquidationThresholdBps);
        expect(deeper.ltvBps).toBeGreaterThanOrEqual(a.ltvBps);
      }),
      { numRuns: 25 },
    );
  });
});

describe('computeParameters (perp)', () => {
  it('margins and a tiered leverage from 5-minute bars', () => {
    const candles = randomWalk(30 * 288, 0.002, 7, 300_000);
    const result = computeParameters({ asset: 'TEST', nowMs: 0, profile: perp, policy: config.policy, candles, books: [linearBook(100, 50e6)], quality: goodQuality });
    if (result.profileKind !== 'perp') throw new Error('expected perp');
    expect(result.status).toBe('ok');
    const p = result.parameters;
    expect(p.maintenanceMarginBps).toBeGreaterThan(0);
    expect(p.initialMarginBps).toBeGreaterThanOrEqual(p.maintenanceMarginBps * 2 - 1);
    expect(perp.kind === 'perp' && perp.leverageTiers).toContain(p.maxLeverage);
    expect(p.initialMarginBps).toBe(Math.ceil(10_000 / p.maxLeverage));
  });
});

describe('floorToSignificant', () => {
  it('floors to two significant figures', () => {
    expect(floorToSignificant(123_456_789)).toBe(120_000_000);
    expect(floorToSignificant(9_999)).toBe(9_900);
    expect(floorToSignificant(0)).toBe(0);
  });
});

describe('risk engine v1 behaviour', () => {
  const calm = randomWalk(200 * 24, 0.006, 11);
  const last = calm[calm.length - 1]!.close;
  const books = [linearBook(last, 50e6)];

  it('predictive margin: a volatility spike in the last day tightens LT through the filtered tail and says so', () => {
    // The same history, but the last 24 bars move 5x more: the year-long realized window barely notices.
    const spiked = randomWalk(200 * 24, 0.006, 11);
    const rng = new SeededRandom(99);
    let price = spiked[spiked.length - 25]!.close;
    for (let i = spiked.length - 24; i < spiked.length; i++) {
      const open = price;
      price = open * Math.exp(0.03 * rng.normal());
      spiked[i] = { openTimeMs: i * H, open, high: Math.max(open, price) * 1.01, low: Math.min(open, price) * 0.99, close: price };
    }
    const run = (candles: typeof calm) =>
      computeParameters({ asset: 'TEST', nowMs: 0, profile: { ...lending, current: {} }, policy: config.policy, candles, books, quality: goodQuality });
    const before = run(calm);
    const after = run(spiked);
    expect(after.volatility.regime).toBe('stressed');
    expect(after.volatility.adverseMoveSource).toBe('filtered');
    expect(after.volatility.filtered.adverseMove).toBeGreaterThan(before.volatility.filtered.adverseMove! * 2);
    expect((after.target as { liquidationThresholdBps: number }).liquidationThresholdBps).toBeLessThan(
      // Six steward steps or more (issue 14: the calm LT is floored by the through-the-cycle tail, 85.5 % here; the spike sets 82 %).
      (before.target as { liquidationThresholdBps: number }).liquidationThresholdBps - 300,
    );
    expect(after.rationale.find((r) => r.parameter === 'liquidationThresholdBps')!.text).toMatch(/Regime stressed: .*filtered tail/);
    // The unconditional year-long quantile moved far less than the filtered one.
    expect(after.volatility.unconditional.adverseMove! / before.volatility.unconditional.adverseMove!).toBeLessThan(1.5);
  });

  it('records the unconstrained target and the bounded step; weak evidence holds loosening but lets tightening through', () => {
    const current = { ltvBps: 5000, liquidationThresholdBps: 9500, liquidationBonusBps: 450, supplyCapUsd: 1e6, borrowCapUsd: 5e5 };
    const profile = { ...lending, current: { TEST: current } };
    const weak: DataQuality = { ...goodQuality, passed: false, issues: [{ code: 'STALE', severity: 'failure', message: 'last bar 30 h old' }] };
    const strong = computeParameters({ asset: 'TEST', nowMs: 0, profile, policy: config.policy, candles: calm, books, quality: goodQuality });
    const weakened = computeParameters({ asset: 'TEST', nowMs: 0, profile, policy: config.policy, candles: calm, books, quality: weak });
    if (strong.profileKind !== 'lending' || weakened.profileKind !== 'lending') throw new Error('lending expected');
    const ltStep = strong.steps.find((s) => s.parameter === 'liquidationThresholdBps')!;
    expect(ltStep.target).toBeLessThan(9500 - 50);
    expect(ltStep.status).toBe('bounded-needs-vote');
    expect(strong.parameters.liquidationThresholdBps).toBe(9450); // one 50 bps steward step toward the target
    expect(strong.needsGovernanceVote).toBe(true);
    // LTV 50 % -> a higher target is a loosening: held on weak evidence; the LT cut (a tightening) still goes.
    expect(weakened.steps.find((s) => s.parameter === 'ltvBps')!.status).toBe('held-weak-evidence');
    expect(weakened.parameters.ltvBps).toBe(5000);
    expect(weakened.parameters.liquidationThresholdBps).toBe(9450);
  });

  it('stores the cross-checks: SmartLTV beside ours and Monte Carlo bad debt of a book up to LT', () => {
    const result = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles: calm, books, quality: goodQuality });
    if (result.profileKind !== 'lending' || !result.monteCarlo || !result.crossCheck) throw new Error('lending with cross-checks expected');
    // The exact block bootstrap: one path per block start of the history (tail/fhs-exact.ts).
    expect(result.monteCarlo.paths).toBe(result.volatility.filtered.paths);
    expect(result.monteCarlo.paths).toBeGreaterThan(1_000);
    expect(result.monteCarlo.valueAtRiskUsd).toBeLessThanOrEqual(result.monteCarlo.expectedShortfallUsd);
    expect(result.crossCheck.smartLtv).toBeGreaterThanOrEqual(0);
    expect(result.crossCheck.gapPp).toBeCloseTo(result.target.ltvBps / 100 - result.crossCheck.smartLtv * 100, 6);
    expect(result.crossCheck.flagged).toBe(Math.abs(result.crossCheck.gapPp) > lending.smartLtvGapFlagPp);
  });

  it('is deterministic: same inputs, same numbers', () => {
    const a = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles: calm, books, quality: goodQuality });
    const b = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles: calm, books, quality: goodQuality });
    expect(b).toEqual(a);
  });

  it('perp: a tier schedule with non-decreasing maintenance margin, OI caps and an insurance-fund target', () => {
    const candles = randomWalk(30 * 288, 0.002, 5, 300_000);
    const result = computeParameters({ asset: 'TEST', nowMs: 0, profile: perp, policy: config.policy, candles, books: [linearBook(100, 5e6)], quality: goodQuality });
    if (result.profileKind !== 'perp') throw new Error('perp expected');
    expect(result.tiers.length).toBe(perp.kind === 'perp' ? perp.tierNotionalsUsd.length : 0);
    for (let i = 1; i < result.tiers.length; i++) {
      expect(result.tiers[i]!.maintenanceMarginBps).toBeGreaterThanOrEqual(result.tiers[i - 1]!.maintenanceMarginBps);
      expect(result.tiers[i]!.maxLeverage).toBeLessThanOrEqual(result.tiers[i - 1]!.maxLeverage);
    }
    expect(result.openInterest.upperCapUsd).toBeGreaterThan(result.openInterest.lowerCapUsd!);
    expect(result.insuranceFundTargetUsd).toBeGreaterThanOrEqual(0);
    expect(result.parameters.initialMarginBps).toBe(Math.ceil(10_000 / result.parameters.maxLeverage));
    // The published schedule (bps rates, USD deductions) is continuous to the cent at every boundary.
    expect(() => assertContinuousTiers(result.tiers, 'TEST perp')).not.toThrow();
    boundaryJumpsUsd(result.tiers).forEach((jump) => expect(Math.abs(jump)).toBeLessThan(0.005));
  });
});
