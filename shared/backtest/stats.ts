import { chiSquareSurvival } from '../numerics/special-functions.js';
import { AdvisorError } from '../util/errors.js';

/**
 * Coverage tests of a walk-forward backtest (docs/methodology.md#coverage-tests): Kupiec's proportion of
 * failures (1995) and Christoffersen's independence (1998), with chi-square p-values
 * (shared/numerics/special-functions.ts). Pure.
 */

/** A test input out of its domain (named field, offending value). */
export class CoverageInputError extends AdvisorError {
  constructor(field: string, reason: string, value: unknown) {
    super('COVERAGE_INPUT_INVALID', `${field}: ${reason}`, { field, reason, value });
  }
}

/** n ln(p) with the convention 0 ln 0 = 0 (a likelihood term of an event that never happened). */
function xLogY(n: number, p: number): number {
  return n === 0 ? 0 : n * Math.log(p);
}

export interface KupiecResult {
  trials: number;
  failures: number;
  /** Expected failure probability under the model, 1 - alpha. */
  expectedRate: number;
  observedRate: number;
  /** LR_POF = -2 ln[(1-p)^(N-x) p^x] + 2 ln[(1-x/N)^(N-x) (x/N)^x], chi-square(1) under H0. */
  statistic: number;
  pValue: number;
}

/**
 * Kupiec's proportion-of-failures test: is the observed failure rate x / N consistent with p? Two-sided
 * (too many and too few failures both lower the p-value).
 */
export function kupiecPof(failures: number, trials: number, expectedRate: number): KupiecResult {
  if (!(Number.isInteger(trials) && trials > 0)) throw new CoverageInputError('trials', 'must be a positive integer', trials);
  if (!(Number.isInteger(failures) && failures >= 0 && failures <= trials)) {
    throw new CoverageInputError('failures', `must be an integer in [0, ${trials}]`, failures);
  }
  if (!(expectedRate > 0 && expectedRate < 1)) throw new CoverageInputError('expectedRate', 'must be in (0, 1)', expectedRate);
  const observedRate = failures / trials;
  const nullLog = xLogY(trials - failures, 1 - expectedRate) + xLogY(failures, expectedRate);
  const fittedLog = xLogY(trials - failures, 1 - observedRate) + xLogY(failures, observedRate);
  // The fitted likelihood is the maximum: clamp rounding below 0.
  const statistic = Math.max(0, -2 * (nullLog - fittedLog));
  return { trials, failures, expectedRate, observedRate, statistic, pValue: chiSquareSurvival(statistic, 1) };
}

export interface IndependenceResult {
  /** Transition counts of the 0/1 failure sequence: n01 = a failure after a non-failure, etc. */
  n00: number;
  n01: number;
  n10: number;
  n11: number;
  /** P(failure | no failure before), P(failure | failure before). */
  pi01: number;
  pi11: number;
  /** LR_ind, chi-square(1) under H0 (no clustering); 0 when no transition informs it. */
  statistic: number;
  pValue: number;
}

/**
 * Christoffersen's independence test on a 0/1 failure sequence split into runs (a failure may only
 * depend on the previous element of the same run: a gap in the data starts a new run). H0: the chance
 * of a failure does not depend on whether the previous element failed.
 */
export function christoffersenIndependence(runs: readonly (readonly boolean[])[]): IndependenceResult {
  let n00 = 0;
  let n01 = 0;
  let n10 = 0;
  let n11 = 0;
  for (const run of runs) {
    for (let i = 1; i < run.length; i++) {
      const previous = run[i - 1]!;
      const now = run[i]!;
      if (previous) now ? n11++ : n10++;
      else now ? n01++ : n00++;
    }
  }
  const pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
  const pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const total = n00 + n01 + n10 + n11;
  const pi = total > 0 ? (n01 + n11) / total : 0;
  const nullLog = xLogY(n00 + n10, 1 - pi) + xLogY(n01 + n11, pi);
  const altLog = xLogY(n00, 1 - pi01) + xLogY(n01, pi01) + xLogY(n10, 1 - pi11) + xLogY(n11, pi11);
  const statistic = total > 0 ? Math.max(0, -2 * (nullLog - altLog)) : 0;
  return { n00, n01, n10, n11, pi01, pi11, statistic, pValue: chiSquareSurvival(statistic, 1) };
}

/** Christoffersen's conditional coverage: LR_cc = LR_pof + LR_ind, chi-square(2). */
export function conditionalCoverage(kupiec: KupiecResult, independence: IndependenceResult): { statistic: number; pValue: number } {
  const statistic = kupiec.statistic + independence.statistic;
  return { statistic, pValue: chiSquareSurvival(statistic, 2) };
}
