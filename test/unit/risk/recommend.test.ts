import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import type { BookSummary, DataQuality } from '../../../shared/model/snapshot.js';
import { computeParameters, floorToSignificant } from '../../../shared/risk/recommend.js';
import { SeededRandom } from '../../../shared/market/rng.js';

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

  it('is unfit (LTV 0) with reasons on short history, thin books or failed quality', () => {
    const short = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles: candles.slice(-24 * 30), books: [linearBook(last, 50e6)], quality: goodQuality });
    expect(short.status).toBe('unfit');
    expect(short.unfitReasons.join()).toMatch(/days of history/);
    expect(short.parameters).toMatchObject({ ltvBps: 0 });

    const thin = computeParameters({ asset: 'TEST', nowMs: 0, profile: lending, policy: config.policy, candles, books: [linearBook(last, 10_000)], quality: goodQuality });
    expect(thin.unfitReasons.join()).toMatch(/cannot absorb/);

    const weak = computeParameters({
      asset: 'TEST',
      nowMs: 0,
      profile: lending,
      policy: config.policy,
      candles,
      books: [linearBook(last, 50e6)],
      quality: { ...goodQuality, passed: false, issues: [{ code: 'STALE', severity: 'failure', message: 'last bar 30 h old' }] },
    });
    expect(weak.unfitReasons.join()).toMatch(/last bar 30 h old/);
  });

  it('more volatility never raises LT or LTV; more depth never lowers them', () => {
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
