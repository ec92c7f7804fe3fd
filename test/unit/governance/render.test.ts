import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { changesOf } from '../../../shared/governance/changes.js';
import { escapeMarkdown } from '../../../shared/governance/markdown.js';
import { draftProposals, proposalId } from '../../../shared/governance/outbox.js';
import { direction, formatDelta, renderProposal } from '../../../shared/governance/render.js';
import type { Recommendation } from '../../../shared/model/recommendation.js';
import { recommendationDraft } from '../../support/fixtures.js';

const config = buildConfig();
const lending = config.profiles.find((p) => p.id === 'aave-v3-ethereum')!;

function rec(overrides: Partial<Recommendation>): Recommendation {
  return { ...recommendationDraft(), version: 3, ...overrides } as Recommendation;
}

const current = { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 };

describe('changes beyond hysteresis', () => {
  it('keeps material moves, drops small ones, and proposes nothing for a frozen asset', () => {
    const r = rec({
      current,
      parameters: { ltvBps: 7310, liquidationThresholdBps: 7700, liquidationBonusBps: 500, supplyCapUsd: 2.6e9, borrowCapUsd: 1.0e9 },
    } as never);
    const changes = changesOf(r, lending, false);
    expect(changes.map((c) => c.parameter)).toEqual(['liquidationThresholdBps', 'borrowCapUsd']);
    expect(changes[0]).toMatchObject({ current: 7800, recommended: 7700, unit: 'bps' });
    expect(changesOf(r, lending, true)).toEqual([]);
  });

  it('lists every parameter as new when the protocol does not list the asset', () => {
    const changes = changesOf(rec({ current: null }), lending, false);
    expect(changes).toHaveLength(5);
    expect(changes.every((c) => direction(c) === 'new')).toBe(true);
  });

  it('labels direction from the lender\'s point of view', () => {
    const lt = { asset: 'BTC', parameter: 'liquidationThresholdBps', current: 7800, recommended: 7700, unit: 'bps' as const, reason: '' };
    expect(direction(lt)).toBe('tighten');
    expect(formatDelta(lt)).toBe('-1.00 pp (tighten)');
    expect(direction({ ...lt, parameter: 'liquidationBonusBps', recommended: 800 })).toBe('loosen');
    expect(direction({ ...lt, parameter: 'maintenanceMarginBps', current: 100, recommended: 150 })).toBe('tighten');
  });
});

describe('proposal rendering', () => {
  const recommendation = rec({ current });
  const changes = changesOf(recommendation, lending, false);
  const { title, markdown } = renderProposal({
    profile: lending,
    runId: 'RUN1',
    methodologyVersion: 'v1-test',
    createdAtMs: Date.UTC(2026, 10, 25),
    simulated: true,
    publicBaseUrl: 'http://127.0.0.1:8787',
    recommendations: [recommendation],
    changes,
  });

  it('has a title that says what changes, a SIMULATED banner, the change table and reasons', () => {
    expect(title).toBe(`[SIMULATED] ${lending.name}: ${changes.length} parameter changes for BTC`);
    expect(markdown).toContain('**SIMULATED DATA.**');
    expect(markdown).toContain('| Asset | Parameter | Current | Recommended | Change |');
    expect(markdown).toContain('| BTC | Liquidation threshold | 78.00 % | **80.00 %** | +2.00 pp (loosen) |');
    expect(markdown).toContain('## Reasons');
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
      rec({ current }),
      rec({ asset: 'ETH', current: null }),
      rec({
        profileId: 'perp-dex',
        profileKind: 'perp',
        parameters: { maintenanceMarginBps: 125, initialMarginBps: 250, maxLeverage: 40 },
        current: { maintenanceMarginBps: 125, initialMarginBps: 250, maxLeverage: 40 },
      } as never),
    ];
    const proposals = draftProposals({ config, runId: 'RUN9', nowMs: 1, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations });
    expect(proposals).toHaveLength(1); // the perp profile has nothing to change
    expect(proposals[0]!.id).toBe(proposalId('aave-v3-ethereum', 'RUN9'));
    expect(new Set(proposals[0]!.changes.map((c) => c.asset))).toEqual(new Set(['BTC', 'ETH']));
    expect(proposals[0]!.status).toBe('pending');
  });
});
