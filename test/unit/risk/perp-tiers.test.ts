import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Level } from '../../../shared/risk/liquidity.js';
import { sellSlippage } from '../../../shared/risk/liquidity.js';
import {
  buildMarginTiers,
  insuranceFundTarget,
  InvalidMarginInputError,
  liquidationPenalty,
  marginTiers,
  openInterestCaps,
  type MarginTier,
} from '../../../shared/risk/perp-tiers.js';
import { roundUpBps } from '../../../shared/risk/lending.js';
import { assertContinuousTiers, boundaryJumpsUsd, DiscontinuousMarginTiersError, type PublishedTier } from '../../../shared/risk/tier-continuity.js';

const LEVERAGE_TIERS = [1, 2, 3, 5, 10, 20, 25, 40, 50];

/** Index of the tier a notional falls in: the last tier whose lower bound is <= |notional|. */
function tierIndexFor(tiers: readonly MarginTier[], notionalUsd: number): number {
  const size = Math.abs(notionalUsd);
  let index = 0;
  for (let n = 1; n < tiers.length && tiers[n]!.lowerBoundUsd <= size; n++) index = n;
  return index;
}

/**
 * How an exchange reads the schedule: `MM = |notional| * mmr_n - deduction_n` for the tier the notional
 * falls in (long or short alike); above the last upper bound the last tier's rate continues.
 */
function maintenanceMarginUsd(tiers: readonly MarginTier[], notionalUsd: number): number {
  const tier = tiers[tierIndexFor(tiers, notionalUsd)]!;
  return Math.abs(notionalUsd) * tier.maintenanceMarginFraction - tier.maintenanceDeductionUsd;
}

// Hand-built book around mid 100: 99.9 x 1,000, 99.5 x 9,000, 99 x 40,000 (total $5M at mid).
const BOOK: Level[] = [
  { price: 99.9, quantity: 1_000 },
  { price: 99.5, quantity: 9_000 },
  { price: 99, quantity: 40_000 },
];

const handBuilt = () =>
  marginTiers({
    adverseMove: 0.0077,
    bids: BOOK,
    midUsd: 100,
    feeBuffer: 0.001,
    initialToMaintenanceRatio: 2,
    leverageTiers: LEVERAGE_TIERS,
    tierNotionalsUsd: [0, 50_000, 500_000, 2_000_000],
    maxPositionUsd: 10_000_000,
  });

