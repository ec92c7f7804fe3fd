import { STEP_STATUSES, type StepStatus } from '../../model/step-status.js';
import type { ParameterStep } from './input.js';

/** Statuses whose proposal is the current value by construction. */
export const HELD_STATUSES: readonly StepStatus[] = ['unchanged', 'held-hysteresis', 'held-min-delay', 'held-weak-evidence', 'frozen', 'no-data'];

/** What a set of steps amounts to: does anything change now, does anything need a vote. */
export interface GuardRailSummary {
  /** True when at least one parameter may change now without a vote. */
  changes: boolean;
  /** True when some target needs a governance vote (bounded or not listed). */
  needsVote: boolean;
  byStatus: Record<StepStatus, number>;
}

export function summarize(steps: readonly ParameterStep[]): GuardRailSummary {
  const byStatus = Object.fromEntries(STEP_STATUSES.map((s) => [s, 0])) as Record<StepStatus, number>;
  for (const step of steps) byStatus[step.status]++;
  return {
    changes: steps.some((s) => s.proposed !== null && s.proposed !== s.current),
    needsVote: byStatus['bounded-needs-vote'] + byStatus['new-listing-needs-vote'] > 0,
    byStatus,
  };
}
