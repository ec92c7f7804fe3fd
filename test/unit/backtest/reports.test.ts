import { describe, expect, it } from 'vitest';
import { eventSummary } from '../../../shared/backtest/events.js';
import { crashResponses } from '../../../shared/backtest/fasttighten.js';
import { lendingTable, summarizeSeries, verdictOf, type CoverageRow, type SeriesSummary } from '../../../shared/backtest/summary.js';
import { seriesChartSvg } from '../../../shared/backtest/svg.js';
import { runWalkForward } from '../../../shared/backtest/walkforward.js';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import { at, DAY, flat, START, stubEngine } from './stub.js';

const config = buildConfig();
const base = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const profile: LendingProfile = { ...base, lookbackDays: 5, minHistoryDays: 2, current: {} };

/** Ten flat days with a 30 % wick on day 5 at 10:00; the stub cuts LT from 80 % to 60 % from day 6 on. */
function crashed() {
  const candles = flat(12);
  const i = candles.findIndex((c) => c.openTimeMs === at(5, 10));
  candles[i] = { ...candles[i]!, low: 70 };
  return runWalkForward(
    { id: 'X', asset: 'X', source: 'hand-made', barLabel: '1h', candles },
    { profile, policy: config.policy, books: [], recommend: stubEngine((now) => (now >= at(6, 0) ? 6000 : 8000)) },
  );
}

describe('fast tighten and events', () => {
  it('finds the crash day and how the next step answered it', () => {
    const summary = crashResponses(crashed());
    expect(summary.crashDays).toBe(1);
    const response = summary.responses[0]!;
    expect(response.crashMs).toBe(at(5, 0));
    expect(response.next).toMatchObject({ atMs: at(6, 0), targetBps: 6000, proposedBps: 6000, wantedBps: 2000, movedBps: 2000 });
    expect(summary.hardCut).toBe(1);
    expect(response.catchUpDays).toBe(1);
  });

  it('an event summary reads the parameters before, the tightest target after and the crash-day breaches', () => {
    const e = eventSummary(crashed(), { id: 'test', label: 'test crash', fromMs: at(5, 0), toMs: at(5, 0) });
    expect(e.covered).toBe(true);
    expect(e.before).toEqual({ targetBps: 8000, appliedBps: 8000, naiveBps: expect.any(Number) });
    expect(e.tightestTarget).toEqual({ bps: 6000, atMs: at(6, 0) });
    expect(e.breaches.target).toBe(4);
    expect(e.worstMove).toBeCloseTo(0.3, 12);
    expect(e.path.length).toBeGreaterThan(5);
  });
});

describe('summary and verdict', () => {
  const row = (breaches: number, windows: number, nonOverlappingBreaches: number, independenceP = 0.9): CoverageRow => ({
    windows,
    breaches,
    ratePct: (breaches / windows) * 100,
    kupiecStatistic: 0,
    kupiecP: 0.5,
    nonOverlappingKupiecP: null,
    independenceP,
    nonOverlappingWindows: Math.round(windows / 4),
    nonOverlappingBreaches,
    nonOverlappingExpected: windows / 4000,
    oneSidedKupiecP: null,
  });
  const summary = (target: CoverageRow, naive: CoverageRow, ltGivenUpPp: number, steps = 1000) =>
    ({ steps, confidence: 0.999, target, naive, lending: { meanLtPct: 80 - ltGivenUpPp, naiveMeanLtPct: 80, ltGivenUpPp } }) as unknown as SeriesSummary;

  it('beats the baseline: no more breaches than naive, not significantly too many, no clustering, at most 4 pp of LT given up', () => {
    expect(verdictOf(summary(row(5, 10_656, 1), row(5, 10_656, 1), 3.9)).beatsBaseline).toBe(true);
    // Too few breaches is not a failure (one-sided): it is judged by the LT given up.
    expect(verdictOf(summary(row(0, 48_723, 0), row(40, 48_723, 11), 1.3)).beatsBaseline).toBe(true);
  });

  it('names each failed criterion with its figures', () => {
    const v = verdictOf(summary(row(25, 10_656, 8, 0.01), row(5, 10_656, 1), 4.2));
    expect(v.beatsBaseline).toBe(false);
    expect(v.criteria.filter((c) => !c.passed).map((c) => c.name)).toEqual(['breaches', 'kupiec', 'independence', 'lt']);
    expect(v.reasons[0]).toBe('breaches 25 vs the baseline\'s 5');
    expect(v.reasons[3]).toMatch(/4\.20 pp given up \(limit 4 pp\)/);
    expect(verdictOf(summary(row(1, 3_000, 0), row(2, 3_000, 1), 1, 160)).judged).toBe(false);
  });

  it('summarizes a run and renders its table row', () => {
    const s = summarizeSeries(crashed());
    expect(s.target!.breaches).toBe(4);
    expect(s.lending!.minLtPct).toBe(60);
    expect(lendingTable([s])).toContain('| X | 1h |');
  });
});

describe('SVG chart', () => {
  it('is one self-contained SVG with the price, the parameter lines and one marker per breach day', () => {
    const svg = seriesChartSvg(crashed(), []);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle [^>]*fill="#d62728"[^>]*><title>/g)).toHaveLength(1);
    expect(svg).toContain('LT target (engine)');
    expect(svg.length).toBeLessThan(20_000);
  });

  it('shades named events inside the range and says so when nothing was evaluated', () => {
    const svg = seriesChartSvg(crashed(), [{ id: 'e', label: 'Event X', fromMs: START + 5 * DAY, toMs: START + 5 * DAY }]);
    expect(svg).toContain('Event X');
    const empty = seriesChartSvg({ ...crashed(), steps: [] });
    expect(empty).toContain('no evaluated step');
  });
});
