import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile, PerpProfile } from '../../../shared/config/schema.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { recommendationSchema } from '../../../shared/model/recommendation.js';
import type { DataQuality } from '../../../shared/model/snapshot.js';
import { STEP_STATUSES } from '../../../shared/risk/guardrails.js';
import { computeParameters } from '../../../shared/risk/engine/recommend.js';
import { linearBook } from '../../support/fixtures.js';

// Missing input is not evidence of risk (issue 12 defect 5): what depends on an absent input is held at
// the protocol's current value with status `no-data`, the rest is computed, and nothing is delisted or cut.

const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp') as PerpProfile;
const H = 3_600_000;
const FIVE_MIN = 300_000;
const quality: DataQuality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };

function randomWalk(bars: number, vol: number, seed: number, intervalMs: number) {
  const rng = new SeededRandom(seed);
  let price = 100;
  return Array.from({ length: bars }, (_, i) => {
    const open = price;
    price = open * Math.exp(vol * rng.normal());
    return { openTimeMs: i * intervalMs, open, high: Math.max(open, price) * 1.001, low: Math.min(open, price) * 0.999, close: price };
  });
}

const hourly = randomWalk(365 * 24, 0.008, 1, H);
const asset = 'ETH';
const ethLending = lending.current[asset]!;
const ethPerp = perp.current[asset]!;

describe('missing inputs are held, not judged', () => {
  it('keeps the step-status enum and its schema copy in agreement, with no-data in both', () => {
    expect(STEP_STATUSES).toContain('no-data');
    const schemaStatuses = (recommendationSchema.options[0].shape.steps.element.shape.status as unknown as { options: string[] }).options;
    expect([...schemaStatuses].sort()).toEqual([...STEP_STATUSES].sort());
  });

  it('lending with no order book: every parameter held no-data at the current value, not NOT COLLATERAL, no $1 cap', () => {
    const r = computeParameters({ asset, nowMs: 365 * 24 * H, profile: lending, policy: config.policy, candles: hourly, books: [], quality, lastGoodMs: { book: 1_700_000_000_000 } });
    if (r.profileKind !== 'lending') throw new Error('expected lending');
    expect(r.status).toBe('no-data');
    expect(r.unfitReasons).toEqual([]);
    for (const step of r.steps) {
      expect(step.status).toBe('no-data');
      expect(step.target).toBeNull();
      expect(step.proposed).toBe(step.current);
      expect(step.missingInput).toEqual({ input: 'order book', sinceMs: 1_700_000_000_000 });
    }
    expect(r.parameters).toEqual(ethLending);
    expect(r.needsGovernanceVote).toBe(false);
    // Placeholders are null, never 100 % slippage or zero depth.
    expect(r.liquidity.slippageUsed).toBeNull();
    expect(r.liquidity.slippageMerged).toBeNull();
    expect(r.liquidity.liquidationSizeFillable).toBeNull();
    expect(r.liquidity.depthUsd).toEqual({});
    expect(r.figures.slippage).toBeUndefined();
    // The tail does not depend on the book: still computed.
    expect(r.volatility.adverseMove).toBeGreaterThan(0);
    expect(r.alerts).toEqual([
      expect.objectContaining({ input: 'order book', sinceMs: 1_700_000_000_000, severity: 'critical', parameters: expect.arrayContaining(['ltvBps', 'supplyCapUsd']) }),
    ]);
  });

  it('lending with no candles: LT and LTV held no-data, bonus and caps still computed from the book', () => {
    const r = computeParameters({ asset, nowMs: 0, profile: lending, policy: config.policy, candles: [], books: [linearBook(100, 500e6)], quality });
    if (r.profileKind !== 'lending') throw new Error('expected lending');
    expect(r.status).toBe('no-data');
    expect(r.unfitReasons).toEqual([]);
    const byParameter = Object.fromEntries(r.steps.map((s) => [s.parameter, s]));
    expect(byParameter.ltvBps!.status).toBe('no-data');
    expect(byParameter.liquidationThresholdBps!.status).toBe('no-data');
    expect(byParameter.liquidationThresholdBps!.missingInput).toEqual({ input: 'candles 1h', sinceMs: null });
    expect(r.parameters.ltvBps).toBe(ethLending.ltvBps);
    expect(r.parameters.liquidationThresholdBps).toBe(ethLending.liquidationThresholdBps);
    for (const p of ['liquidationBonusBps', 'supplyCapUsd', 'borrowCapUsd']) expect(byParameter[p]!.status).not.toBe('no-data');
    expect(r.target.supplyCapUsd).toBeGreaterThan(1);
    expect(r.volatility.adverseMove).toBeNull();
    expect(r.volatility.expectedShortfall).toBeNull();
    expect(r.figures.adverseMove).toBeUndefined();
    expect(r.alerts).toEqual([expect.objectContaining({ input: 'candles 1h', severity: 'warning', parameters: ['ltvBps', 'liquidationThresholdBps'] })]);
  });

  it('a real book that cannot absorb the liquidation size is still evidence: unfit', () => {
    const r = computeParameters({ asset, nowMs: 0, profile: lending, policy: config.policy, candles: hourly, books: [linearBook(100, 10_000)], quality });
    expect(r.status).toBe('unfit');
    expect(r.unfitReasons.join()).toMatch(/cannot absorb/);
    expect(r.liquidity.liquidationSizeFillable).toBe(false);
    expect(r.liquidity.slippageUsed).toBeNull();
  });

  it('perp with no 5m candles: held no-data at the current leverage, not NOT LISTABLE', () => {
    const r = computeParameters({ asset, nowMs: 0, profile: perp, policy: config.policy, candles: [], books: [linearBook(100, 500e6)], quality });
    if (r.profileKind !== 'perp') throw new Error('expected perp');
    expect(r.status).toBe('no-data');
    expect(r.unfitReasons).toEqual([]);
    expect(r.parameters).toEqual(ethPerp);
    for (const step of r.steps) {
      expect(step.status).toBe('no-data');
      expect(step.missingInput?.input).toBe('candles 5m');
    }
    expect(r.volatility.adverseMove).toBeNull();
    expect(r.tiers).toEqual([]);
    expect(r.insuranceFundTargetUsd).toBeNull();
    // The open-interest caps depend on the book only: still computed.
    expect(r.openInterest.upperCapUsd).toBeGreaterThan(0);
  });

  it('perp with candles and a book computes as before (no alerts)', () => {
    const fiveMin = randomWalk(30 * 288, 0.001, 2, FIVE_MIN);
    const r = computeParameters({ asset, nowMs: 0, profile: perp, policy: config.policy, candles: fiveMin, books: [linearBook(fiveMin.at(-1)!.close, 500e6)], quality });
    expect(r.status).toBe('ok');
    expect(r.alerts).toEqual([]);
    expect(r.steps.every((s) => s.status !== 'no-data')).toBe(true);
  });
});
