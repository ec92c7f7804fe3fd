import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile, PerpProfile } from '../../../shared/config/schema.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { recommendationSchema } from '../../../shared/model/recommendation.js';
import type { DataQuality } from '../../../shared/model/snapshot.js';
import { computeParameters } from '../../../shared/risk/engine/recommend.js';
import { linearBook } from '../../support/fixtures.js';

// Stale data is missing data (issue 12 defect 5): "absent or stale data holds what depends on it, says so,
// and alerts; it never produces a delisting, a cap cut, or a placeholder printed as a figure".

const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp') as PerpProfile;
const H = 3_600_000;
const DAY = 24 * H;
const quality: DataQuality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };
const asset = 'CRV';
const crvCurrent = lending.current[asset]!;

function randomWalk(bars: number, vol: number, seed: number, intervalMs: number, startMs = 0) {
  const rng = new SeededRandom(seed);
  let price = 100;
  return Array.from({ length: bars }, (_, i) => {
    const open = price;
    price = open * Math.exp(vol * rng.normal());
    return { openTimeMs: startMs + i * intervalMs, open, high: Math.max(open, price) * 1.001, low: Math.min(open, price) * 0.999, close: price };
  });
}

const hourly = randomWalk(365 * 24, 0.008, 1, H);
/** The replay clock: right after the last hourly bar. */
const NOW = hourly.at(-1)!.openTimeMs + H;
const THREE_YEARS = 3 * 365 * DAY;
const mid = hourly.at(-1)!.close;

describe('a stale order book is a missing input', () => {
  it('a thin book three years old does not delist (CRV): held no-data since the book was recorded', () => {
    const old = linearBook(mid, 10_000, { fetchedAtMs: NOW - THREE_YEARS });
    const r = computeParameters({ asset, nowMs: NOW, profile: lending, policy: config.policy, candles: hourly, books: [old], quality });
    if (r.profileKind !== 'lending') throw new Error('expected lending');
    expect(r.status).toBe('no-data');
    expect(r.unfitReasons).toEqual([]);
    expect(r.parameters).toEqual(crvCurrent);
    for (const step of r.steps) {
      expect(step.status, step.parameter).toBe('no-data');
      expect(step.missingInput).toEqual({ input: 'order book', sinceMs: NOW - THREE_YEARS, stale: true });
      expect(step.reason).toMatch(/stale/);
    }
    // The stale book is not a figure either.
    expect(r.liquidity.liquidationSizeFillable).toBeNull();
    expect(r.liquidity.slippageUsed).toBeNull();
    expect(r.figures.slippage).toBeUndefined();
    expect(r.alerts).toEqual([expect.objectContaining({ input: 'order book', sinceMs: NOW - THREE_YEARS, severity: 'critical' })]);
    expect(r.alerts[0]!.message).toMatch(/stale/);
  });

  it('a book within the limit is used; the limit is policy.maxBookAgeMs, defaulting to staleAfterMs', () => {
    const recent = linearBook(mid, 500e6, { fetchedAtMs: NOW - config.policy.staleAfterMs + H });
    const used = computeParameters({ asset: 'ETH', nowMs: NOW, profile: lending, policy: config.policy, candles: hourly, books: [recent], quality });
    expect(used.status).toBe('ok');
    expect(used.alerts).toEqual([]);
    const tight = computeParameters({ asset: 'ETH', nowMs: NOW, profile: lending, policy: { ...config.policy, maxBookAgeMs: H }, candles: hourly, books: [recent], quality });
    expect(tight.status).toBe('no-data');
    expect(tight.steps.find((s) => s.parameter === 'supplyCapUsd')!.missingInput).toEqual({ input: 'order book', sinceMs: recent.fetchedAtMs, stale: true });
  });

  it('the walk-forward backtest (staleness ignored: its book is a standing assumption) still computes from an old book', () => {
    const old = linearBook(mid, 500e6, { fetchedAtMs: 0 });
    const r = computeParameters({ asset: 'ETH', nowMs: NOW, profile: lending, policy: config.policy, candles: hourly, books: [old], quality, staleness: 'ignore' });
    expect(r.status).toBe('ok');
    expect(r.steps.every((s) => s.status !== 'no-data')).toBe(true);
  });
});

