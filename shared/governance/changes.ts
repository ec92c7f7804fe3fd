import type { ProtocolProfile } from '../config/schema.js';
import type { ParameterChange } from '../model/proposal.js';
import type { Recommendation } from '../model/recommendation.js';

interface ParameterSpec {
  parameter: string;
  unit: ParameterChange['unit'];
}

export const LENDING_PARAMETERS: readonly ParameterSpec[] = [
  { parameter: 'ltvBps', unit: 'bps' },
  { parameter: 'liquidationThresholdBps', unit: 'bps' },
  { parameter: 'liquidationBonusBps', unit: 'bps' },
  { parameter: 'supplyCapUsd', unit: 'usd' },
  { parameter: 'borrowCapUsd', unit: 'usd' },
];

export const PERP_PARAMETERS: readonly ParameterSpec[] = [
  { parameter: 'maintenanceMarginBps', unit: 'bps' },
  { parameter: 'initialMarginBps', unit: 'bps' },
  { parameter: 'maxLeverage', unit: 'x' },
];

/** Caps move only when the relative change is at least this large (caps are orders of magnitude). */
const CAP_HYSTERESIS_SHARE = 0.1;

function isMaterial(unit: ParameterChange['unit'], current: number | null, recommended: number, hysteresisBps: number): boolean {
  if (current === null) return true;
  if (unit === 'bps') return Math.abs(recommended - current) >= Math.max(1, hysteresisBps);
  if (unit === 'usd') return current === 0 ? recommended !== 0 : Math.abs(recommended / current - 1) >= CAP_HYSTERESIS_SHARE;
  return recommended !== current;
}

/**
 * The changes a recommendation proposes against the protocol's current parameters: only moves beyond
 * the profile's hysteresis. A frozen asset proposes nothing.
 */
export function changesOf(recommendation: Recommendation, profile: ProtocolProfile, frozen: boolean): ParameterChange[] {
  if (frozen) return [];
  const specs = recommendation.profileKind === 'lending' ? LENDING_PARAMETERS : PERP_PARAMETERS;
  const recommended = recommendation.parameters as Record<string, number>;
  const current = recommendation.current as Record<string, number> | null;
  const reasons = new Map(recommendation.rationale.map((r) => [r.parameter, r.text]));
  const changes: ParameterChange[] = [];
  for (const { parameter, unit } of specs) {
    const value = recommended[parameter]!;
    const before = current?.[parameter] ?? null;
    if (!isMaterial(unit, before, value, profile.hysteresisBps)) continue;
    const reason =
      reasons.get(parameter) ??
      (parameter === 'borrowCapUsd' ? reasons.get('supplyCapUsd') : undefined) ??
      'derived from the other parameters';
    changes.push({ asset: recommendation.asset, parameter, current: before, recommended: value, unit, reason });
  }
  return changes;
}
