import { describe, expect, it } from 'vitest';
import { PARAMETER_COLUMNS, STEP_STATUS_LABEL } from '../../../dashboard/src/config.js';
import { recommendationTable } from '../../../local/report.js';
import { buildConfig } from '../../../shared/config/load.js';
import { lendingParametersSchema, perpParametersSchema } from '../../../shared/config/schema.js';
import { formatParameterValue, liveValueText } from '../../../shared/format/parameter-values.js';
import { changesOf } from '../../../shared/governance/changes.js';
import { escapeMarkdown } from '../../../shared/governance/markdown.js';
import { renderProposal } from '../../../shared/governance/render.js';
import { LENDING_PARAMETERS, PERP_PARAMETERS, PERP_SCHEDULE_FIGURES, labelOf, parameterFacts, unitOf } from '../../../shared/model/parameters.js';
import { perpRecommendationSchema, type Recommendation } from '../../../shared/model/recommendation.js';
import { STEP_STATUSES } from '../../../shared/model/step-status.js';
import { applyGuardRails, lendingRules, perpRules } from '../../../shared/risk/guardrails.js';
import { recommendationDraft } from '../../support/fixtures.js';

const keys = (list: readonly { key: string }[]) => list.map((p) => p.key);

describe('the parameter catalogue', () => {
  it('has an entry for every parameter key a recommendation can carry, and no other steered one', () => {
    expect(keys(LENDING_PARAMETERS).sort()).toEqual(Object.keys(lendingParametersSchema.shape).sort());
    expect(keys(PERP_PARAMETERS).sort()).toEqual(Object.keys(perpParametersSchema.shape).sort());
    for (const figure of PERP_SCHEDULE_FIGURES) expect(Object.keys(perpRecommendationSchema.shape)).toContain(figure.key);
    for (const key of [...keys(LENDING_PARAMETERS), ...keys(PERP_PARAMETERS), ...keys(PERP_SCHEDULE_FIGURES)]) expect(parameterFacts(key)?.key).toBe(key);
  });

  it('is what the guard-rail rules and the dashboard columns are built from', () => {
    const rules = [...lendingRules({ hysteresisBps: 25 }), ...perpRules({ hysteresisBps: 25 })];
    // Perp initial margin has no steward bounds of its own (it follows max leverage): no rule.
    const steered = [...LENDING_PARAMETERS, ...PERP_PARAMETERS].filter((p) => p.steward !== null);
    expect(rules.map((r) => [r.parameter, r.label, r.unit, r.higherIsLooser, r.resolution, r.stewardMayZero])).toEqual(
      steered.map((p) => [p.key, p.label, p.unit, p.higherIsLooser, p.resolution, p.stewardMayZero]),
    );
    for (const column of [...PARAMETER_COLUMNS.lending, ...PARAMETER_COLUMNS.perp]) {
      expect(column.unit).toBe(unitOf(column.key));
      expect(column.title).toBe(parameterFacts(column.key)?.title);
    }
  });

  it('names every step status once, and the dashboard has words for each', () => {
    expect(new Set(STEP_STATUSES).size).toBe(9);
    for (const status of STEP_STATUSES) expect(STEP_STATUS_LABEL[status]).toBeTruthy();
  });

  it('answers unknown keys as before: the key as its label, basis points as its unit', () => {
    expect(labelOf('debtCeilingUsd')).toBe('debtCeilingUsd');
    expect(unitOf('debtCeilingUsd')).toBe('bps');
    expect(parameterFacts('toString')).toBeNull();
  });
});

describe('one formatter for every rendering', () => {
  it('prints one number in each medium as the module documents it', () => {
    const row = (value: number, unit: 'bps' | 'usd' | 'x') => (['proposal', 'reason', 'cell', 'sentence'] as const).map((style) => formatParameterValue(value, unit, style));
    expect(row(8300, 'bps')).toEqual(['83.00 %', '8,300 bps', '83', '83 %']);
    expect(row(5.4e9, 'usd')).toEqual(['$5.40B', '$5.40B', '$5.4B', '$5.4B']);
    expect(row(25, 'x')).toEqual(['25x', '25x', '25x', '25x']);
    expect(liveValueText(null, 'bps', 'proposal')).toBe('not listed');
  });

  it('gives the strings the proposal, its guard-rail reason and the CLI table show for a bounded step', () => {
    const live = { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 };
    const target = { ...live, liquidationThresholdBps: 7000 };
    const steps = applyGuardRails({
      rules: lendingRules({ hysteresisBps: 25 }),
      target,
      current: live,
      lastChangedAtMs: {},
      nowMs: 1_750_000_000_000,
      evidence: { strong: true, reasons: [] },
      frozen: false,
    });
    const lt = steps.find((s) => s.parameter === 'liquidationThresholdBps')!;
    expect(lt.status).toBe('bounded-needs-vote');
    expect(lt.reason).toContain(formatParameterValue(7800, 'bps', 'reason'));
    expect(lt.reason).toContain(formatParameterValue(7750, 'bps', 'reason'));

    const recommendation = { ...recommendationDraft({ current: live, target, parameters: { ...live, liquidationThresholdBps: 7750 } }), steps, version: 2 } as Recommendation;
    const [change] = changesOf(recommendation);
    const profile = buildConfig().profiles.find((p) => p.id === 'aave-v3-ethereum')!;
    const { markdown } = renderProposal({
      profile,
      runId: 'r1',
      methodologyVersion: 'test',
      createdAtMs: 0,
      simulated: true,
      publicBaseUrl: 'http://localhost',
      recommendations: [recommendation],
      changes: [change!],
    });
    const shown = [liveValueText(7800, 'bps', 'proposal'), `**${liveValueText(7750, 'bps', 'proposal')}**`, liveValueText(7000, 'bps', 'proposal')];
    expect(markdown).toContain(`| BTC | ${labelOf('liquidationThresholdBps')} | ${shown[0]} | ${shown[1]} |`);
    expect(markdown).toContain(`| ${shown[2]} |`);
    expect(markdown).toContain(`*Guard rails:* ${escapeMarkdown(lt.reason)}`);
    expect(recommendationTable(profile, [recommendation])).toContain(`${liveValueText(7800, 'bps', 'proposal')} -> ${liveValueText(7750, 'bps', 'proposal')}`);
  });
});
