import type { Policy, ProtocolProfile } from '../config/schema.js';
import type { EventSummary } from './events.js';
import type { FastTightenSummary } from './fasttighten.js';
import { count, isoDay } from './jobs.js';
import { markdownTable, type SeriesSummary } from './summary.js';

/** The backtest report's tables that are not per-series summaries (summary.ts, verdict-tables.ts), and its JSON form. */

/** The floor under the filtered tail a profile runs with (issue 14: through-the-cycle when calibrated). */
export function floorLabel(p: ProtocolProfile, policy: Policy): string {
  if (p.kind === 'lending' && p.throughTheCycleTail) {
    const t = p.throughTheCycleTail;
    return `through-the-cycle (m ${t.multiples.adverse} x all-history volatility, calibrated on data before ${t.cutoff})`;
  }
  if (p.kind === 'perp' && p.throughTheCycleTail) {
    const t = p.throughTheCycleTail;
    return `through-the-cycle expected shortfall (m_ES ${t.multiples.expectedShortfall} x all-history ${p.candleInterval} volatility, calibrated on data before ${t.cutoff})`;
  }
  return `${p.unconditionalFloorShare ?? policy.unconditionalFloorShare} x trailing unconditional`;
}

export function eventsTable(events: readonly EventSummary[]): string {
  const bps = (v: number | undefined) => (v === undefined ? '-' : (v / 100).toFixed(v % 100 === 0 ? 0 : 2));
  return markdownTable(
    ['event', 'series', 'profile', 'before: target / applied / naive', 'tightest target (day)', 'worst window move', 'breaches on crash days: engine / steward / vote path / naive (windows)', 'first stress step', 'first vote flag', 'caught up: steward / vote path'],
    events.map((e) => [
      e.label,
      e.seriesId,
      e.profileId,
      e.before ? `${bps(e.before.targetBps)} / ${bps(e.before.appliedBps)} / ${bps(e.before.naiveBps)} %` : '-',
      e.tightestTarget ? `${bps(e.tightestTarget.bps)} % (${isoDay(e.tightestTarget.atMs)})` : '-',
      Number.isFinite(e.worstMove) ? `${(e.worstMove * 100).toFixed(1)} %` : '-',
      `${e.breaches.target} / ${e.breaches.applied} / ${e.breaches.emergency} / ${e.breaches.naive} (${e.windows})`,
      e.firstStressMs !== null ? isoDay(e.firstStressMs) : '-',
      e.firstVoteFlagMs !== null ? isoDay(e.firstVoteFlagMs) : '-',
      `${e.catchUpDays === null ? '> 3 weeks' : `${e.catchUpDays} d`} / ${e.emergencyCatchUpDays === null ? '> 3 weeks' : `${e.emergencyCatchUpDays} d`}`,
    ]),
  );
}

export function fastTightenTable(rows: readonly { id: string; profileId: string; summary: FastTightenSummary }[]): string {
  return markdownTable(
    ['series', 'profile', 'crash days (applied breached)', 'next day wants tighter', 'took the stress path', 'hard cut to target', 'flagged a vote', 'catch-up days, steward: median / max', 'with the vote (1 d): median / max', 'breaches: steward / vote path / target (windows)'],
    rows
      .filter((r) => r.summary.crashDays > 0)
      .map((r) => [
        r.id,
        r.profileId,
        String(r.summary.crashDays),
        String(r.summary.tighteningWanted),
        String(r.summary.stressPath),
        String(r.summary.hardCut),
        String(r.summary.voteFlagged),
        `${r.summary.medianCatchUpDays ?? '-'} / ${r.summary.maxCatchUpDays ?? '-'}`,
        `${r.summary.emergencyMedianCatchUpDays ?? '-'} / ${r.summary.emergencyMaxCatchUpDays ?? '-'}`,
        `${r.summary.breaches.applied} / ${r.summary.breaches.emergency} / ${r.summary.breaches.target} (${count(r.summary.breaches.windows)})`,
      ]),
  );
}

/** A compact table for the README: hourly lending series only, the issue-14 verdict's figures. */
export function readmeTable(summaries: readonly SeriesSummary[]): string {
  const p = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v < 0.001 ? '<0.001' : v.toFixed(3));
  return markdownTable(
    ['asset', 'steps', 'breaches: engine / naive', 'non-overlapping: engine / expected', 'one-sided Kupiec p', 'indep. p', 'mean LT: engine / naive', 'beats the baseline'],
    summaries
      .filter((s) => s.profileKind === 'lending' && s.barLabel === '1h' && s.target && s.naive)
      .map((s) => [
        s.id,
        count(s.steps),
        `${s.target!.breaches} / ${s.naive!.breaches}`,
        `${s.target!.nonOverlappingBreaches} / ${s.target!.nonOverlappingExpected.toFixed(1)}`,
        p(s.target!.oneSidedKupiecP),
        p(s.target!.independenceP),
        `${s.lending!.meanLtPct.toFixed(1)} / ${s.lending!.naiveMeanLtPct.toFixed(1)} %`,
        `${s.verdict.beatsBaseline ? 'yes' : `no (${s.verdict.criteria.filter((c) => !c.passed).map((c) => c.name).join(', ')})`}${s.verdict.judged ? '' : ', not judged'}`,
      ]),
  );
}

/** Numbers to 7 significant digits in the JSON (halves the file; far below any figure's precision). */
export function compactNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(7)) : value;
}
