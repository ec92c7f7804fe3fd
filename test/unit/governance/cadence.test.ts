import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { decidePublication, type CadenceInput } from '../../../shared/governance/cadence.js';
import { draftProposals } from '../../../shared/governance/outbox.js';
import type { PublishedBaseline } from '../../../shared/model/publication.js';
import type { ParameterStepRecord, Recommendation } from '../../../shared/model/recommendation.js';
import { MS_PER_HOUR } from '../../../shared/util/time.js';
import { recommendationDraft } from '../../support/fixtures.js';

/** Issue 16 part 1: the pure decision "publish or not" for one market against its last published proposal. */

const config = buildConfig();
const lending = config.profiles.find((p) => p.id === 'aave-v3-ethereum')!;
const T0 = Date.UTC(2026, 11, 1);
const current = { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 };

function rec(steps: ParameterStepRecord[], overrides: Partial<Recommendation> = {}): Recommendation {
  return { ...recommendationDraft(), version: 3, current, steps, ...overrides } as Recommendation;
}
function step(parameter: string, currentValue: number, target: number, proposed: number, status: ParameterStepRecord['status'], stress = false): ParameterStepRecord {
  return { parameter, current: currentValue, target, proposed, status, direction: 'tighten', stress, reason: `${parameter}: ${status}` };
}
/** LT 78 % asked down to 77.5 % (a bounded step towards 76 %). */
const ltStep = (proposed = 7750, currentValue = 7800) => step('liquidationThresholdBps', currentValue, 7600, proposed, proposed === currentValue ? 'unchanged' : 'bounded-needs-vote');
const stressed = (r: Recommendation): Recommendation => ({ ...r, volatility: { ...r.volatility, regime: 'stressed' } }) as Recommendation;

function baseline(overrides: Partial<PublishedBaseline> = {}): PublishedBaseline {
  return {
    proposalIds: ['aave-v3-ethereum-first'],
    runId: ulid(T0),
    publishedAtMs: T0,
    values: [{ asset: 'BTC', parameter: 'liquidationThresholdBps', unit: 'bps', recommended: 7750 }],
    emergencies: [],
    ...overrides,
  };
}

function decide(recommendations: Recommendation[], base: PublishedBaseline | null, hoursLater: number, extra: Partial<CadenceInput> = {}) {
  const nowMs = T0 + hoursLater * MS_PER_HOUR;
  return decidePublication({ profile: lending, runId: ulid(nowMs), nowMs, recommendations, baseline: base, minIntervalHours: 24, ...extra });
}

