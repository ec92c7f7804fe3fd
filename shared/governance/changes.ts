import type { ParameterChange } from '../model/proposal.js';
import type { Recommendation } from '../model/recommendation.js';

export const PARAMETER_UNITS: Record<string, ParameterChange['unit']> = {
  ltvBps: 'bps',
  liquidationThresholdBps: 'bps',
  liquidationBonusBps: 'bps',
  supplyCapUsd: 'usd',
  borrowCapUsd: 'usd',
  maintenanceMarginBps: 'bps',
  initialMarginBps: 'bps',
  maxLeverage: 'x',
};

/** Guard-rail outcomes that put a change in front of governance. */
const PROPOSED_STATUSES = new Set(['within-bounds', 'bounded-needs-vote', 'new-listing-needs-vote']);

/**
 * The changes a recommendation proposes: every parameter whose guard-railed step moves it (hysteresis,
 * minimum delay, weak evidence and freezes have already held the others back, with their reasons).
 */
export function changesOf(recommendation: Recommendation): ParameterChange[] {
  const rationale = new Map(recommendation.rationale.map((r) => [r.parameter, r.text]));
  const changes: ParameterChange[] = [];
  for (const step of recommendation.steps) {
    if (!PROPOSED_STATUSES.has(step.status) || step.target === null) continue;
    const recommended = step.proposed ?? step.target;
    if (step.current !== null && recommended === step.current) continue;
    const reason =
      rationale.get(step.parameter) ??
      (step.parameter === 'borrowCapUsd' ? rationale.get('supplyCapUsd') : undefined) ??
      'derived from the other parameters';
    changes.push({
      asset: recommendation.asset,
      parameter: step.parameter,
      current: step.current,
      recommended,
      target: step.target,
      unit: PARAMETER_UNITS[step.parameter] ?? 'bps',
      status: step.status,
      stress: step.stress,
      reason,
      guardRail: step.reason,
    });
  }
  return changes;
}
