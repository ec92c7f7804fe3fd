import { countBinds, type BindName } from './binds.js';
import type { Coverage } from './coverage.js';
import type { HeldFixed } from './heldfixed.js';
import { kupiecOneSidedP, verdictOf, type Verdict } from './verdict.js';
import type { SeriesResult } from './walkforward.js';

export { verdictOf } from './verdict.js';

/**
 * Per-series figures of a backtest and the acceptance verdict against the naive baseline, plus the
 * Markdown tables the CLI prints and docs/backtest.md carries.
 */

export interface CoverageRow {
  windows: number;
  breaches: number;
  ratePct: number;
  kupiecStatistic: number;
  kupiecP: number;
  /** Kupiec on non-overlapping windows (one every h) and Christoffersen independence on them. */
  nonOverlappingKupiecP: number | null;
  independenceP: number | null;
  nonOverlappingWindows: number;
  nonOverlappingBreaches: number;
  nonOverlappingExpected: number;
  /** One-sided Kupiec on the non-overlapping windows: small when there are significantly MORE breaches than expected. */
  oneSidedKupiecP: number | null;
}

export interface SeriesSummary {
  id: string;
  asset: string;
  profileId: string;
  profileKind: 'lending' | 'perp';
  barLabel: string;
  horizonMinutes: number;
  confidence: number;
  firstStepMs: number | null;
  lastStepMs: number | null;
  steps: number;
  unfitSteps: number;
  target: CoverageRow | null;
  applied: CoverageRow | null;
  emergency: CoverageRow | null;
  naive: CoverageRow | null;
  shortSide: CoverageRow | null;
  /** Lending: LT / LTV in %, Monte Carlo bad debt. */
  lending?: {
    meanLtPct: number;
    minLtPct: number;
    meanLtvPct: number;
    minLtvPct: number;
    appliedMeanLtPct: number;
    /** Mean LT on the counterfactual emergency-vote path (emergency.ts). */
    emergencyMeanLtPct: number;
    naiveMeanLtPct: number;
    /** Naive mean LT minus ours (pp): what the engine gives up in capital efficiency. */
    ltGivenUpPp: number;
    meanExpectedBadDebtUsd: number;
    maxBadDebtExpectedShortfallUsd: number;
    meanProbabilityOfBadDebt: number;
  };
  /** Perps: maintenance margin in %, max leverage. */
  perp?: {
    meanMmrPct: number;
    maxMmrPct: number;
    naiveMeanMmrPct: number;
    meanMaxLeverage: number;
    minMaxLeverage: number;
  };
  /** Steps on which each floor or clamp bound (binds.ts). */
  binds: Record<BindName, number>;
  /** The latest target held fixed over every scored window (heldfixed.ts). */
  heldFixed: HeldFixed | null;
  /** Against the naive baseline (verdict.ts): which criteria passed and failed, with their figures. */
  verdict: Verdict;
}

function row(c: Coverage | null): CoverageRow | null {
  if (!c) return null;
  const n = c.nonOverlapping;
  return {
    windows: c.windows,
    breaches: c.breaches,
    ratePct: c.rate * 100,
    kupiecStatistic: c.kupiec.statistic,
    kupiecP: c.kupiec.pValue,
    nonOverlappingKupiecP: c.nonOverlapping?.kupiec.pValue ?? null,
    independenceP: c.nonOverlapping?.independence.pValue ?? null,
    nonOverlappingWindows: n?.windows ?? 0,
    nonOverlappingBreaches: n?.breaches ?? 0,
    nonOverlappingExpected: (n?.windows ?? 0) * c.expectedRate,
    oneSidedKupiecP: n && n.windows > 0 ? kupiecOneSidedP(n.breaches, n.windows, c.expectedRate) : null,
  };
}

const mean = (values: readonly number[]) => (values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN);
const min = (values: readonly number[]) => (values.length > 0 ? Math.min(...values) : Number.NaN);
const max = (values: readonly number[]) => (values.length > 0 ? Math.max(...values) : Number.NaN);

