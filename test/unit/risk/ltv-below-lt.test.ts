import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingParameters, LendingProfile } from '../../../shared/config/schema.js';
import { changesOf } from '../../../shared/governance/changes.js';
import type { Recommendation } from '../../../shared/model/recommendation.js';
import type { DataQuality } from '../../../shared/model/snapshot.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { computeParameters } from '../../../shared/risk/engine/recommend.js';
import { linearBook } from '../../support/fixtures.js';

/**
 * Issue 12 defect 4: LTV stays below LT, by the ordinary (beta) move, in the target, in every guard-railed
 * step and in `parameters`, and the change rows a proposal is built from say the same numbers.
 */

const config = buildConfig();
const base = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const H = 3_600_000;
const DAYS = 120;

function randomWalk(hourlyVol: number, seed: number) {
  const rng = new SeededRandom(seed);
  let price = 100;
  return Array.from({ length: DAYS * 24 }, (_, i) => {
    const open = price;
    price = open * Math.exp(hourlyVol * rng.normal());
    const wick = Math.abs(rng.normal()) * hourlyVol * 0.5;
    return { openTimeMs: i * H, open, high: Math.max(open, price) * (1 + wick), low: Math.min(open, price) * (1 - wick), close: price };
  });
}

const walks = [0.006, 0.012, 0.02].map((vol, i) => randomWalk(vol, i + 1));
const goodQuality: DataQuality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };
const weakQuality: DataQuality = { ...goodQuality, passed: false, issues: [{ code: 'STALE', severity: 'failure', message: 'old' }] };

/** The beta buffer, written out independently of the engine: LT x (1 - D_beta) rounded down to the step, strictly below LT. */
function ceilingOf(ltBps: number, ordinaryMove: number, stepBps: number): number {
  if (ltBps <= 0) return 0;
  const buffered = Math.floor(Math.floor((ltBps / 1e4) * (1 - ordinaryMove) * 1e4 + 1e-9) / stepBps) * stepBps;
  const strictlyBelow = (Math.ceil(ltBps / stepBps) - 1) * stepBps;
  return Math.max(0, Math.min(buffered, strictlyBelow));
}

/** LTV 0 = not collateral; otherwise strictly below LT. */
function belowLt(ltv: number, lt: number): boolean {
  return ltv === 0 || ltv < lt;
}

const currentArb: fc.Arbitrary<LendingParameters | null> = fc.option(
  fc
    .record({
      lt: fc.integer({ min: 30, max: 90 }).map((pct) => pct * 100 + 0),
      ltvGap: fc.integer({ min: 50, max: 3000 }),
      ltvZero: fc.boolean(),
      bonus: fc.integer({ min: 450, max: 1500 }),
      supplyCapUsd: fc.constantFrom(0, 1e6, 5e7, 3e9),
      borrowCapUsd: fc.constantFrom(0, 1e6, 2e7),
    })
    .map(({ lt, ltvGap, ltvZero, bonus, supplyCapUsd, borrowCapUsd }) => ({
      ltvBps: ltvZero ? 0 : Math.max(0, lt - ltvGap),
      liquidationThresholdBps: lt,
      liquidationBonusBps: bonus,
      supplyCapUsd,
      borrowCapUsd,
    })),
  { nil: null },
);

