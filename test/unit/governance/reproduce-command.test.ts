import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { changesOf } from '../../../shared/governance/changes.js';
import { renderProposal } from '../../../shared/governance/render.js';
import type { ParameterStepRecord, Recommendation } from '../../../shared/model/recommendation.js';
import { recommendationDraft, renderInput } from '../../support/fixtures.js';

/** Issue 16 part 5: every proposal carries, for each of its rows, the command that recomputes it. */
const lending = buildConfig().profiles.find((p) => p.id === 'aave-v3-ethereum')!;

function step(parameter: string, current: number, target: number, proposed: number): ParameterStepRecord {
  return { parameter, current, target, proposed, status: 'within-bounds', direction: 'tighten', stress: false, reason: parameter };
}

describe('the reproduce command in a proposal', () => {
  it('names asset, profile and version of every row', () => {
    const current = { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 };
    const recs = [
      { ...recommendationDraft(), asset: 'BTC', version: 12, current, steps: [step('liquidationThresholdBps', 7800, 7750, 7750)] },
      { ...recommendationDraft(), asset: 'ETH', version: 3, current, steps: [step('ltvBps', 7300, 7250, 7250)] },
    ] as Recommendation[];
    const { markdown } = renderProposal(renderInput(lending, recs, recs.flatMap((r) => changesOf(r))));
    expect(markdown).toContain('| BTC | `npm run reproduce -- --asset BTC --profile aave-v3-ethereum --version 12` |');
    expect(markdown).toContain('| ETH | `npm run reproduce -- --asset ETH --profile aave-v3-ethereum --version 3` |');
  });
});
