import { describe, expect, it } from 'vitest';
import type { Recommendation, Step } from '../../../dashboard/src/api/schemas.js';
import { recommendationSchema } from '../../../dashboard/src/api/schemas.js';
import { PARAMETER_COLUMNS } from '../../../dashboard/src/config.js';
import { ageText, dateTimeText, durationText } from '../../../dashboard/src/format.js';
import { usdCompactText, usdPrice } from '../../../shared/format/numbers.js';
import { deltaText, parameterText, parameterWithUnit, percentFromBps } from '../../../shared/format/parameter-values.js';
import { assetHref, parseRoute, safeExternalUrl } from '../../../dashboard/src/routes.js';
import { isStale, parameterCell, rowStatus } from '../../../dashboard/src/status.js';
import { recommendationSchema as serverRecommendationSchema } from '../../../shared/model/recommendation.js';
import { perpRecommendationDraft, recommendationDraft } from '../../support/fixtures.js';

/** The dashboard's pure parts: formatting with units, routes, and what a row says. */

const MINUS = '\u2212';
const ltv = PARAMETER_COLUMNS.lending[0]!;
const supplyCap = PARAMETER_COLUMNS.lending[3]!;

function step(overrides: Partial<Step>): Step {
  return { parameter: 'ltvBps', current: 7300, target: 7350, proposed: 7350, status: 'within-bounds', direction: 'loosen', stress: false, reason: 'r', ...overrides };
}

/** A stored recommendation as the API serves it, read through the dashboard's schema. */
function served(draft: object): unknown {
  // Through the server's own schema first: the fixture is a recommendation the API could serve.
  return JSON.parse(JSON.stringify(serverRecommendationSchema.parse({ ...draft, version: 1 })));
}

function recommendation(overrides: Partial<Recommendation> = {}): Recommendation {
  return { ...recommendationSchema.parse(served(recommendationDraft())), ...overrides };
}

