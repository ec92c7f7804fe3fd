import { BIND_NAMES } from './binds.js';
import { markdownTable, type SeriesSummary } from './summary.js';
import { MAX_MEAN_LT_GIVEN_UP_PP, MIN_STEPS_TO_JUDGE, pooledCoverage, VERDICT_SIGNIFICANCE, type PooledCoverage } from './verdict.js';

/** The Markdown tables of the issue-14 verdict, the floor/clamp bind counts and the held-fixed test. */

const p3 = (p: number | null | undefined) => (p === null || p === undefined ? '-' : p < 0.001 ? '<0.001' : p.toFixed(3));
const count = (n: number) => n.toLocaleString('en-US');

/** Lending series: each criterion's figures and which failed. */
export function verdictTable(summaries: readonly SeriesSummary[]): string {
  const rows = summaries
    .filter((s) => s.profileKind === 'lending' && s.target && s.naive)
    .map((s) => {
      const t = s.target!;
      const l = s.lending!;
      const failed = s.verdict.criteria.filter((c) => !c.passed).map((c) => c.name);
      const verdict = s.verdict.beatsBaseline ? 'yes' : `no (${failed.join(', ')})`;
      return [
        s.id,
        s.barLabel,
        count(s.steps),
        `${t.breaches} / ${s.naive!.breaches}`,
        `${t.nonOverlappingBreaches} / ${t.nonOverlappingExpected.toFixed(1)} (${count(t.nonOverlappingWindows)})`,
        p3(t.oneSidedKupiecP),
        p3(t.independenceP),
        `${l.meanLtPct.toFixed(2)} / ${l.naiveMeanLtPct.toFixed(2)}`,
        l.ltGivenUpPp.toFixed(2),
        s.verdict.judged ? verdict : `${verdict}; not judged (< ${MIN_STEPS_TO_JUDGE} steps)`,
      ];
    });
  return markdownTable(
    ['series', 'bars', 'steps', 'breaches: engine / naive', 'non-overlapping breaches / expected (windows)', 'one-sided Kupiec p', 'indep. p', 'mean LT: engine / naive %', 'LT given up (pp)', 'beats the baseline'],
    rows,
  );
}

/** One line on the pooled coverage of the lending series given. */
export function pooledLine(summaries: readonly SeriesSummary[], label: string): string {
  const pooled: PooledCoverage | null = pooledCoverage(summaries.filter((s) => s.profileKind === 'lending'));
  if (!pooled) return `${label}: no window scored.`;
  return (
    `${label} (${pooled.series} series): ${pooled.nonOverlappingBreaches} non-overlapping breaches where ${pooled.expected.toFixed(1)} are expected ` +
    `(${count(pooled.nonOverlappingWindows)} windows), one-sided Kupiec p ${p3(pooled.oneSidedKupiecP)}: ` +
    `${pooled.passed ? 'not' : ''} significantly more than expected at ${VERDICT_SIGNIFICANCE}.`
  );
}

/** Rules of the verdict, printed above its table. */
export const VERDICT_RULES =
  `"Beats the baseline" requires all of: breaches (overlapping windows) <= the naive baseline's; not significantly more ` +
  `breaches than expected (one-sided Kupiec on the non-overlapping windows, p > ${VERDICT_SIGNIFICANCE}); no clustering ` +
  `(Christoffersen independence p > ${VERDICT_SIGNIFICANCE}); mean LT at most ${MAX_MEAN_LT_GIVEN_UP_PP} pp below the baseline's. ` +
  `Series with fewer than ${MIN_STEPS_TO_JUDGE} scored steps are shown, not judged.`;

/** Steps on which each floor or clamp bound, per series. */
export function bindsTable(summaries: readonly SeriesSummary[]): string {
  return markdownTable(
    ['series', 'profile', 'steps', ...BIND_NAMES],
    summaries.map((s) => [s.id, s.profileId, count(s.steps), ...BIND_NAMES.map((name) => `${count(s.binds[name])} (${s.steps > 0 ? ((s.binds[name] / s.steps) * 100).toFixed(0) : 0} %)`)]),
  );
}

/** The latest target held fixed over each series' scored windows. */
export function heldFixedTable(summaries: readonly SeriesSummary[]): string {
  return markdownTable(
    ['series', 'profile', 'latest (as of)', 'breaches held fixed / expected (windows)', 'ratio', 'non-overlapping / expected'],
    summaries
      .filter((s) => s.heldFixed)
      .map((s) => {
        const h = s.heldFixed!;
        return [
          s.id,
          s.profileId,
          `${s.profileKind === 'lending' ? 'LT' : 'MMR'} ${(h.valueBps / 100).toFixed(2)} % (${new Date(h.atMs).toISOString().slice(0, 10)})`,
          `${h.breaches} / ${h.expected.toFixed(1)} (${count(h.windows)})`,
          h.expected > 0 ? `${(h.breaches / h.expected).toFixed(2)}x` : '-',
          `${h.nonOverlappingBreaches} / ${h.nonOverlappingExpected.toFixed(1)}`,
        ];
      }),
  );
}
