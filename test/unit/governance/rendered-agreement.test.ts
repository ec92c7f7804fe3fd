import { describe, expect, it } from 'vitest';
import { recommendationSchema as dashboardRecommendationSchema } from '../../../dashboard/src/api/schemas.js';
import { PARAMETER_COLUMNS } from '../../../dashboard/src/config.js';
import { currentText } from '../../../shared/format/parameter-values.js';
import { parameterCell } from '../../../dashboard/src/status.js';
import { recommendationTable } from '../../../local/report.js';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import { changesOf } from '../../../shared/governance/changes.js';
import { renderProposal } from '../../../shared/governance/render.js';
import { webhookPayload } from '../../../shared/governance/webhook.js';
import { recommendationSchema, type Recommendation } from '../../../shared/model/recommendation.js';
import type { DataQuality } from '../../../shared/model/snapshot.js';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { computeParameters } from '../../../shared/risk/engine/recommend.js';
import { proposal, linearBook, TEST_PROVENANCE } from '../../support/fixtures.js';

/**
 * Issue 12 defect 4: one recommendation, every rendering (Markdown proposal, webhook JSON, CLI table, the
 * dashboard's view model) shows the same current, proposed and target for each parameter, with LTV < LT.
 * The case is the first Aave proposal's CRV: LTV 0 (not collateral) and LT 41 % with a far higher target.
 */

const config = buildConfig();
const base = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const H = 3_600_000;
const quality: DataQuality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };

function candles() {
  const rng = new SeededRandom(7);
  let price = 100;
  return Array.from({ length: 120 * 24 }, (_, i) => {
    const open = price;
    price = open * Math.exp(0.012 * rng.normal());
    const wick = Math.abs(rng.normal()) * 0.006;
    return { openTimeMs: i * H, open, high: Math.max(open, price) * (1 + wick), low: Math.min(open, price) * (1 - wick), close: price };
  });
}

/** A stored recommendation as compute.ts builds it (current = the profile's raw values, LTV 0 included). */
function crvLike(): { profile: LendingProfile; recommendation: Recommendation } {
  const current = { ltvBps: 0, liquidationThresholdBps: 4100, liquidationBonusBps: 830, supplyCapUsd: 8.6e6, borrowCapUsd: 0 };
  const profile: LendingProfile = { ...base, current: { CRV: current }, currentUpdatedAt: {} };
  const bars = candles();
  const c = computeParameters({ asset: 'CRV', nowMs: 120 * 24 * H, profile, policy: config.policy, candles: bars, books: [linearBook(bars.at(-1)!.close, 5e7, { fetchedAtMs: 120 * 24 * H })], quality });
  if (c.profileKind !== 'lending') throw new Error('lending expected');
  const recommendation = recommendationSchema.parse({
    asset: 'CRV',
    profileId: profile.id,
    profileKind: 'lending',
    version: 1,
    ...TEST_PROVENANCE,
    status: c.status,
    unfitReasons: c.unfitReasons,
    volatility: c.volatility,
    liquidity: c.liquidity,
    quality,
    figures: c.figures,
    rationale: c.rationale,
    steps: c.steps,
    needsGovernanceVote: c.needsGovernanceVote,
    parameters: c.parameters,
    target: c.target,
    current,
    crossCheck: c.crossCheck,
    monteCarlo: c.monteCarlo,
  });
  return { profile, recommendation };
}

/** "41.50 %" -> 4150 bps; "not listed" -> null. */
function bpsOf(text: string): number | null {
  if (text === 'not listed') return null;
  const m = /^(\d+(?:\.\d+)?) %$/.exec(text.trim());
  if (!m) throw new Error(`not a percentage: ${text}`);
  return Math.round(Number(m[1]) * 100);
}

interface Shown {
  current: number | null;
  proposed: number | null;
  target: number | null;
}

function fromMarkdown(markdown: string, label: string): Shown {
  const row = markdown.split('\n').find((l) => l.startsWith(`| CRV | ${label} |`));
  if (!row) throw new Error(`no Markdown row for ${label}`);
  const cells = row.split('|').map((c) => c.trim());
  // | Asset | Parameter | Current | Proposed | Change | Target | Status |
  return { current: bpsOf(cells[3]!), proposed: bpsOf(cells[4]!.replace(/\*/g, '')), target: bpsOf(cells[6]!) };
}