export function summarizeSeries(result: SeriesResult): SeriesSummary {
  const ok = result.steps.filter((s) => s.status === 'ok');
  const summary: SeriesSummary = {
    id: result.id,
    asset: result.asset,
    profileId: result.profileId,
    profileKind: result.profileKind,
    barLabel: result.barLabel,
    horizonMinutes: result.horizonMinutes,
    confidence: result.confidence,
    firstStepMs: ok[0]?.atMs ?? null,
    lastStepMs: ok[ok.length - 1]?.atMs ?? null,
    steps: ok.length,
    unfitSteps: result.steps.length - ok.length,
    target: row(result.coverage.target),
    applied: row(result.coverage.applied),
    emergency: row(result.coverage.emergency),
    naive: row(result.coverage.naive),
    shortSide: row(result.coverage.shortSide),
    binds: countBinds(ok),
    heldFixed: result.heldFixed,
    verdict: { beatsBaseline: false, judged: false, criteria: [], reasons: [] },
  };
  if (result.profileKind === 'lending') {
    const recs = ok.map((s) => s.recommendation).filter((r) => r.kind === 'lending');
    const lt = recs.map((r) => r.target.ltBps / 100);
    const naiveLt = recs.map((r) => r.naive.ltBps / 100);
    summary.lending = {
      meanLtPct: mean(lt),
      minLtPct: min(lt),
      meanLtvPct: mean(recs.map((r) => r.target.ltvBps / 100)),
      minLtvPct: min(recs.map((r) => r.target.ltvBps / 100)),
      appliedMeanLtPct: mean(recs.map((r) => r.applied.ltBps / 100)),
      emergencyMeanLtPct: mean(recs.map((r) => r.emergency.ltBps / 100)),
      naiveMeanLtPct: mean(naiveLt),
      ltGivenUpPp: mean(naiveLt) - mean(lt),
      meanExpectedBadDebtUsd: mean(recs.map((r) => r.monteCarlo.expectedBadDebtUsd)),
      maxBadDebtExpectedShortfallUsd: max(recs.map((r) => r.monteCarlo.expectedShortfallUsd)),
      meanProbabilityOfBadDebt: mean(recs.map((r) => r.monteCarlo.probabilityOfBadDebt)),
    };
  } else {
    const recs = ok.map((s) => s.recommendation).filter((r) => r.kind === 'perp');
    summary.perp = {
      meanMmrPct: mean(recs.map((r) => r.target.mmrBps / 100)),
      maxMmrPct: max(recs.map((r) => r.target.mmrBps / 100)),
      naiveMeanMmrPct: mean(recs.map((r) => r.naive.mmrBps / 100)),
      meanMaxLeverage: mean(recs.map((r) => r.target.maxLeverage)),
      minMaxLeverage: min(recs.map((r) => r.target.maxLeverage)),
    };
  }
  summary.verdict = verdictOf(summary);
  return summary;
}

// ---------------------------------------------------------------------------------------------------
// Tables

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const isoDay = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 10));
const pct = (value: number | undefined, digits = 2) => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));
const pValue = (p: number | null | undefined) => (p === null || p === undefined ? '-' : p < 0.001 ? '<0.001' : p.toFixed(3));
const breachCell = (c: CoverageRow | null) => (c ? `${c.breaches} / ${c.windows.toLocaleString('en-US')} (${c.ratePct.toFixed(3)} %)` : '-');

/** The lending results table: ours vs the naive baseline, per series. */
export function lendingTable(summaries: readonly SeriesSummary[]): string {
  const header = [
    'series', 'bars', 'steps (from .. to)', 'engine breaches', 'Kupiec LR', 'Kupiec p', 'indep. p',
    'naive breaches', 'naive p', 'breaches: steward / vote path', 'mean LT: steward / vote path', 'mean LT / min', 'naive mean LT', 'mean LTV / min', 'E[bad debt]', 'beats naive',
  ];
  const rows = summaries
    .filter((s) => s.profileKind === 'lending')
    .map((s) => [
      s.id,
      s.barLabel,
      `${s.steps} (${isoDay(s.firstStepMs)} .. ${isoDay(s.lastStepMs)})`,
      breachCell(s.target),
      s.target ? s.target.kupiecStatistic.toFixed(2) : '-',
      pValue(s.target?.kupiecP),
      pValue(s.target?.independenceP),
      breachCell(s.naive),
      pValue(s.naive?.kupiecP),
      `${s.applied?.breaches ?? '-'} / ${s.emergency?.breaches ?? '-'}`,
      `${pct(s.lending?.appliedMeanLtPct)} / ${pct(s.lending?.emergencyMeanLtPct)}`,
      `${pct(s.lending?.meanLtPct)} / ${pct(s.lending?.minLtPct, 1)}`,
      pct(s.lending?.naiveMeanLtPct),
      `${pct(s.lending?.meanLtvPct)} / ${pct(s.lending?.minLtvPct, 1)}`,
      s.lending ? `$${Math.round(s.lending.meanExpectedBadDebtUsd).toLocaleString('en-US')}` : '-',
      s.verdict.beatsBaseline ? 'yes' : `no: ${s.verdict.reasons.join('; ')}`,
    ]);
  return markdownTable(header, rows);
}

/** The perp results table (5-minute horizon on 5-minute bars). */
export function perpTable(summaries: readonly SeriesSummary[]): string {
  const header = ['series', 'steps (from .. to)', 'engine breaches (long)', 'Kupiec p', 'indep. p', 'naive breaches', 'naive p', 'short-side breaches', 'mean MMR / max', 'naive mean MMR', 'mean / min max leverage'];
  const rows = summaries
    .filter((s) => s.profileKind === 'perp')
    .map((s) => [
      s.id,
      `${s.steps} (${isoDay(s.firstStepMs)} .. ${isoDay(s.lastStepMs)})`,
      breachCell(s.target),
      pValue(s.target?.kupiecP),
      pValue(s.target?.independenceP),
      breachCell(s.naive),
      pValue(s.naive?.kupiecP),
      breachCell(s.shortSide),
      `${pct(s.perp?.meanMmrPct)} / ${pct(s.perp?.maxMmrPct)}`,
      pct(s.perp?.naiveMeanMmrPct),
      `${pct(s.perp?.meanMaxLeverage, 1)} / ${s.perp?.minMaxLeverage ?? '-'}`,
    ]);
  return markdownTable(header, rows);
}
