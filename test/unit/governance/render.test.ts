import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { changesOf } from '../../../shared/governance/changes.js';
import { escapeMarkdown } from '../../../shared/governance/markdown.js';
import { draftProposals, proposalId } from '../../../shared/governance/outbox.js';
import { direction, formatDelta, renderProposal } from '../../../shared/governance/render.js';
import type { ParameterStepRecord, Recommendation } from '../../../shared/model/recommendation.js';
import { perpRecommendationDraft, recommendationDraft, renderInput } from '../../support/fixtures.js';

const config = buildConfig();
const lending = config.profiles.find((p) => p.id === 'aave-v3-ethereum')!;

function rec(overrides: Partial<Recommendation>): Recommendation {
  return { ...recommendationDraft(), version: 3, ...overrides } as Recommendation;
}

function step(parameter: string, current: number | null, target: number, proposed: number | null, status: ParameterStepRecord['status']): ParameterStepRecord {
  return { parameter, current, target, proposed, status, direction: 'tighten', stress: false, reason: `${parameter}: ${status}` };
}

const current = { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 };

describe('changes from guard-railed steps', () => {
  it('proposes steps within bounds and bounded steps; held and unchanged parameters are left out', () => {
    const r = rec({
      current,
      steps: [
        step('ltvBps', 7300, 7300, 7300, 'unchanged'),
        step('liquidationThresholdBps', 7800, 7000, 7750, 'bounded-needs-vote'),
        step('liquidationBonusBps', 500, 550, 550, 'within-bounds'),
        step('supplyCapUsd', 2.58e9, 5e9, 2.58e9, 'held-weak-evidence'),
        step('borrowCapUsd', 1.68e9, 1.7e9, 1.68e9, 'held-hysteresis'),
      ],
    });
    const changes = changesOf(r);
    expect(changes.map((c) => c.parameter)).toEqual(['liquidationThresholdBps', 'liquidationBonusBps']);
    expect(changes[0]).toMatchObject({ current: 7800, recommended: 7750, target: 7000, unit: 'bps', status: 'bounded-needs-vote' });
  });

  it('a new listing proposes the target itself, for a vote', () => {
    const changes = changesOf(rec({ current: null, steps: [step('ltvBps', null, 7000, null, 'new-listing-needs-vote')] }));
    expect(changes).toEqual([expect.objectContaining({ current: null, recommended: 7000, status: 'new-listing-needs-vote' })]);
    expect(direction(changes[0]!)).toBe('new');
  });

  it("labels direction from the lender's point of view", () => {
    const lt = { parameter: 'liquidationThresholdBps', current: 7800, recommended: 7700, unit: 'bps' as const };
    expect(direction(lt)).toBe('tighten');
    expect(formatDelta(lt)).toBe('-1.00 pp (tighten)');
    expect(direction({ ...lt, parameter: 'liquidationBonusBps', recommended: 800 })).toBe('loosen');
    expect(direction({ ...lt, parameter: 'maintenanceMarginBps', current: 100, recommended: 150 })).toBe('tighten');
  });
});