function fromCli(text: string, column: number): Shown {
  // cli-table3 rows: "│ CRV │ ok │ <cell> │ ..."; a cell may span two lines (proposed, then the target).
  const lines = text.split('\n');
  const first = lines.findIndex((l) => /│\s*CRV\s*│/.test(l));
  const cell = (line: string | undefined) => (line ?? '').split('│').map((c) => c.trim())[column + 1] ?? '';
  const main = cell(lines[first]);
  const second = cell(lines[first + 1]);
  const [currentPart, proposedPart] = main.includes('->') ? main.split('->').map((s) => s.trim()) : [main.replace(/\(=\)/, '').trim(), main.replace(/\(=\)/, '').trim()];
  const targetMatch = /target (\S+ %)/.exec(second);
  return { current: bpsOf(currentPart!), proposed: bpsOf(proposedPart!), target: targetMatch ? bpsOf(targetMatch[1]!) : bpsOf(proposedPart!) };
}

describe('every rendering shows the same value per parameter (CRV case)', () => {
  const { profile, recommendation } = crvLike();
  const changes = changesOf(recommendation);
  const { markdown, title } = renderProposal({
    profile,
    runId: recommendation.runId,
    methodologyVersion: 'test',
    createdAtMs: recommendation.createdAtMs,
    simulated: true,
    publicBaseUrl: 'http://127.0.0.1:1',
    recommendations: [recommendation],
    changes,
  });
  const webhook = webhookPayload(proposal({ changes, markdown, title, profileId: profile.id }));
  const cli = recommendationTable(profile, [recommendation]);
  const dashboard = dashboardRecommendationSchema.parse(JSON.parse(JSON.stringify(recommendation)));

  const cases = [
    { parameter: 'ltvBps', label: 'LTV', cliColumn: 2 },
    { parameter: 'liquidationThresholdBps', label: 'Liquidation threshold', cliColumn: 3 },
    { parameter: 'liquidationBonusBps', label: 'Liquidation bonus', cliColumn: 4 },
  ];

  it.each(cases)('$label: Markdown, webhook JSON, CLI table and dashboard agree', ({ parameter, label, cliColumn }) => {
    const step = recommendation.steps.find((s) => s.parameter === parameter)!;
    const expected: Shown = { current: step.current, proposed: step.proposed ?? step.target, target: step.target };
    expect(recommendation.parameters[parameter as keyof typeof recommendation.parameters]).toBe(expected.proposed);

    expect(fromMarkdown(markdown, label)).toEqual(expected);

    const row = webhook.parameters.find((p) => p.parameter === parameter)!;
    expect({ current: row.current, proposed: row.proposed, target: row.target }).toEqual(expected);
    expect({ current: bpsOf(row.display.current), proposed: bpsOf(row.display.proposed), target: bpsOf(row.display.target) }).toEqual(expected);

    expect(fromCli(cli, cliColumn)).toEqual(expected);

    const column = PARAMETER_COLUMNS.lending.find((c) => c.key === parameter)!;
    const cell = parameterCell(dashboard, column);
    expect({ current: cell.current, proposed: cell.proposed, target: cell.target }).toEqual(expected);
  });

  it('a current LTV of 0 reads "not listed" everywhere, and LTV < LT in every rendering', () => {
    expect(fromMarkdown(markdown, 'LTV').current).toBeNull();
    expect(webhook.parameters.find((p) => p.parameter === 'ltvBps')!.display.current).toBe('not listed');
    expect(cli).toMatch(/not listed -> /);
    expect(currentText(parameterCell(dashboard, PARAMETER_COLUMNS.lending[0]!).current, 'bps')).toBe('not listed');

    const ltv = fromMarkdown(markdown, 'LTV');
    const lt = fromMarkdown(markdown, 'Liquidation threshold');
    expect(ltv.proposed!).toBeLessThan(lt.proposed!);
    expect(ltv.target!).toBeLessThan(lt.target!);
    expect(fromCli(cli, 2).proposed!).toBeLessThan(fromCli(cli, 3).proposed!);
  });
});

describe('a stored 0 the rails treat as not set', () => {
  it('LTV 0 kept at 0 is no change: no "not listed -> 0.00 %" row, and the CLI says "not listed"', () => {
    const { profile, recommendation } = crvLike();
    const ltvStep = { parameter: 'ltvBps', current: null, target: 0, proposed: null, status: 'new-listing-needs-vote' as const, direction: 'none' as const, stress: false, reason: 'not collateral' };
    const unfit = { ...recommendation, steps: [ltvStep, ...recommendation.steps.filter((s) => s.parameter !== 'ltvBps')], parameters: { ...recommendation.parameters, ltvBps: 0 } } as Recommendation;
    expect(changesOf(unfit).find((c) => c.parameter === 'ltvBps')).toBeUndefined();
    const cli = recommendationTable(profile, [unfit]);
    const row = cli.split('\n').find((l) => /│\s*CRV\s*│/.test(l))!;
    expect(row.split('│')[3]!.trim()).toBe('not listed');
  });
});