describe('decidePublication', () => {
  it('publishes the first proposal of a market', () => {
    expect(decide([rec([ltStep()])], null, 1).decision).toMatchObject({ decision: 'publish-first', publish: true, changes: 1, since: null });
  });

  it('the same changes again: no material change, within the interval and after it', () => {
    for (const hours of [1, 25, 24 * 30]) {
      const { decision } = decide([rec([ltStep()])], baseline(), hours);
      expect(decision).toMatchObject({ decision: 'held-no-material-change', publish: false, material: 0, largestMove: null });
      expect(decision.summary).toMatch(/^no material change since aave-v3-ethereum-first, 2026-12-01 00:00 UTC: no parameter moved/);
    }
  });

  it('a move inside the hysteresis is no material change, recorded with the largest move and its hysteresis', () => {
    // Published 77.5 %; now 77.4 %: 10 bps against the ±25 bps hysteresis.
    const { decision } = decide([rec([ltStep(7740)])], baseline(), 30);
    expect(decision).toMatchObject({ decision: 'held-no-material-change', publish: false });
    expect(decision.largestMove).toMatchObject({ asset: 'BTC', parameter: 'liquidationThresholdBps', published: 7750, now: 7740, move: 10, hysteresis: '±25 bps', material: false });
    expect(decision.largestMove!.hysteresisShare).toBeCloseTo(0.4, 10);
    expect(decision.summary).toContain('largest move BTC Liquidation threshold 77.50 % -> 77.40 % (hysteresis ±25 bps, 0.4x)');
  });

  it('a move beyond the hysteresis waits for the interval, then publishes', () => {
    const moved = [rec([ltStep(7700)])];
    const early = decide(moved, baseline(), 5).decision;
    expect(early).toMatchObject({ decision: 'held-min-interval', publish: false, material: 1, nextRoutineAtMs: T0 + 24 * MS_PER_HOUR });
    expect(early.largestMove).toMatchObject({ move: 50, material: true, hysteresisShare: 2 });
    expect(early.summary).toContain('held until 2026-12-02 00:00 UTC');
    expect(decide(moved, baseline(), 24).decision).toMatchObject({ decision: 'publish-material', publish: true });
    expect(decide(moved, baseline(), 5, { minIntervalHours: 0 }).decision.decision).toBe('publish-material');
  });

  it('compares with what was published, not with the last computed run', () => {
    // Three runs each 10 bps further: each inside the hysteresis of the one before, the third 30 bps from the published 77.5 %.
    expect(decide([rec([ltStep(7740)])], baseline(), 25).decision.decision).toBe('held-no-material-change');
    expect(decide([rec([ltStep(7730)])], baseline(), 26).decision.decision).toBe('held-no-material-change');
    expect(decide([rec([ltStep(7720)])], baseline(), 27).decision).toMatchObject({ decision: 'publish-material', largestMove: { move: 30 } });
  });

  it('a new change and a withdrawn one are moves; a published change the steward applied is not', () => {
    const bonus = step('liquidationBonusBps', 500, 550, 550, 'within-bounds');
    const added = decide([rec([ltStep(), bonus])], baseline(), 25).decision;
    expect(added).toMatchObject({ decision: 'publish-material', largestMove: { parameter: 'liquidationBonusBps', published: 500, now: 550 } });
    // Published LTV 72.5 %; the market no longer asks for it and the live value is still 73 %.
    const withLtv = baseline({ values: [...baseline().values, { asset: 'BTC', parameter: 'ltvBps', unit: 'bps', recommended: 7250 }] });
    expect(decide([rec([ltStep()])], withLtv, 25).decision).toMatchObject({ decision: 'publish-material', largestMove: { parameter: 'ltvBps', published: 7250, now: 7300 } });
    // Applied: the live LT is now the published 77.5 %, and nothing more is asked for it.
    const applied = rec([ltStep(7750, 7750)], { current: { ...current, liquidationThresholdBps: 7750 } });
    expect(decide([applied, rec([ltStep()], { asset: 'ETH' })], baseline({ values: [...baseline().values, { asset: 'ETH', parameter: 'liquidationThresholdBps', unit: 'bps', recommended: 7750 }] }), 25).decision.decision).toBe(
      'held-no-material-change',
    );
  });

  it('an emergency cut goes at once, inside the interval; the same emergency already published does not go again', () => {
    const cut = stressed(rec([{ ...step('liquidationThresholdBps', 7800, 7300, 7750, 'bounded-needs-vote'), stress: true }]));
    const urgent = decide([cut], baseline(), 2).decision;
    expect(urgent).toMatchObject({ decision: 'publish-emergency', publish: true, emergencies: ['BTC Liquidation threshold'] });
    expect(urgent.summary).toContain('published at once, 2 h after aave-v3-ethereum-first');
    // The same cut in a normal regime is no emergency: the same values as published, held.
    expect(decide([cut].map((r) => ({ ...r, volatility: { ...r.volatility, regime: 'normal' } }) as Recommendation), baseline(), 2).decision.decision).toBe('held-no-material-change');
    expect(decide([cut], baseline({ emergencies: ['BTC#liquidationThresholdBps'] }), 3).decision.decision).toBe('held-no-material-change');
  });

  it('a late run never overrides a more recent publication; nothing to propose; a retried finalizer publishes again', () => {
    expect(decide([rec([ltStep(7600)])], baseline({ runId: ulid(T0 + 48 * MS_PER_HOUR) }), 30).decision.decision).toBe('held-newer-published');
    expect(decide([rec([ltStep(7800)])], baseline(), 30).decision).toMatchObject({ decision: 'nothing-to-propose', publish: false, changes: 0 });
    expect(decide([rec([ltStep()])], baseline(), 1, { alreadyPublished: true }).decision).toMatchObject({ decision: 'publish-retry', publish: true });
  });

  it('caps are compared by share of their relative hysteresis', () => {
    const cap = (proposed: number) => step('supplyCapUsd', 2.58e9, 1.2e9, proposed, 'bounded-needs-vote');
    const published = baseline({ values: [{ asset: 'BTC', parameter: 'supplyCapUsd', unit: 'usd', recommended: 1.29e9 }] });
    // 1.29e9 -> 1.2e9 is 7 % of the published cap, inside the ±10 % hysteresis.
    expect(decide([rec([cap(1.2e9)])], published, 30).decision).toMatchObject({ decision: 'held-no-material-change', largestMove: { hysteresis: '±10 %' } });
    expect(decide([rec([cap(1.1e9)])], published, 30).decision.decision).toBe('publish-material');
  });
});

describe('the proposal says what changed since the last published one', () => {
  it('renders the section with the last proposal id, its date and each move', () => {
    const outcome = decide([rec([ltStep(7700)])], baseline(), 30);
    const since = { since: outcome.decision.since, moves: outcome.moves, reason: outcome.decision.summary };
    const [proposal] = draftProposals({ config, runId: 'RUN2', nowMs: T0, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations: [rec([ltStep(7700)])], since: new Map([[lending.id, since]]) });
    const md = proposal!.markdown;
    expect(md).toContain('## Changes since the last published proposal (aave\\-v3\\-ethereum\\-first, 2026-12-01 00:00 UTC)');
    expect(md).toContain('| BTC | Liquidation threshold | 77.50 % | **77.00 %** | -0.50 pp | ±25 bps | yes (2x) |');
    expect(md.indexOf('## Changes since')).toBeLessThan(md.indexOf('## Changes\n'));
    const [first] = draftProposals({ config, runId: 'RUN1', nowMs: T0, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations: [rec([ltStep()])], since: new Map([[lending.id, { since: null, moves: [], reason: 'first' }]]) });
    expect(first!.markdown).toContain('None was published for this market before');
  });
});