describe('margin tiers from a hand-built book', () => {
  it('measures each tier at its upper bound and gets the exact MMR', () => {
    const tiers = handBuilt();
    expect(tiers.map((t) => t.sizedAtUsd)).toEqual([50_000, 500_000, 2_000_000, 10_000_000]);
    // 50k = 500 units @ 99.9 -> 0.1 %; 500k = 1,000 @ 99.9 + 4,000 @ 99.5 -> VWAP 99.58 -> 0.42 %;
    // 2M = 1,000 @ 99.9 + 9,000 @ 99.5 + 10,000 @ 99 -> VWAP 99.27 -> 0.73 %; 10M > the whole book.
    const expectedSlippage = [0.001, 0.0042, 0.0073];
    expectedSlippage.forEach((s, n) => expect(tiers[n]!.slippage).toBeCloseTo(s, 12));
    expect(tiers.map((t) => t.fillable)).toEqual([true, true, true, false]);
    const expectedMmr = [0.0097, 0.0129, 0.016, 1];
    expectedMmr.forEach((mmr, n) => expect(tiers[n]!.maintenanceMarginFraction).toBeCloseTo(mmr, 12));
  });

  it('snaps leverage down and sets initial margin to 1 / leverage', () => {
    const tiers = handBuilt();
    // 1/(2 x 0.97 %) = 51.5 -> 50; 1/(2 x 1.29 %) = 38.8 -> 25; 1/(2 x 1.6 %) = 31.3 -> 25.
    expect(tiers.map((t) => t.maxLeverage)).toEqual([50, 25, 25, 0]);
    expect(tiers.map((t) => t.initialMarginFraction)).toEqual([0.02, 0.04, 0.04, 1]);
  });

  it('makes a tier the book cannot absorb reduce-only at MMR 100 %', () => {
    const last = handBuilt()[3]!;
    expect(last).toMatchObject({ fillable: false, unforcedMaintenanceFraction: 1, maintenanceMarginFraction: 1, maxLeverage: 0, reduceOnly: true });
    expect(handBuilt().slice(0, 3).every((t) => !t.reduceOnly)).toBe(true);
  });

  it('accumulates the exact maintenance deductions', () => {
    const deductions = handBuilt().map((t) => t.maintenanceDeductionUsd);
    // 50k x (1.29 - 0.97) % = 160; + 500k x (1.6 - 1.29) % = 1,710; + 2M x (100 - 1.6) % = 1,969,710.
    [0, 160, 1_710, 1_969_710].forEach((d, n) => expect(deductions[n]).toBeCloseTo(d, 6));
  });

  it('keeps MM continuous at each boundary (just below vs at)', () => {
    const tiers = handBuilt();
    const expectedAtBoundary = [485, 6_290, 30_290]; // 50k x 0.97 %, 500k x 1.29 % - 160, 2M x 1.6 % - 1,710
    [50_000, 500_000, 2_000_000].forEach((bound, n) => {
      const below = maintenanceMarginUsd(tiers, bound - 0.01);
      const at = maintenanceMarginUsd(tiers, bound);
      expect(tierIndexFor(tiers, bound - 0.01)).toBe(n);
      expect(tierIndexFor(tiers, bound)).toBe(n + 1);
      expect(at).toBeCloseTo(expectedAtBoundary[n]!, 6);
      expect(Math.abs(at - below)).toBeLessThan(0.01); // only the cent's worth of the lower tier's rate
    });
  });

  it('treats shorts like longs and continues the last rate above the largest position', () => {
    const tiers = handBuilt();
    expect(maintenanceMarginUsd(tiers, -600_000)).toBeCloseTo(maintenanceMarginUsd(tiers, 600_000), 9);
    expect(maintenanceMarginUsd(tiers, 20_000_000)).toBeCloseTo(20_000_000 - 1_969_710, 6);
  });

  it('defaults the largest position to twice the last lower bound', () => {
    const tiers = marginTiers({
      adverseMove: 0.0077, bids: BOOK, midUsd: 100, feeBuffer: 0.001, initialToMaintenanceRatio: 2,
      leverageTiers: LEVERAGE_TIERS, tierNotionalsUsd: [0, 50_000, 500_000],
    });
    expect(tiers[2]!.sizedAtUsd).toBe(1_000_000);
    expect(tiers[2]!.upperBoundUsd).toBe(1_000_000);
    // 1M = 1,000 @ 99.9 + 9,000 @ 99.5 -> VWAP 99.54 -> 0.46 %.
    expect(tiers[2]!.slippage).toBeCloseTo(0.0046, 12);
  });

  it('sanity anchor: BTC 5-min q99 0.77 %, tiny slippage, fee 0.1 %, m = 2 -> first tier in 40x-50x', () => {
    const deep: Level[] = [{ price: 99.99, quantity: 10_000_000 }]; // $1B one bp below mid
    const [first] = marginTiers({
      adverseMove: 0.0077, bids: deep, midUsd: 100, feeBuffer: 0.001, initialToMaintenanceRatio: 2,
      leverageTiers: LEVERAGE_TIERS, tierNotionalsUsd: [0, 100_000, 1_000_000, 5_000_000, 20_000_000, 50_000_000],
    });
    expect(first!.maintenanceMarginFraction).toBeCloseTo(0.0088, 12);
    expect(first!.maxLeverage).toBeGreaterThanOrEqual(40);
    expect(first!.maxLeverage).toBeLessThanOrEqual(50);
  });

  it('reproduces a Binance-like bracket ladder from a book that thins out with size', () => {
    // 1,000 levels 5 bps apart, $500k each at mid: slippage(S) ~ 0.05 % x S / $1M.
    const ladder: Level[] = Array.from({ length: 1_000 }, (_, k) => ({ price: 100 * (1 - 0.0005 * (k + 1)), quantity: 5_000 }));
    const tiers = marginTiers({
      adverseMove: 0.0025, bids: ladder, midUsd: 100, feeBuffer: 0.0005, initialToMaintenanceRatio: 2,
      leverageTiers: [1, 2, 3, 4, 5, 10, 20, 50, 100, 125],
      tierNotionalsUsd: [0, 50_000, 250_000, 1_000_000, 10_000_000, 20_000_000, 50_000_000, 100_000_000, 200_000_000, 300_000_000],
      maxPositionUsd: 400_000_000,
    });
    // Hand estimates: MMR 0.35, 0.35, 0.375, 0.825, 1.3, 2.8, 5.3, 10.3, 15.3, 20.3 %.
    expect(tiers.map((t) => t.maxLeverage)).toEqual([125, 125, 125, 50, 20, 10, 5, 4, 3, 2]);
    for (let n = 1; n < tiers.length; n++) {
      const [prev, cur] = [tiers[n - 1]!, tiers[n]!];
      expect(cur.maintenanceDeductionUsd).toBeGreaterThanOrEqual(prev.maintenanceDeductionUsd);
      expect(maintenanceMarginUsd(tiers, cur.lowerBoundUsd)).toBeCloseTo(cur.lowerBoundUsd * prev.maintenanceMarginFraction - prev.maintenanceDeductionUsd, 4);
    }
  });
});