describe('stale candles are a missing input', () => {
  it('hourly bars ending two days before the clock: LT and LTV held since the last bar, the book still sets bonus and caps', () => {
    const nowMs = NOW + 2 * DAY;
    const r = computeParameters({ asset: 'ETH', nowMs, profile: lending, policy: config.policy, candles: hourly, books: [linearBook(mid, 500e6, { fetchedAtMs: nowMs })], quality });
    if (r.profileKind !== 'lending') throw new Error('expected lending');
    expect(r.status).toBe('no-data');
    expect(r.unfitReasons).toEqual([]);
    const byParameter = Object.fromEntries(r.steps.map((s) => [s.parameter, s]));
    for (const p of ['ltvBps', 'liquidationThresholdBps']) {
      expect(byParameter[p]!.status).toBe('no-data');
      expect(byParameter[p]!.missingInput).toEqual({ input: 'candles 1h', sinceMs: NOW, stale: true });
    }
    for (const p of ['liquidationBonusBps', 'supplyCapUsd', 'borrowCapUsd']) expect(byParameter[p]!.status).not.toBe('no-data');
    expect(r.volatility.adverseMove).toBeNull();
    expect(r.figures.adverseMove).toBeUndefined();
    expect(r.alerts).toEqual([expect.objectContaining({ input: 'candles 1h', sinceMs: NOW, severity: 'warning' })]);
  });

  it('a perp on 5m bars that stopped a week ago is held at its current leverage, not NOT LISTABLE', () => {
    const fiveMin = randomWalk(30 * 288, 0.001, 2, 300_000);
    const nowMs = fiveMin.at(-1)!.openTimeMs + 300_000 + 7 * DAY;
    const r = computeParameters({ asset: 'ETH', nowMs, profile: perp, policy: config.policy, candles: fiveMin, books: [linearBook(fiveMin.at(-1)!.close, 500e6, { fetchedAtMs: nowMs })], quality });
    expect(r.status).toBe('no-data');
    expect(r.parameters).toEqual(perp.current.ETH);
    for (const step of r.steps) expect(step.missingInput?.input).toBe('candles 5m');
  });
});

describe('cross-checks without data are null, never zeros', () => {
  it('SmartLTV and the Monte Carlo are null when the book is missing, and the recommendation schema accepts it', () => {
    const r = computeParameters({ asset: 'ETH', nowMs: NOW, profile: lending, policy: config.policy, candles: hourly, books: [], quality });
    if (r.profileKind !== 'lending') throw new Error('expected lending');
    expect(r.crossCheck).toBeNull();
    expect(r.monteCarlo).toBeNull();
    const lendingShape = recommendationSchema.options[0].shape;
    expect(lendingShape.crossCheck.safeParse(null).success).toBe(true);
    expect(lendingShape.monteCarlo.safeParse(null).success).toBe(true);
  });

  it('and null when the candles are missing', () => {
    const r = computeParameters({ asset: 'ETH', nowMs: NOW, profile: lending, policy: config.policy, candles: [], books: [linearBook(mid, 500e6, { fetchedAtMs: NOW })], quality });
    if (r.profileKind !== 'lending') throw new Error('expected lending');
    expect(r.crossCheck).toBeNull();
    expect(r.monteCarlo).toBeNull();
  });

  it('with both inputs they are figures', () => {
    const r = computeParameters({ asset: 'ETH', nowMs: NOW, profile: lending, policy: config.policy, candles: hourly, books: [linearBook(mid, 500e6, { fetchedAtMs: NOW })], quality });
    if (r.profileKind !== 'lending') throw new Error('expected lending');
    expect(r.crossCheck?.smartLtv).toBeGreaterThan(0);
    // The exact block bootstrap: one path per block start of the history (tail/fhs-exact.ts).
    expect(r.monteCarlo?.paths).toBe(r.volatility.filtered.paths);
    expect(r.monteCarlo?.paths).toBeGreaterThan(1_000);
  });
});
