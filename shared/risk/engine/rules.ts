import type { ProtocolProfile } from '../../config/schema.js';
import type { DataQuality } from '../../model/snapshot.js';
import { MS_PER_DAY } from '../../util/time.js';
import { lendingRules, perpRules, type Evidence, type ParameterRule, type ParameterStep } from '../guardrails.js';

/**
 * The guard rails as the engine applies them: a profile's rules, every knob read from its config under the
 * config's own name (the engine and the backtest build them here), and what the rails are told about the
 * evidence and the last change.
 */

export function rulesOf(profile: ProtocolProfile): ParameterRule[] {
  const minDelayMs = profile.minDelayDays * MS_PER_DAY;
  if (profile.kind === 'lending') {
    return lendingRules({
      maxStepBps: profile.maxStepBps,
      capMaxChangeShare: profile.capMaxChangeShare,
      minDelayMs,
      hysteresisBps: profile.hysteresisBps,
      capHysteresisShare: profile.capHysteresisShare,
      stressTightenBps: profile.stressTightenBps,
      capStressCutShare: profile.capStressCutShare,
    });
  }
  // No initial-margin rule: initial margin is 1 / max leverage and follows the leverage step (docs/decisions.md 10).
  return perpRules({
    maintenanceMarginMaxStepBps: profile.maintenanceMarginMaxStepBps,
    leverageMaxFactor: profile.leverageMaxFactor,
    minDelayMs,
    hysteresisBps: profile.hysteresisBps,
    leverageHysteresisShare: profile.leverageHysteresisShare,
    stressTightenBps: profile.stressTightenBps,
    leverageStressCutShare: profile.leverageStressCutShare,
  });
}

/** Failed quality checks make the evidence weak: the rails then let only tightening through (docs/decisions.md 9). */
export function evidenceOf(quality: DataQuality): Evidence {
  return { strong: quality.passed, reasons: quality.issues.filter((i) => i.severity === 'failure').map((i) => i.message) };
}

/** When each parameter last changed: the profile records one time per asset. */
export function lastChangedAt(profile: ProtocolProfile, asset: string, parameters: readonly string[]): Record<string, number | undefined> {
  const iso = profile.currentUpdatedAt[asset];
  const at = iso ? Date.parse(iso) : undefined;
  return Object.fromEntries(parameters.map((p) => [p, at]));
}

/** The target with each railed step's proposal in place of the unconstrained value. */
export function proposedFrom<T extends Record<string, number>>(target: T, steps: readonly ParameterStep[]): T {
  const out: Record<string, number> = { ...target };
  for (const step of steps) if (step.proposed !== null) out[step.parameter] = step.proposed;
  return out as T;
}
