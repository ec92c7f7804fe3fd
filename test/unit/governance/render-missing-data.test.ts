import { describe, expect, it } from 'vitest';
import { recommendationTable } from '../../../local/report.js';
import { buildConfig } from '../../../shared/config/load.js';
import { changesOf } from '../../../shared/governance/changes.js';
import { renderProposal } from '../../../shared/governance/render.js';
import type { Recommendation } from '../../../shared/model/recommendation.js';
import { recommendationDraft, renderInput } from '../../support/fixtures.js';

// Issue 12 defect 5: a figure the engine could not compute is null and every renderer says "no data".
const config = buildConfig();
const lending = config.profiles.find((p) => p.id === 'aave-v3-ethereum')!;
const current = { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 };
const missing = { input: 'order book', sinceMs: null };

function noBookRecommendation(): Recommendation {
  const base = { ...recommendationDraft(), version: 2 } as Recommendation;
  const held = (parameter: keyof typeof current) => ({
    parameter, current: current[parameter], target: null, proposed: current[parameter], status: 'no-data' as const, direction: 'none' as const, stress: false,
    reason: `${parameter} held: no order book`, missingInput: missing,
  });
  return {
    ...base,
    profileId: lending.id,
    status: 'no-data',
    unfitReasons: [],
    current,
    parameters: current,
    steps: [held('ltvBps'), held('liquidationThresholdBps'), held('liquidationBonusBps'), held('supplyCapUsd'), held('borrowCapUsd')],
    liquidity: { ...base.liquidity, depthUsd: {}, slippageMerged: null, slippageBestVenue: null, bestVenue: null, slippageUsed: null, liquidationSizeFillable: null },
    volatility: { ...base.volatility, adverseMove: null },
    alerts: [{ input: 'order book', sinceMs: null, severity: 'critical', parameters: ['ltvBps'], message: 'no order book' }],
  } as Recommendation;
}

describe('null figures render as "no data", never as a placeholder', () => {
  it('CLI table: held parameters say no data, no 100 % and no $1', () => {
    const table = recommendationTable(lending, [noBookRecommendation()]);
    expect(table).toContain('held: no data');
    expect(table).toContain('73.00 % (no data)');
    expect(table).not.toMatch(/100\.00 %|\$1\.00 |NOT COLLATERAL/);
  });

  it('Markdown: the data table and the missing-data section say no data', () => {
    const r = noBookRecommendation();
    const other = { ...r, asset: 'ETH', alerts: [], status: 'ok', steps: [{ ...r.steps[1]!, status: 'within-bounds', target: 7750, proposed: 7750, missingInput: undefined }] } as Recommendation;
    const { markdown } = renderProposal(renderInput(lending, [r, other], changesOf(other)));
    expect(changesOf(r)).toEqual([]);
    expect(markdown).toContain('## Missing data');
    expect(markdown).toMatch(/\| no data \|/);
    expect(markdown).not.toMatch(/100\.00 %/);
  });
});

describe('cross-checks without data render as "no data"', () => {
  it('Markdown cross-checks: null SmartLTV and Monte Carlo read no data, not 0.00 % or $0', () => {
    const held = noBookRecommendation();
    // A market with a change (so it is shown) whose cross-checks could not be computed.
    const r = { ...held, asset: 'ETH', alerts: [], status: 'ok', crossCheck: null, monteCarlo: null, steps: [{ ...held.steps[1]!, status: 'within-bounds', target: 7750, proposed: 7750, missingInput: undefined }] } as unknown as Recommendation;
    const { markdown } = renderProposal(renderInput(lending, [r], changesOf(r)));
    expect(markdown).toContain('## Cross-checks');
    const crossChecks = markdown.slice(markdown.indexOf('## Cross-checks'));
    expect(crossChecks.split('\n').find((line) => line.startsWith('| ETH '))).toMatch(/\| no data \| no data \| - \| no data \| no data \|$/);
  });
});