describe('LTV below LT by the beta buffer (engine property)', () => {
  it('holds in target, steps and parameters; steps, parameters and change rows agree', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: walks.length - 1 }),
        fc.constantFrom(2e5, 2e6, 5e7),
        currentArb,
        fc.constantFrom(25, 50, 100),
        fc.constantFrom(50, 100, 300),
        fc.boolean(),
        fc.boolean(),
        (walk, depth, current, roundingStepBps, maxStepBps, strong, frozen) => {
          const candles = walks[walk]!;
          const profile: LendingProfile = {
            ...base,
            roundingStepBps,
            maxStepBps,
            current: current ? { TEST: current } : {},
            currentUpdatedAt: {},
          };
          const r = computeParameters({
            asset: 'TEST',
            nowMs: DAYS * 24 * H,
            profile,
            policy: config.policy,
            candles,
            books: [linearBook(candles[candles.length - 1]!.close, depth, { fetchedAtMs: DAYS * 24 * H })],
            quality: strong ? goodQuality : weakQuality,
            frozen,
          });
          if (r.profileKind !== 'lending') throw new Error('lending expected');
          const ordinary = (r.volatility.ordinaryMove ?? r.volatility.adverseMove)!;

          // Target: the buffer against the (rounded) target LT.
          expect(belowLt(r.target.ltvBps, r.target.liquidationThresholdBps)).toBe(true);
          expect(r.target.ltvBps).toBeLessThanOrEqual(ceilingOf(r.target.liquidationThresholdBps, ordinary, roundingStepBps));

          // Steps: what each asks to set (the listing value of a new listing) keeps LTV below LT.
          const step = (p: string) => r.steps.find((s) => s.parameter === p)!;
          const asked = (p: string) => (step(p).proposed ?? step(p).target)!;
          const ltvStep = step('ltvBps');
          const ltAsked = asked('liquidationThresholdBps');
          if (!frozen) expect(belowLt(asked('ltvBps'), ltAsked)).toBe(true);
          // A step that moves LTV (or lists it) never goes above the buffer unless the per-update limit forbids it.
          if (ltvStep.current === null && !frozen) expect(asked('ltvBps')).toBeLessThanOrEqual(ceilingOf(ltAsked, ordinary, roundingStepBps));

          // Parameters are the steps' values, so they cannot disagree.
          for (const s of r.steps) expect(r.parameters[s.parameter as keyof LendingParameters]).toBe(s.proposed ?? s.target);
          if (!frozen) expect(belowLt(r.parameters.ltvBps, r.parameters.liquidationThresholdBps)).toBe(true);

          // Change rows (what every rendering reads): current, proposed and target of the steps.
          const recommendation = { ...r, asset: 'TEST', profileId: profile.id, current: profile.current.TEST ?? null } as unknown as Recommendation;
          for (const change of changesOf(recommendation)) {
            const s = step(change.parameter);
            expect(change.current).toBe(s.current);
            expect(change.recommended).toBe(r.parameters[change.parameter as keyof LendingParameters]);
            expect(change.target).toBe(s.target);
          }
          const ltvRow = changesOf(recommendation).find((c) => c.parameter === 'ltvBps');
          if (ltvRow && !frozen) expect(belowLt(ltvRow.recommended, r.parameters.liquidationThresholdBps)).toBe(true);
        },
      ),
      { numRuns: 40, seed: 12, endOnFailure: true },
    );
  });

  it('a new LTV listing beside a bounded LT step lists below the proposed LT (the CRV case)', () => {
    const candles = walks[1]!;
    const profile: LendingProfile = {
      ...base,
      current: { TEST: { ltvBps: 0, liquidationThresholdBps: 4100, liquidationBonusBps: 830, supplyCapUsd: 8.6e6, borrowCapUsd: 0 } },
      currentUpdatedAt: {},
    };
    const r = computeParameters({ asset: 'TEST', nowMs: DAYS * 24 * H, profile, policy: config.policy, candles, books: [linearBook(100, 5e7, { fetchedAtMs: DAYS * 24 * H })], quality: goodQuality });
    if (r.profileKind !== 'lending') throw new Error('lending expected');
    const lt = r.steps.find((s) => s.parameter === 'liquidationThresholdBps')!;
    expect(lt.proposed).toBe(4150);
    const ltv = r.steps.find((s) => s.parameter === 'ltvBps')!;
    expect(ltv.current).toBeNull();
    expect(ltv.status).toBe('new-listing-needs-vote');
    const ordinary = (r.volatility.ordinaryMove ?? r.volatility.adverseMove)!;
    expect(ltv.proposed).toBe(ceilingOf(4150, ordinary, base.roundingStepBps));
    expect(r.parameters.ltvBps).toBe(ltv.proposed);
    expect(ltv.reason).toMatch(/liquidation threshold/i);
  });
});

describe('perp steps and parameters agree', () => {
  const perp = config.profiles.find((p) => p.kind === 'perp')!;
  const M5 = 300_000;
  const perpWalks = [0.002, 0.004, 0.008].map((vol, k) => {
    const rng = new SeededRandom(100 + k);
    let price = 100;
    return Array.from({ length: 10 * 288 }, (_, i) => {
      const open = price;
      price = open * Math.exp(vol * rng.normal());
      return { openTimeMs: i * M5, open, high: Math.max(open, price) * 1.0005, low: Math.min(open, price) * 0.9995, close: price };
    });
  });

  it('a bounded leverage step is the snapped tier in the step too, so every rendering shows one value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: perpWalks.length - 1 }), fc.constantFrom(3, 5, 15, 30, 60, 100), fc.integer({ min: 50, max: 600 }), (walk, leverage, mm) => {
        if (perp.kind !== 'perp') throw new Error('perp expected');
        const candles = perpWalks[walk]!;
        const profile = { ...perp, current: { TEST: { maxLeverage: leverage, maintenanceMarginBps: mm, initialMarginBps: Math.ceil(10_000 / leverage) } }, currentUpdatedAt: {} };
        const r = computeParameters({ asset: 'TEST', nowMs: candles.length * M5, profile, policy: config.policy, candles, books: [linearBook(candles.at(-1)!.close, 2e7, { fetchedAtMs: candles.length * M5 })], quality: goodQuality });
        for (const s of r.steps) expect(r.parameters[s.parameter as keyof typeof r.parameters]).toBe(s.proposed ?? s.target);
      }),
      { numRuns: 30, seed: 12, endOnFailure: true },
    );
  });
});