describe('bracket schedule (deduction rule)', () => {
  it("reproduces Binance BTCUSDT brackets: leverage and the maintenance amounts their MMRs imply", () => {
    // Binance brackets (docs/methodology.md#ref-perp-margins); the deductions are recomputed by hand from the rule
    // (50k x 0.1 % = 50; + 250k x 0.5 % = 1,300; + 1M x 1.5 % = 16,300; ...).
    const tiers = buildMarginTiers({
      lowerBoundsUsd: [0, 50e3, 250e3, 1e6, 10e6, 20e6, 50e6, 100e6, 200e6, 300e6],
      maxPositionUsd: 500e6,
      maintenanceFractions: [0.004, 0.005, 0.01, 0.025, 0.05, 0.1, 0.125, 0.15, 0.25, 0.5],
      initialToMaintenanceRatio: 2,
      leverageTiers: [1, 2, 3, 4, 5, 10, 20, 50, 100, 125],
    });
    expect(tiers.map((t) => t.maxLeverage)).toEqual([125, 100, 50, 20, 10, 5, 4, 3, 2, 1]);
    const expected = [0, 50, 1_300, 16_300, 266_300, 1_266_300, 2_516_300, 5_016_300, 25_016_300, 100_016_300];
    expected.forEach((d, n) => expect(tiers[n]!.maintenanceDeductionUsd).toBeCloseTo(d, 4));
    expect(tiers[9]!.upperBoundUsd).toBe(500e6);
  });

  it('Hyperliquid anchor: MMR 1.25 % with m = 2 is 40x, IMF 2.5 %', () => {
    const [tier] = buildMarginTiers({ lowerBoundsUsd: [0], maxPositionUsd: 150e6, maintenanceFractions: [0.0125], initialToMaintenanceRatio: 2, leverageTiers: LEVERAGE_TIERS });
    expect(tier).toMatchObject({ maxLeverage: 40, initialMarginFraction: 0.025, maintenanceDeductionUsd: 0 });
  });

  it('forces a lower rate up to the previous tier (and adds no deduction there)', () => {
    const tiers = buildMarginTiers({
      lowerBoundsUsd: [0, 1e5, 1e6], maxPositionUsd: 5e6, maintenanceFractions: [0.01, 0.008, 0.02],
      initialToMaintenanceRatio: 2, leverageTiers: LEVERAGE_TIERS,
    });
    expect(tiers.map((t) => t.maintenanceMarginFraction)).toEqual([0.01, 0.01, 0.02]);
    expect(tiers.map((t) => t.maxLeverage)).toEqual([50, 50, 25]);
    expect(tiers[1]!.maintenanceDeductionUsd).toBe(0);
    expect(tiers[2]!.maintenanceDeductionUsd).toBeCloseTo(1e6 * 0.01, 9);
  });

  it('refuses malformed schedules with the offending input', () => {
    const base = { maxPositionUsd: 5e6, initialToMaintenanceRatio: 2, leverageTiers: LEVERAGE_TIERS };
    expect(() => buildMarginTiers({ ...base, lowerBoundsUsd: [1, 2], maintenanceFractions: [0.01, 0.02] })).toThrow(InvalidMarginInputError);
    expect(() => buildMarginTiers({ ...base, lowerBoundsUsd: [0, 2e6, 1e6], maintenanceFractions: [0.01, 0.02, 0.03] })).toThrow(/strictly increasing/);
    expect(() => buildMarginTiers({ ...base, lowerBoundsUsd: [0, 6e6], maintenanceFractions: [0.01, 0.02] })).toThrow(/maxPositionUsd/);
    expect(() => buildMarginTiers({ ...base, lowerBoundsUsd: [0], maintenanceFractions: [0.01, 0.02] })).toThrow(/one value per tier/);
    try {
      buildMarginTiers({ ...base, initialToMaintenanceRatio: 0.5, lowerBoundsUsd: [0], maintenanceFractions: [0.01] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidMarginInputError);
      expect((error as InvalidMarginInputError).details).toMatchObject({ parameter: 'initialToMaintenanceRatio', value: 0.5 });
    }
    expect(() => marginTiers({ adverseMove: 0.01, bids: BOOK, midUsd: 100, feeBuffer: 0.001, initialToMaintenanceRatio: 2, leverageTiers: LEVERAGE_TIERS, tierNotionalsUsd: [0] })).toThrow(/maxPositionUsd/);
  });
});

describe('margin tier properties', () => {
  const bookArb = fc
    .array(fc.record({ step: fc.double({ min: 1e-4, max: 2, noNaN: true }), quantity: fc.double({ min: 0.01, max: 5_000, noNaN: true }) }), { minLength: 1, maxLength: 30 })
    .map((raw) => {
      let price = 100;
      return raw.map(({ step, quantity }) => ({ price: (price -= step), quantity }));
    });
  const boundsArb = fc
    .array(fc.double({ min: 1_000, max: 2e5, noNaN: true }), { minLength: 0, maxLength: 7 })
    .map((steps) => steps.reduce<number[]>((acc, s) => [...acc, acc[acc.length - 1]! + s], [0]));

  it('MMR never falls and leverage never rises with notional; MM is continuous and within [0, notional]', () => {
    fc.assert(
      fc.property(
        bookArb,
        boundsArb,
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.double({ min: 1.01, max: 4, noNaN: true }),
        (bids, bounds, adverseMove, feeBuffer, m, maxMultiple) => {
          const tiers = marginTiers({
            adverseMove, bids, midUsd: 100, feeBuffer, initialToMaintenanceRatio: m,
            leverageTiers: LEVERAGE_TIERS, tierNotionalsUsd: bounds, maxPositionUsd: (bounds[bounds.length - 1]! + 1_000) * maxMultiple,
          });
          for (let n = 1; n < tiers.length; n++) {
            const [prev, cur] = [tiers[n - 1]!, tiers[n]!];
            expect(cur.maintenanceMarginFraction).toBeGreaterThanOrEqual(prev.maintenanceMarginFraction);
            expect(cur.maxLeverage).toBeLessThanOrEqual(prev.maxLeverage);
            const atBound = maintenanceMarginUsd(tiers, cur.lowerBoundUsd);
            const fromBelow = cur.lowerBoundUsd * prev.maintenanceMarginFraction - prev.maintenanceDeductionUsd;
            expect(Math.abs(atBound - fromBelow)).toBeLessThanOrEqual(1e-9 * cur.lowerBoundUsd);
          }
          for (const tier of tiers) {
            if (!tier.reduceOnly) expect(tier.initialMarginFraction).toBeGreaterThanOrEqual(tier.maintenanceMarginFraction * m * (1 - 1e-12));
            for (const x of [tier.lowerBoundUsd, (tier.lowerBoundUsd + tier.upperBoundUsd) / 2, tier.upperBoundUsd]) {
              const mm = maintenanceMarginUsd(tiers, x);
              expect(mm).toBeGreaterThanOrEqual(-1e-9 * x);
              expect(mm).toBeLessThanOrEqual(x * (1 + 1e-12));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('published tiers are continuous to the cent (rates as published, whole bps)', () => {
  /** The schedule as the engine publishes it: the rate rounded up to whole bps, the deduction as computed. */
  const published = (tiers: readonly MarginTier[]): PublishedTier[] =>
    tiers.map((t) => ({ lowerBoundUsd: t.lowerBoundUsd, maintenanceMarginBps: Math.min(10_000, roundUpBps(t.maintenanceMarginFraction)), deductionUsd: t.maintenanceDeductionUsd }));

  it('refuses, with a named error and the boundary, deductions taken from unrounded rates', () => {
    // Rates 0.431 % and 0.477 % publish as 44 and 48 bps; a deduction of 100k x 0.046 % = $46 (not 100k x 0.04 % = $40)
    // makes MM jump by 100k x 0.48 % - 46 - 100k x 0.44 % = -$6 at the $100k boundary.
    const stale: PublishedTier[] = [
      { lowerBoundUsd: 0, maintenanceMarginBps: 44, deductionUsd: 0 },
      { lowerBoundUsd: 100_000, maintenanceMarginBps: 48, deductionUsd: 46 },
    ];
    expect(boundaryJumpsUsd(stale)[0]).toBeCloseTo(-6, 9);
    try {
      assertContinuousTiers(stale, 'BTC perp-dex');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DiscontinuousMarginTiersError);
      expect((error as DiscontinuousMarginTiersError).details).toMatchObject({ where: 'BTC perp-dex', boundaryUsd: 100_000, tierIndex: 1 });
    }
  });

  it('builds the deduction from the published bps', () => {
    const tiers = buildMarginTiers({
      lowerBoundsUsd: [0, 100_000, 1_000_000], maxPositionUsd: 2e6, maintenanceFractions: [0.00431, 0.00477, 0.0050001],
      initialToMaintenanceRatio: 2, leverageTiers: LEVERAGE_TIERS,
    });
    expect(tiers.map((t) => t.maintenanceMarginBps)).toEqual([44, 48, 51]);
    // 100k x 4 bps = 40; + 1M x 3 bps = 340.
    expect(tiers.map((t) => t.maintenanceDeductionUsd)).toEqual([0, 40, 340]);
    expect(() => assertContinuousTiers(published(tiers), 'hand-built')).not.toThrow();
  });

  it('property: any generated schedule, published in bps, jumps by less than half a cent at every boundary', () => {
    const boundsArb = fc
      .array(fc.oneof(fc.integer({ min: 1, max: 50_000_000 }), fc.double({ min: 0.01, max: 5e8, noNaN: true })), { minLength: 0, maxLength: 12 })
      .map((steps) => steps.reduce<number[]>((acc, s) => [...acc, acc[acc.length - 1]! + s], [0]));
    fc.assert(
      fc.property(
        boundsArb,
        fc.array(fc.double({ min: 0, max: 1.2, noNaN: true }), { minLength: 13, maxLength: 13 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        (bounds, rates, m) => {
          const tiers = buildMarginTiers({
            lowerBoundsUsd: bounds, maxPositionUsd: bounds[bounds.length - 1]! * 2 + 1, maintenanceFractions: rates.slice(0, bounds.length),
            initialToMaintenanceRatio: m, leverageTiers: LEVERAGE_TIERS,
          });
          const schedule = published(tiers);
          tiers.forEach((t, n) => expect(schedule[n]!.maintenanceMarginBps === t.maintenanceMarginBps).toBe(true));
          for (const jump of boundaryJumpsUsd(schedule)) expect(Math.abs(jump)).toBeLessThan(0.005);
          assertContinuousTiers(schedule, 'generated');
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('open-interest caps from depth', () => {
  // The liquidity-test book: bids 99.5 x 10, 99 x 20, 98 x 50, 95 x 100 around mid 100.
  const bids: Level[] = [
    { price: 99.5, quantity: 10 },
    { price: 99, quantity: 20 },
    { price: 98, quantity: 50 },
    { price: 95, quantity: 100 },
  ];

  it('lower cap: liquidating k of it costs exactly the penalty; upper cap: a multiple', () => {
    // Within 0.75 %: VWAP 99.25 = 10 @ 99.5 + 10 @ 99 -> $2,000 at mid; k = 10 % -> lo $20k, hi $40k.
    const caps = openInterestCaps({ bids, midUsd: 100, liquidationPenalty: 0.0075 });
    expect(caps.sellableWithinPenaltyUsd).toBeCloseTo(2_000, 9);
    expect(caps.lowerCapUsd).toBeCloseTo(20_000, 6);
    expect(caps.upperCapUsd).toBeCloseTo(40_000, 6);
    expect(sellSlippage(bids, 100, caps.lowerCapUsd * 0.1).slippage).toBeCloseTo(0.0075, 12);
    // k x hi = 40 units: 10 @ 99.5 + 20 @ 99 + 10 @ 98 -> VWAP 98.875.
    expect(caps.slippageAtUpperCap).toBeCloseTo(0.01125, 12);
    expect(caps.upperCapFillable).toBe(true);
  });

  it('flags an upper cap the book cannot absorb, and scales with k and the multiple', () => {
    const wide = openInterestCaps({ bids, midUsd: 100, liquidationPenalty: 0.0075, liquidatedShareOfOi: 0.2, upperCapMultiple: 10 });
    expect(wide.lowerCapUsd).toBeCloseTo(10_000, 6);
    expect(wide.upperCapUsd).toBeCloseTo(100_000, 6);
    expect(wide.upperCapFillable).toBe(false); // 20 % of $100k = 200 units > the book's 180
    expect(() => openInterestCaps({ bids, midUsd: 100, liquidationPenalty: 0.0075, upperCapMultiple: 0.5 })).toThrow(InvalidMarginInputError);
  });
});

describe('liquidation penalty and insurance fund', () => {
  it('penalty = tier slippage + insurance contribution', () => {
    expect(liquidationPenalty({ slippageAtTierSize: 0.004, insuranceContribution: 0.002 })).toBeCloseTo(0.006, 15);
    expect(() => liquidationPenalty({ slippageAtTierSize: -0.001, insuranceContribution: 0.002 })).toThrow(InvalidMarginInputError);
  });

  it('target = OI x max(0, stress + slippage - MMR)', () => {
    const target = insuranceFundTarget({ openInterestUsd: 100e6, stressDrawdown: 0.05, maintenanceMargin: 0.0125, slippage: 0.005 });
    expect(target.shortfallFraction).toBeCloseTo(0.0425, 12);
    expect(target.targetUsd).toBeCloseTo(4.25e6, 3);
    expect(insuranceFundTarget({ openInterestUsd: 100e6, stressDrawdown: 0.05, maintenanceMargin: 0.0125, slippage: 0.005, exposedShareOfOi: 0.4 }).targetUsd).toBeCloseTo(1.7e6, 3);
    // A stress move the margin covers leaves no bad debt.
    expect(insuranceFundTarget({ openInterestUsd: 100e6, stressDrawdown: 0.005, maintenanceMargin: 0.0125, slippage: 0.005 })).toEqual({ targetUsd: 0, shortfallFraction: 0 });
  });
});

