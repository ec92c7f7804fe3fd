import type { Coverage } from './coverage.js';
import type { SeriesResult } from './walkforward.js';

/**
 * Per-series figures of a backtest and the acceptance verdict against the naive baseline, plus the
 * Markdown tables the CLI prints and docs/backtest.md carries.
 */

/** Kupiec p-value below which a breach rate is rejected. */
export const KUPIEC_SIGNIFICANCE = 0.05;
/** Capital efficiency the engine may give up against the baseline: mean LT at most this much lower (pp). */
export const MAX_MEAN_LT_GAP_PP = 2;

export interface CoverageRow {
  windows: number;
  breaches: number;
  ratePct: number;
  kupiecStatistic: number;
  kupiecP: number;
  /** Kupiec on non-overlapping windows (one every h) and Christoffersen independence on them. */
  nonOverlappingKupiecP: number | null;
  independenceP: number | null;
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
  /** Against the naive baseline: a breach rate Kupiec accepts (or one closer to 1 - alpha than the baseline's), at most 2 pp of mean LT given up. */
  verdict: { beatsBaseline: boolean; reasons: string[] };
}

function row(c: Coverage | null): CoverageRow | null {
  if (!c) return null;
  return {
    windows: c.windows,
    breaches: c.breaches,
    ratePct: c.rate * 100,
    kupiecStatistic: c.kupiec.statistic,
    kupiecP: c.kupiec.pValue,
    nonOverlappingKupiecP: c.nonOverlapping?.kupiec.pValue ?? null,
    independenceP: c.nonOverlapping?.independence.pValue ?? null,
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
    verdict: { beatsBaseline: false, reasons: [] },
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

/**
 * The acceptance, per series: the engine's target
 * - has a breach rate Kupiec does not reject (p > 0.05), or at least one closer to 1 - alpha than the
 *   baseline's (a strictly higher p-value; the test is two-sided, so too few breaches count against it too);
 * - gives up at most 2 pp of mean LT against the baseline (lending).
 */
export function verdictOf(summary: SeriesSummary): { beatsBaseline: boolean; reasons: string[] } {
  const { target, naive } = summary;
  if (!target || !naive) return { beatsBaseline: false, reasons: ['no window was scored'] };
  const reasons: string[] = [];
  if (!(target.kupiecP > KUPIEC_SIGNIFICANCE) && !(target.kupiecP > naive.kupiecP)) {
    const side = target.ratePct / 100 < 1 - summary.confidence ? 'too few breaches: over-conservative' : 'too many breaches';
    reasons.push(`Kupiec p ${target.kupiecP.toFixed(3)} (${side}), not above the baseline's ${naive.kupiecP.toFixed(3)}`);
  }
  if (summary.lending && summary.lending.ltGivenUpPp > MAX_MEAN_LT_GAP_PP) {
    reasons.push(`mean LT ${summary.lending.ltGivenUpPp.toFixed(2)} pp below the baseline's (limit ${MAX_MEAN_LT_GAP_PP} pp)`);
  }
  return { beatsBaseline: reasons.length === 0, reasons };
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
