import { chiSquareSurvival } from '../numerics/special-functions.js';
import { kupiecPof } from './stats.js';

/**
 * The issue-14 verdict "beats the baseline", per series, on the engine's target against the naive
 * trailing-year quantile, and the pooled check. Each criterion is reported with its figures, so the summary
 * can say which failed and by how much:
 * - breaches: no more breached windows (overlapping, the headline count) than the baseline;
 * - kupiec: not significantly MORE breaches than expected, one-sided, on the non-overlapping windows (one
 *   every h, so the Bernoulli trials are independent). Too few breaches is a capital-efficiency matter,
 *   judged by the LT given up, never by a two-sided test that rewards tuning toward the expected count;
 * - independence: Christoffersen's test on the same non-overlapping sequence (breaches do not cluster);
 * - lt: mean LT no lower than the baseline's minus MAX_MEAN_LT_GIVEN_UP_PP (lending only).
 * Series with fewer than MIN_STEPS_TO_JUDGE scored steps are reported but not judged (too few windows for
 * a 0.1 % event: 300 days hold 1.8 expected non-overlapping breaches).
 */

/** Significance of every test of the verdict. */
export const VERDICT_SIGNIFICANCE = 0.05;
/** Mean LT the engine may give up against the baseline (pp). */
export const MAX_MEAN_LT_GIVEN_UP_PP = 4;
/** Scored steps below which a series is shown but not judged. */
export const MIN_STEPS_TO_JUDGE = 300;

export type CriterionName = 'breaches' | 'kupiec' | 'independence' | 'lt';

export interface Criterion {
  name: CriterionName;
  passed: boolean;
  /** One sentence with the figures (what failed and by how much, or what passed). */
  detail: string;
}

export interface Verdict {
  beatsBaseline: boolean;
  /** False when the series has fewer than MIN_STEPS_TO_JUDGE scored steps (shown, not judged). */
  judged: boolean;
  criteria: Criterion[];
  /** The details of the failed criteria (empty when it beats the baseline). */
  reasons: string[];
}

/**
 * One-sided Kupiec: the p-value of "no more failures than expected" against "more". The signed root of the
 * likelihood ratio is standard normal under H0, so p = P(Z >= sqrt(LR)) when the observed rate is above the
 * expected one (half the two-sided p), and 1 - that when it is at or below.
 */
export function kupiecOneSidedP(failures: number, trials: number, expectedRate: number): number {
  const { statistic, observedRate } = kupiecPof(failures, trials, expectedRate);
  const half = 0.5 * chiSquareSurvival(statistic, 1);
  return observedRate > expectedRate ? half : 1 - half;
}

/** What the verdict reads of a series summary (kept structural so summary.ts and tests build it freely). */
export interface VerdictInput {
  steps: number;
  confidence: number;
  target: { breaches: number; nonOverlappingWindows: number; nonOverlappingBreaches: number; independenceP: number | null } | null;
  naive: { breaches: number } | null;
  lending?: { meanLtPct: number; naiveMeanLtPct: number; ltGivenUpPp: number };
}

const p3 = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));

export function verdictOf(s: VerdictInput): Verdict {
  const judged = s.steps >= MIN_STEPS_TO_JUDGE;
  const { target, naive } = s;
  if (!target || !naive) return { beatsBaseline: false, judged, criteria: [], reasons: ['no window was scored'] };
  const expectedRate = 1 - s.confidence;
  const criteria: Criterion[] = [];
  criteria.push({
    name: 'breaches',
    passed: target.breaches <= naive.breaches,
    detail: `breaches ${target.breaches} vs the baseline's ${naive.breaches}`,
  });
  if (target.nonOverlappingWindows > 0) {
    const p = kupiecOneSidedP(target.nonOverlappingBreaches, target.nonOverlappingWindows, expectedRate);
    const expected = target.nonOverlappingWindows * expectedRate;
    criteria.push({
      name: 'kupiec',
      passed: p > VERDICT_SIGNIFICANCE,
      detail: `${target.nonOverlappingBreaches} non-overlapping breaches where ${expected.toFixed(1)} are expected (one-sided Kupiec p ${p3(p)})`,
    });
  }
  if (target.independenceP !== null) {
    criteria.push({ name: 'independence', passed: target.independenceP > VERDICT_SIGNIFICANCE, detail: `independence p ${p3(target.independenceP)}` });
  }
  if (s.lending) {
    criteria.push({
      name: 'lt',
      passed: s.lending.ltGivenUpPp <= MAX_MEAN_LT_GIVEN_UP_PP,
      detail: `mean LT ${s.lending.meanLtPct.toFixed(2)} % vs the baseline's ${s.lending.naiveMeanLtPct.toFixed(2)} %: ${s.lending.ltGivenUpPp >= 0 ? `${s.lending.ltGivenUpPp.toFixed(2)} pp given up` : `${(-s.lending.ltGivenUpPp).toFixed(2)} pp gained`} (limit ${MAX_MEAN_LT_GIVEN_UP_PP} pp)`,
    });
  }
  const reasons = criteria.filter((c) => !c.passed).map((c) => c.detail);
  return { beatsBaseline: reasons.length === 0, judged, criteria, reasons };
}

export interface PooledCoverage {
  series: number;
  nonOverlappingWindows: number;
  nonOverlappingBreaches: number;
  expected: number;
  oneSidedKupiecP: number;
  passed: boolean;
}

/** Pooled over series: not significantly more non-overlapping breaches than expected (one-sided). Null with no window. */
export function pooledCoverage(rows: readonly { confidence: number; target: VerdictInput['target'] }[]): PooledCoverage | null {
  const scored = rows.filter((r) => r.target && r.target.nonOverlappingWindows > 0);
  if (scored.length === 0) return null;
  const expectedRate = 1 - scored[0]!.confidence;
  const windows = scored.reduce((n, r) => n + r.target!.nonOverlappingWindows, 0);
  const breaches = scored.reduce((n, r) => n + r.target!.nonOverlappingBreaches, 0);
  const p = kupiecOneSidedP(breaches, windows, expectedRate);
  return { series: scored.length, nonOverlappingWindows: windows, nonOverlappingBreaches: breaches, expected: windows * expectedRate, oneSidedKupiecP: p, passed: p > VERDICT_SIGNIFICANCE };
}
