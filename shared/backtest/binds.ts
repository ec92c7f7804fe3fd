import type { ProtocolProfile } from '../config/schema.js';
import type { StepStatus } from '../risk/guardrails.js';
import { loanToValue, roundDownBps } from '../risk/lending.js';
import type { ComputedParameters } from '../risk/engine/types.js';
import { bpsToFraction } from '../util/units.js';

/**
 * Which floors and clamps bound a step's numbers (issue 14: "report how often each floor or clamp binds").
 * A step lists only the ones that bound (true); the summary counts them per series.
 * - tailFloor: the adverse move is the floor's (through-the-cycle or the unconditional share), not the
 *   filtered tail's;
 * - ordinaryFloor: the same for the ordinary (LTV) move;
 * - bonusMin / bonusMax: slippage + liquidator cost fell outside the bonus bounds (lending);
 * - ltvCeiling: LTV was cut to stay one rounding step below LT (lending);
 * - stewardStep / hysteresis / minDelay: the applied (steward) path's main parameter was bounded by the
 *   per-update limit, held by hysteresis, or held by the minimum delay.
 */

export const BIND_NAMES = ['tailFloor', 'ordinaryFloor', 'bonusMin', 'bonusMax', 'ltvCeiling', 'stewardStep', 'hysteresis', 'minDelay'] as const;
export type BindName = (typeof BIND_NAMES)[number];
export type StepBinds = Partial<Record<BindName, true>>;

export function bindsOf(computed: ComputedParameters, profile: ProtocolProfile, appliedStatus: StepStatus | 'listed'): StepBinds {
  const binds: StepBinds = {};
  const v = computed.volatility;
  if (v.adverseMoveSource !== 'filtered') binds.tailFloor = true;
  if (v.ordinaryMove !== null && v.filtered.ordinaryMove !== null && v.ordinaryMove > v.filtered.ordinaryMove) binds.ordinaryFloor = true;
  if (computed.profileKind === 'lending' && profile.kind === 'lending') {
    const slippage = computed.liquidity.slippageUsed;
    if (slippage !== null) {
      const raw = slippage + bpsToFraction(profile.liquidatorCostBps);
      if (raw < bpsToFraction(profile.minLiquidationBonusBps)) binds.bonusMin = true;
      if (raw > bpsToFraction(profile.maxLiquidationBonusBps)) binds.bonusMax = true;
    }
    const lt = computed.target.liquidationThresholdBps;
    if (lt > 0 && v.ordinaryMove !== null) {
      const buffered = roundDownBps(loanToValue(bpsToFraction(lt), v.ordinaryMove), profile.roundingStepBps);
      if (computed.target.ltvBps > 0 && computed.target.ltvBps < buffered) binds.ltvCeiling = true;
    }
  }
  if (appliedStatus === 'bounded-needs-vote') binds.stewardStep = true;
  if (appliedStatus === 'held-hysteresis') binds.hysteresis = true;
  if (appliedStatus === 'held-min-delay') binds.minDelay = true;
  return binds;
}

/** Per-series counts of the steps each floor or clamp bound. */
export function countBinds(steps: readonly { binds?: StepBinds }[]): Record<BindName, number> {
  const counts = Object.fromEntries(BIND_NAMES.map((name) => [name, 0])) as Record<BindName, number>;
  for (const step of steps) for (const name of BIND_NAMES) if (step.binds?.[name]) counts[name]++;
  return counts;
}
