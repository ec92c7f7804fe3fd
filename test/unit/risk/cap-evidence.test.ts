import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import type { BookSummary } from '../../../shared/model/snapshot.js';
import { applyGuardRails, lendingRules, type GuardRailInput } from '../../../shared/risk/guardrails.js';
import { capEvidenceOf, capStepEvidence, horizonVolumeUsd } from '../../../shared/risk/engine/cap-evidence.js';
import { MS_PER_HOUR } from '../../../shared/util/time.js';

/** issue 14: caps from books and flow, and the hold of a cap move on thin evidence. */

const config = buildConfig();
const policy = config.policy;
const profile = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const NOW = 1_750_000_000_000;

/** 30 days of hourly bars at price 100; the volume of bar i is `volumeOf(i)` base units. */
function candles(volumeOf: (i: number) => number | undefined) {
  const n = 30 * 24;
  return Array.from({ length: n }, (_, i) => ({ openTimeMs: NOW - (n - i) * MS_PER_HOUR, open: 100, high: 100, low: 100, close: 100, volume: volumeOf(i) }));
}

function book(venue: string, ageMs = 0): BookSummary {
  return { venue, pair: `${venue}-pair`, fetchedAtMs: NOW - ageMs, midUsd: 100, spreadBps: 1, bids: [[99.9, 1000]] };
}

describe('cap evidence', () => {
  it('flow: the p10 of the 4 h volumes of the last 30 days, in USD', () => {
    // Bar volume 10 (USD 1,000), a quiet tenth of the 4 h blocks at 1 (USD 100 per bar).
    const quiet = (i: number) => Math.floor(i / 4) % 10 === 0;
    const v = horizonVolumeUsd(candles((i) => (quiet(i) ? 1 : 10)), profile, policy);
    expect(v).toBeGreaterThanOrEqual(400);
    expect(v).toBeLessThanOrEqual(4_000);
    expect(horizonVolumeUsd(candles(() => undefined), profile, policy)).toBeNull();
  });

  it('strong with books and volume from policy.minVenues venues, fresh; the larger measure sets the cap', () => {
    const e = capEvidenceOf(
      { books: [book('a'), book('b')], candles: candles(() => 10), volumeVenues: 2, nowMs: NOW, bookSellableUsd: 50 },
      profile,
      policy,
    );
    expect(e.thinReasons).toEqual([]);
    expect(e.horizonVolumeUsd).toBeCloseTo(4_000);
    expect(e.flowSellableUsd).toBeCloseTo(4_000 * profile.capVolumeParticipationShare);
    expect(e.sellableUsd).toBeCloseTo(400);
    expect(capStepEvidence(e, profile, 0.025, 4_000).strong).toBe(true);
  });

  it('thin: one venue, no volume, or an old book; the reason carries the figures', () => {
    const e = capEvidenceOf(
      { books: [book('a', 400 * 24 * MS_PER_HOUR)], candles: candles(() => undefined), volumeVenues: 1, nowMs: NOW, bookSellableUsd: 2e6 },
      profile,
      policy,
    );
    expect(e.thinReasons).toEqual([
      `books from 1 venue(s), fewer than ${policy.minVenues}`,
      'no traded volume in the candles',
      'the oldest book 400 days old at the clock (at most 1 day(s))',
    ]);
    const evidence = capStepEvidence(e, profile, 0.025, 2e7);
    expect(evidence.strong).toBe(false);
    expect(evidence.reasons[0]).toContain('the method gives $20.00M from $2.00M sellable within 2.50 %');
  });
});

describe('guard rails: a cap move on thin evidence is held (held-weak-evidence), a stress cut too', () => {
  const LIVE = { ltvBps: 8050, liquidationThresholdBps: 8300, liquidationBonusBps: 500, supplyCapUsd: 5.4e9, borrowCapUsd: 4.2e9 };
  const thin = { strong: false, reasons: ['the method gives $72.00M; thin evidence for the whole market: volume from 1 venue(s)'] };
  const input = (target: Partial<typeof LIVE>, evidenceByParameter?: GuardRailInput['evidenceByParameter']): GuardRailInput => ({
    rules: lendingRules({ hysteresisBps: 25 }),
    target: { ...LIVE, ...target },
    current: LIVE,
    lastChangedAtMs: {},
    nowMs: NOW,
    evidence: { strong: true, reasons: [] },
    frozen: false,
    ...(evidenceByParameter ? { evidenceByParameter } : {}),
  });

  it('without the cap evidence, a cut to $72M is a bounded stress step (the old behaviour)', () => {
    const step = applyGuardRails(input({ supplyCapUsd: 7.2e7 })).find((s) => s.parameter === 'supplyCapUsd')!;
    expect(step).toMatchObject({ status: 'bounded-needs-vote', proposed: 2.7e9, stress: true });
  });

  it('with thin cap evidence the cut is held at the live cap, and the reason says why with the figures', () => {
    const steps = applyGuardRails(input({ supplyCapUsd: 7.2e7, borrowCapUsd: 3.6e7, liquidationThresholdBps: 8260 }, { supplyCapUsd: thin, borrowCapUsd: thin }));
    const supply = steps.find((s) => s.parameter === 'supplyCapUsd')!;
    expect(supply).toMatchObject({ status: 'held-weak-evidence', proposed: 5.4e9, target: 7.2e7, direction: 'tighten', stress: false });
    expect(supply.reason).toContain('Supply cap kept at $5.40B instead of $72.00M: a cut needs evidence that covers the market');
    expect(supply.reason).toContain('the method gives $72.00M');
    expect(steps.find((s) => s.parameter === 'borrowCapUsd')!.status).toBe('held-weak-evidence');
    // Other parameters follow their own evidence.
    expect(steps.find((s) => s.parameter === 'liquidationThresholdBps')!.status).toBe('within-bounds');
  });

  it('a raise on thin cap evidence is held too; strong cap evidence lets the step through', () => {
    const raise = applyGuardRails(input({ supplyCapUsd: 8e9 }, { supplyCapUsd: thin })).find((s) => s.parameter === 'supplyCapUsd')!;
    expect(raise).toMatchObject({ status: 'held-weak-evidence', direction: 'loosen', proposed: 5.4e9 });
    expect(raise.reason).toContain('a raise needs evidence');
    const strong = applyGuardRails(input({ supplyCapUsd: 8e9 }, { supplyCapUsd: { strong: true, reasons: [] } })).find((s) => s.parameter === 'supplyCapUsd')!;
    expect(strong.status).toBe('within-bounds');
  });
});
