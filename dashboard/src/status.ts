import { FRESHNESS, PARAMETER_COLUMNS, ROW_STATUS, UNFIT_LABEL, type ParameterColumn, type RowStatusKind } from './config.js';
import type { Recommendation, Step } from './api/schemas.js';

/** What a row of the overview says about one recommendation, derived from its steps. Pure. */

export interface RowStatus {
  kind: RowStatusKind;
  label: string;
  short: string;
  help: string;
}

/** Steps that propose nothing now. */
const HOLDING_STEPS = new Set(['unchanged', 'held-hysteresis', 'held-min-delay', 'held-weak-evidence', 'no-data']);

/**
 * Precedence: not collateral / not listable (the engine refuses the asset) > frozen (a manual override
 * wins over any proposal) > needs a governance vote > within steward bounds > no change.
 */
export function rowStatus(recommendation: Recommendation): RowStatus {
  const { steps } = recommendation;
  let kind: RowStatusKind;
  if (recommendation.status === 'unfit') kind = 'unfit';
  else if (steps.some((s) => s.status === 'frozen')) kind = 'frozen';
  else if (recommendation.needsGovernanceVote) kind = 'vote';
  else if (steps.length > 0 && steps.every((s) => HOLDING_STEPS.has(s.status))) kind = 'hold';
  else kind = 'steward';
  const { label, short, help } = ROW_STATUS[kind];
  if (kind === 'unfit') return { kind, label: UNFIT_LABEL[recommendation.profileKind], short: UNFIT_LABEL[recommendation.profileKind], help };
  return { kind, label, short, help };
}

export type Direction = 'tighten' | 'loosen' | 'none';

/** One parameter of one recommendation: current -> proposed now, the unconstrained target, and the step. */
export interface ParameterCell {
  column: ParameterColumn;
  current: number | null;
  /** What is asked now: the guard-railed step, or the listing value of a new listing (= `parameters`). */
  proposed: number | null;
  target: number | null;
  direction: Direction;
  step: Step | null;
  /** The target is not what is proposed now: the rest needs a vote (or waits). */
  targetDiffers: boolean;
}

/** The engine says which way a step goes (a lower cap tightens, a lower maintenance margin loosens). */
function directionOf(step: Step | null): Direction {
  return step?.direction === 'tighten' || step?.direction === 'loosen' ? step.direction : 'none';
}

export function parameterCell(recommendation: Recommendation, column: ParameterColumn): ParameterCell {
  const step = recommendation.steps.find((s) => s.parameter === column.key) ?? null;
  // The step's fields, as the proposal and the CLI read them: a current the rails treat as not set
  // (Aave's LTV 0) is "not listed" here too, and a new listing asks for its listing value.
  const current = step ? step.current : (recommendation.current?.[column.key] ?? null);
  const proposed = step ? (step.proposed ?? step.target) : (recommendation.parameters[column.key] ?? null);
  // The step's target is the one the guard rails compared against: keep the cell consistent with its reason.
  const target = step?.target ?? recommendation.target[column.key] ?? null;
  return {
    column,
    current,
    proposed,
    target,
    direction: directionOf(step),
    step,
    targetDiffers: target !== null && proposed !== null && target !== proposed,
  };
}

export function parameterCells(recommendation: Recommendation): ParameterCell[] {
  return PARAMETER_COLUMNS[recommendation.profileKind].map((column) => parameterCell(recommendation, column));
}

export function isStale(ageMs: number): boolean {
  return ageMs > FRESHNESS.staleAfterMs;
}

/** The oldest market data behind a set of recommendations (what "data N min old" should warn about). */
export function oldestSnapshotMs(recommendations: readonly Recommendation[]): number | null {
  if (recommendations.length === 0) return null;
  return Math.min(...recommendations.map((r) => r.snapshotTakenAtMs));
}

/** Asset symbols, sorted, each once. */
export function assetsOf(recommendations: readonly Recommendation[]): string[] {
  return [...new Set(recommendations.map((r) => r.asset))].sort();
}