describe('format', () => {
  it('shows bps parameters as percentages with the fewest exact decimals', () => {
    expect(percentFromBps(7350)).toBe('73.5');
    expect(percentFromBps(8000)).toBe('80');
    expect(percentFromBps(87)).toBe('0.87');
    expect(parameterWithUnit(450, 'bps')).toBe('4.5 %');
  });

  it('shows USD compact and prices in full', () => {
    expect(usdCompactText(2.58e9)).toBe('$2.58B');
    expect(usdCompactText(610e6)).toBe('$610M');
    expect(usdCompactText(48_000)).toBe('$48K');
    expect(usdCompactText(0)).toBe('$0');
    expect(usdPrice(64_210.5)).toBe('$64,210.50');
    expect(usdPrice(0.123456)).toBe('$0.1235');
    expect(parameterText(25, 'x')).toBe('25x');
  });

  it('signs deltas with a real minus: pp for bps, relative for caps, multiples for leverage', () => {
    expect(deltaText(7300, 7350, 'bps')).toBe('+0.5 pp');
    expect(deltaText(125, 87, 'bps')).toBe(`${MINUS}0.38 pp`);
    expect(deltaText(2.58e9, 610e6, 'usd')).toBe(`${MINUS}76 %`);
    expect(deltaText(100, 105, 'usd')).toBe('+5.0 %');
    expect(deltaText(40, 50, 'x')).toBe('+10x');
    expect(deltaText(7300, 7300, 'bps')).toBe('0 pp');
  });

  it('has no delta without a current value, or for a cap that starts at zero', () => {
    expect(deltaText(null, 7350, 'bps')).toBeNull();
    expect(deltaText(7300, null, 'bps')).toBeNull();
    expect(deltaText(0, 4.8e6, 'usd')).toBeNull();
  });

  it('says ages in words and dates in UTC', () => {
    expect(durationText(30_000)).toBe('< 1 min');
    expect(ageText(12 * 60_000 + 5_000)).toBe('data 12 min old');
    expect(durationText(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 5 min');
    expect(durationText(50 * 3_600_000)).toBe('2 d 2 h');
    expect(dateTimeText(Date.UTC(2026, 10, 25, 14, 20, 59))).toBe('2026-11-25 14:20 UTC');
  });

  it('calls data stale after two missed hourly cycles', () => {
    expect(isStale(2 * 3_600_000)).toBe(false);
    expect(isStale(2 * 3_600_000 + 1)).toBe(true);
  });
});

describe('routes', () => {
  it('maps the three pages and nothing else', () => {
    expect(parseRoute('/')).toEqual({ page: 'overview' });
    expect(parseRoute('/proposals/')).toEqual({ page: 'proposals' });
    expect(parseRoute('/assets/btc')).toEqual({ page: 'asset', asset: 'BTC' });
    expect(parseRoute('/assets/BTC/more')).toEqual({ page: 'not-found', path: '/assets/BTC/more' });
    expect(assetHref('BTC')).toBe('/assets/BTC');
  });

  it('lets only http(s) forum links through', () => {
    expect(safeExternalUrl('https://forum.example.org/t/x/1')).toBe('https://forum.example.org/t/x/1');
    expect(safeExternalUrl('javascript:alert(1)')).toBeNull();
    expect(safeExternalUrl('/tmp/outbox/x.md')).toBeNull();
    expect(safeExternalUrl('data:text/html,x')).toBeNull();
  });
});

describe('row status', () => {
  it('reads lending and perp recommendations as the server schema produces them', () => {
    expect(recommendationSchema.safeParse(served(recommendationDraft())).success).toBe(true);
    const perp = recommendationSchema.parse(served(perpRecommendationDraft()));
    expect(perp.profileKind).toBe('perp');
    expect(perp.tiers?.length).toBeGreaterThan(0);
  });

  it('reads recommendations whose cross-checks and perp figures are null for want of data (issue 12 defect 5)', () => {
    const lending = recommendationSchema.safeParse(served({ ...recommendationDraft(), crossCheck: null, monteCarlo: null }));
    expect(lending.success, JSON.stringify(lending.error?.issues)).toBe(true);
    const perp = recommendationSchema.safeParse(
      served({ ...perpRecommendationDraft(), openInterest: { lowerCapUsd: null, upperCapUsd: null }, liquidationPenaltyBps: null, insuranceFundTargetUsd: null }),
    );
    expect(perp.success, JSON.stringify(perp.error?.issues)).toBe(true);
  });

  it('puts not collateral before frozen before a vote before steward bounds before no change', () => {
    const held = [step({ status: 'held-hysteresis' }), step({ status: 'unchanged', parameter: 'x' })];
    expect(rowStatus(recommendation({ steps: held, needsGovernanceVote: false })).kind).toBe('hold');
    expect(rowStatus(recommendation({ steps: [...held, step({})], needsGovernanceVote: false })).kind).toBe('steward');
    expect(rowStatus(recommendation({ steps: [step({})], needsGovernanceVote: true })).kind).toBe('vote');
    expect(rowStatus(recommendation({ steps: [step({ status: 'frozen' })], needsGovernanceVote: true })).kind).toBe('frozen');
    const unfit = rowStatus(recommendation({ status: 'unfit', steps: [step({ status: 'frozen' })], needsGovernanceVote: true }));
    expect(unfit).toMatchObject({ kind: 'unfit', label: 'not collateral' });
    expect(rowStatus(recommendation({ status: 'unfit', profileKind: 'perp' })).label).toBe('not listable');
  });

  it('takes the direction from the engine and the target from the step the guard rails judged', () => {
    const r = recommendation({
      current: { ltvBps: 7300 },
      parameters: { ltvBps: 7350 },
      target: { ltvBps: 7900 },
      steps: [step({ current: 7300, proposed: 7350, target: 7850, status: 'bounded-needs-vote', direction: 'loosen' })],
    });
    expect(parameterCell(r, ltv)).toMatchObject({ current: 7300, proposed: 7350, target: 7850, direction: 'loosen', targetDiffers: true });
  });

  it('shows a new listing as not listed -> its listing value (the target), as the proposal does', () => {
    const r = recommendation({
      current: null,
      steps: [step({ parameter: 'supplyCapUsd', current: null, proposed: null, target: 9.7e6, status: 'new-listing-needs-vote', direction: 'none' })],
    });
    expect(parameterCell(r, supplyCap)).toMatchObject({ current: null, proposed: 9.7e6, target: 9.7e6, direction: 'none', targetDiffers: false });
  });
});
