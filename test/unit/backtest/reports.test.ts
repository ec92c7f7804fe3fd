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
  const row = (breaches: number, windows: number, p: number): CoverageRow => ({
    windows,
    breaches,
    ratePct: (breaches / windows) * 100,
    kupiecStatistic: 0,
    kupiecP: p,
    nonOverlappingKupiecP: null,
    independenceP: null,
  });
  const summary = (target: CoverageRow, naive: CoverageRow, ltGivenUpPp: number) =>
    ({ confidence: 0.999, target, naive, lending: { ltGivenUpPp } }) as unknown as SeriesSummary;

  it('beats the baseline: Kupiec accepts, or a higher p than the baseline; at most 2 pp of mean LT given up', () => {
    expect(verdictOf(summary(row(40, 46_587, 0.32), row(61, 46_587, 0.044), 1.2)).beatsBaseline).toBe(true);
    expect(verdictOf(summary(row(13, 6_974, 0.042), row(15, 6_974, 0.008), 1)).beatsBaseline).toBe(true);
  });

  it('too few breaches fail too (two-sided), and so does giving up more than 2 pp of LT', () => {
    const conservative = verdictOf(summary(row(28, 48_723, 0.001), row(40, 48_723, 0.197), 1.3));
    expect(conservative.beatsBaseline).toBe(false);
    expect(conservative.reasons[0]).toMatch(/too few breaches/);
    expect(verdictOf(summary(row(45, 46_587, 0.6), row(61, 46_587, 0.044), 2.5)).reasons[0]).toMatch(/2\.50 pp below/);
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