describe('proposal rendering', () => {
  const recommendation = rec({
    current,
    steps: [step('liquidationThresholdBps', 7800, 7000, 7750, 'bounded-needs-vote'), step('supplyCapUsd', 2.58e9, 5e9, 2.58e9, 'held-weak-evidence')],
  });
  const changes = changesOf(recommendation);
  const { title, markdown } = renderProposal(renderInput(lending, [recommendation], changes));

  it('has a title that says what changes, a SIMULATED banner, the change table with target and status, and reasons', () => {
    expect(title).toBe(`[SIMULATED] ${lending.name}: 1 parameter change for BTC`);
    expect(markdown).toContain('**SIMULATED DATA.**');
    expect(markdown).toContain('| Asset | Parameter | Current | Proposed | Change | Target | Status |');
    expect(markdown).toContain('| BTC | Liquidation threshold | 78.00 % | **77.50 %** | -0.50 pp (tighten) | 70.00 % | **needs a governance vote** (bounded step) |');
    expect(markdown).toContain('*Guard rails:* liquidationThresholdBps: bounded\\-needs\\-vote');
    expect(markdown).toContain('## Held back by the guard rails');
    expect(markdown).toContain('## Cross-checks');
    expect(markdown).toContain('## Data quality');
    expect(markdown).toContain('v1\\-test');
    expect(markdown).toContain('http://127.0.0.1:8787/v1/recommendations/BTC/history?profile=aave-v3-ethereum');
  });

  it('escapes text from config and venues so it cannot break the table or inject HTML', () => {
    expect(escapeMarkdown('<script>alert(1)</script>')).toBe('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(escapeMarkdown('a | b\nc')).toBe('a \\| b c');
    const evil = { ...lending, name: 'Evil | <img src=x onerror=alert(1)> [link](http://x)' };
    const out = renderProposal({
      profile: evil,
      runId: 'R',
      methodologyVersion: 'v',
      createdAtMs: 0,
      simulated: false,
      publicBaseUrl: 'http://x',
      recommendations: [recommendation],
      changes,
    }).markdown;
    expect(out).not.toContain('<img');
    expect(out).not.toContain('](http://x)');
    expect(out).not.toContain('**SIMULATED DATA.**');
  });
});

describe('drafting proposals', () => {
  it('one proposal per profile with changes, with a deterministic id', () => {
    const recommendations = [
      rec({ current, steps: [step('liquidationThresholdBps', 7800, 7750, 7750, 'within-bounds')] }),
      rec({ asset: 'ETH', current: null, steps: [step('ltvBps', null, 7000, null, 'new-listing-needs-vote')] }),
      { ...perpRecommendationDraft({ steps: [step('maxLeverage', 40, 40, 40, 'unchanged')] }), version: 1 } as Recommendation,
    ];
    const proposals = draftProposals({ config, runId: 'RUN9', nowMs: 1, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations });
    expect(proposals).toHaveLength(1); // the perp profile has nothing to change
    expect(proposals[0]!.id).toBe(proposalId('aave-v3-ethereum', 'RUN9'));
    expect(new Set(proposals[0]!.changes.map((c) => c.asset))).toEqual(new Set(['BTC', 'ETH']));
    expect(proposals[0]!.status).toBe('pending');
  });

  it('splits a large universe into parts of at most maxAssetsPerProposal assets, each asset in exactly one part', () => {
    const symbols = Array.from({ length: 23 }, (_, i) => `A${String(i).padStart(2, '0')}`);
    const recommendations = symbols.map((asset) => rec({ asset, current, steps: [step('liquidationThresholdBps', 7800, 7750, 7750, 'within-bounds')] }));
    const proposals = draftProposals({ config, runId: 'RUN9', nowMs: 1, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations });
    expect(config.proposals.maxAssetsPerProposal).toBe(10);
    expect(proposals.map((p) => p.id)).toEqual(['1of3', '2of3', '3of3'].map((part) => `aave-v3-ethereum-run9-${part}`));
    expect(proposals.map((p) => new Set(p.changes.map((c) => c.asset)).size)).toEqual([10, 10, 3]);
    expect(proposals.flatMap((p) => p.changes.map((c) => c.asset))).toEqual(symbols);
    expect(proposals[1]!.title).toMatch(/\(part 2 of 3\)$/);
    // Under Discourse's default max_post_length with room to spare.
    for (const p of proposals) expect(p.markdown.length).toBeLessThan(32_000);
  });

  const stressedRegime = (r: Recommendation): Recommendation => ({ ...r, volatility: { ...r.volatility, regime: 'stressed' } }) as Recommendation;

  it('leads with an emergency section when a stress tightening in a stressed regime is beyond one bounded update', () => {
    const stressStep = { ...step('liquidationThresholdBps', 7800, 7300, 7750, 'bounded-needs-vote'), stress: true };
    const calm = rec({ asset: 'ETH', current, steps: [step('liquidationThresholdBps', 7800, 7600, 7750, 'bounded-needs-vote')] });
    const [plain] = draftProposals({ config, runId: 'RUN7', nowMs: 1, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations: [calm] });
    expect(plain!.title).not.toContain('EMERGENCY');
    expect(plain!.markdown).not.toContain('## Emergency');

    const [urgent] = draftProposals({
      config,
      runId: 'RUN8',
      nowMs: 1,
      publicBaseUrl: 'http://x',
      target: 'local-outbox',
      recommendations: [calm, stressedRegime(rec({ current, steps: [stressStep] }))],
    });
    expect(urgent!.title).toMatch(/^(\[SIMULATED\] )?\[EMERGENCY CUT\] /);
    const md = urgent!.markdown;
    expect(md.indexOf('## Emergency: cut to the target')).toBeGreaterThan(-1);
    expect(md.indexOf('## Emergency: cut to the target')).toBeLessThan(md.indexOf('## Changes'));
    const section = md.slice(md.indexOf('## Emergency'), md.indexOf('## Changes'));
    // Only the stress step: BTC's threshold, 78 % now, 77.5 % by the steward, 73 % by a vote.
    expect(section).toContain('| BTC | Liquidation threshold | 78.00 % | 77.50 % | **73.00 %** |');
    expect(section).not.toContain('ETH');

    // The same gap in a normal regime is a disagreement with the live value, not an emergency.
    const [gap] = draftProposals({ config, runId: 'RUN9', nowMs: 1, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations: [rec({ current, steps: [stressStep] })] });
    expect(gap!.title).not.toContain('EMERGENCY');
    expect(gap!.markdown).toContain('**needs a governance vote** (bounded step), stress');
  });
});
