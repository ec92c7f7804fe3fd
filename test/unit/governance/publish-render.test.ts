import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { changesOf } from '../../../shared/governance/changes.js';
import { renderProposal } from '../../../shared/governance/render.js';
import type { ParameterStepRecord, Recommendation } from '../../../shared/model/recommendation.js';
import { recommendationDraft } from '../../support/fixtures.js';

/** What a DAO member reads first: how many changes a steward may apply and how many need a vote. */

const lending = buildConfig().profiles.find((p) => p.id === 'aave-v3-ethereum')!;
const current = { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 };

function step(parameter: string, currentValue: number | null, target: number, status: ParameterStepRecord['status']): ParameterStepRecord {
  return { parameter, current: currentValue, target, proposed: target, status, direction: 'tighten', stress: false, reason: `${parameter} ${status}` };
}

function render(steps: ParameterStepRecord[], rationale = [{ parameter: 'supplyCapUsd', text: 'caps from the book' }]) {
  const recommendation = { ...recommendationDraft(), version: 2, current, steps, rationale } as Recommendation;
  return renderProposal({
    profile: lending,
    runId: '01RUN',
    methodologyVersion: 'v1',
    createdAtMs: 0,
    simulated: false,
    publicBaseUrl: 'https://advisor.example',
    recommendations: [recommendation],
    changes: changesOf(recommendation),
  }).markdown;
}

describe('proposal summary and reasons', () => {
  it('says how many changes are within steward bounds and how many need a vote, in good English', () => {
    expect(render([step('ltvBps', 7300, 7250, 'within-bounds')])).toContain('It is within the per-update bounds a risk steward may apply.');
    expect(render([step('ltvBps', 7300, 7250, 'bounded-needs-vote')])).toContain('It needs a governance vote.');
    expect(render([step('ltvBps', 7300, 7250, 'within-bounds'), step('liquidationThresholdBps', 7800, 7750, 'bounded-needs-vote')])).toContain(
      '1 is within the per-update bounds a risk steward may apply; 1 needs a governance vote.',
    );
    expect(render([step('ltvBps', 7300, 7250, 'bounded-needs-vote'), step('liquidationThresholdBps', 7800, 7750, 'bounded-needs-vote')])).toContain(
      'All 2 need a governance vote.',
    );
  });

  it('gives a reason shared by two parameters once, and refers to it after', () => {
    const markdown = render([step('supplyCapUsd', 2.58e9, 2e9, 'within-bounds'), step('borrowCapUsd', 1.68e9, 1e9, 'within-bounds')]);
    expect(markdown).toContain('- **Supply cap**: caps from the book');
    expect(markdown).toContain('- **Borrow cap**: see the supply cap above.');
    expect(markdown.match(/caps from the book/g)).toHaveLength(1);
    // Alone, the borrow cap carries the reason itself.
    expect(render([step('borrowCapUsd', 1.68e9, 1e9, 'within-bounds')])).toContain('- **Borrow cap**: caps from the book');
  });

  it('links to the run that produced it', () => {
    expect(render([step('ltvBps', 7300, 7250, 'within-bounds')])).toContain('<https://advisor.example/v1/runs/01RUN>');
  });
});
