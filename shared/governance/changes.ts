import type { ParameterChange } from '../model/proposal.js';
import { rationaleFromOf, unitOf } from '../model/parameters.js';
import type { Recommendation } from '../model/recommendation.js';
import type { StepStatus } from '../model/step-status.js';

/**
 * What every rendering (proposal Markdown, webhook JSON, CLI table, dashboard) shows for one parameter,
 * read from its guard-railed step: the live value (null = not listed, which covers Aave's LTV 0 = not
 * collateral), what is asked now (the bounded step, or the listing value of a new listing: always equal
 * to `parameters`), and the unconstrained target beside it.
 */
export interface ParameterView {
  parameter: string;
  unit: ParameterChange['unit'];
  current: number | null;
  proposed: number | null;
  target: number | null;
  status: string;
  /**
   * Nothing moves: proposed equals the live value, or equals the stored 0 the rails treat as not set
   * (LTV 0 = not collateral, cap 0): "not listed -> 0.00 %" would be a listing that lists nothing.
   */
  unchanged: boolean;
}

type Viewable = Pick<Recommendation, 'steps' | 'parameters' | 'target' | 'current'>;

export function parameterViewOf(recommendation: Viewable, parameter: string): ParameterView | null {
  const unit = unitOf(parameter);
  const values = (o: unknown) => o as Record<string, number | undefined> | null;
  const raw = values(recommendation.current)?.[parameter];
  const step = recommendation.steps.find((s) => s.parameter === parameter);
  if (step) {
    // Held for want of data: the live value stays; there is no target to show.
    if (step.status === 'no-data') return { parameter, unit, current: step.current, proposed: step.current, target: null, status: step.status, unchanged: true };
    const proposed = step.proposed ?? step.target;
    const unchanged = step.current === null ? raw === proposed : step.current === proposed;
    return { parameter, unit, current: step.current, proposed, target: step.target, status: step.status, unchanged };
  }
  // Versions stored before steps existed: the stored fields as they are.
  const proposed = values(recommendation.parameters)?.[parameter];
  if (proposed === undefined) return null;
  return { parameter, unit, current: raw ?? null, proposed, target: values(recommendation.target)?.[parameter] ?? proposed, status: 'unknown', unchanged: raw === proposed };
}

/** Guard-rail outcomes that put a change in front of governance. */
const PROPOSED_STATUSES: ReadonlySet<string> = new Set<StepStatus>(['within-bounds', 'bounded-needs-vote', 'new-listing-needs-vote']);

/**
 * The changes a recommendation proposes: every parameter whose guard-railed step moves it (hysteresis,
 * minimum delay, weak evidence and freezes have already held the others back, with their reasons).
 */
export function changesOf(recommendation: Recommendation): ParameterChange[] {
  const rationale = new Map(recommendation.rationale.map((r) => [r.parameter, r.text]));
  const changes: ParameterChange[] = [];
  for (const step of recommendation.steps) {
    if (!PROPOSED_STATUSES.has(step.status)) continue;
    const view = parameterViewOf(recommendation, step.parameter)!;
    const recommended = view.proposed;
    if (view.unchanged || recommended === null) continue;
    // One rationale can explain several parameters (the borrow cap is a share of the supply cap).
    const explainedBy = rationaleFromOf(step.parameter);
    const reason = rationale.get(step.parameter) ?? (explainedBy ? rationale.get(explainedBy) : undefined) ?? 'derived from the other parameters';
    changes.push({
      asset: recommendation.asset,
      parameter: step.parameter,
      current: view.current,
      recommended,
      target: view.target ?? recommended,
      unit: view.unit,
      status: step.status,
      stress: step.stress,
      reason,
      guardRail: step.reason,
    });
  }
  return changes;
}
