import type { StepStatus } from '../../model/step-status.js';
import { type GuardRailInput, type ParameterStep, validate } from './input.js';
import { allowedInterval, roundTowardCurrent, strictlyInside } from './intervals.js';
import type { ParameterRule } from './rules.js';
import { formatDuration, formatLimit, formatValue, sinceText } from './wording.js';

/** One parameter through the rails: held, within bounds, or bounded with the rest left to a vote, and why. */

function stepOf(rule: ParameterRule, input: GuardRailInput): ParameterStep {
  const { parameter, unit } = rule;
  const name = rule.label ?? parameter;
  const current = input.current?.[parameter] ?? null;
  const fmt = (v: number) => formatValue(v, unit);
  const missing = input.missing?.[parameter];
  if (missing) {
    // Absence is not evidence: hold the live value (a frozen asset is held anyway), never cut or loosen.
    return {
      parameter,
      current,
      target: null,
      proposed: current,
      status: 'no-data',
      direction: 'none',
      stress: false,
      missingInput: { input: missing.input, sinceMs: missing.sinceMs, ...(missing.stale ? { stale: true } : {}) },
      reason:
        `${name} ${current === null ? 'not proposed' : `held at ${fmt(current)}`}: ${missing.stale ? `${missing.input} stale` : `no ${missing.input}`} (${sinceText(missing.sinceMs)}), ` +
        'so no target is computed; missing data is not evidence of risk.',
    };
  }
  const target = input.target[parameter]!;
  const base = { parameter, current, target, stress: false };

  if (current === null) {
    return {
      ...base,
      proposed: null,
      status: input.frozen ? 'frozen' : 'new-listing-needs-vote',
      direction: 'none',
      reason: input.frozen
        ? `${name} is frozen (manual override) and not listed: the target ${fmt(target)} is not proposed.`
        : `${name} has no live value: listing it at ${fmt(target)} needs a governance vote, since a steward only adjusts listed parameters.`,
    };
  }

  const direction = target === current ? 'none' : (target > current) === rule.higherIsLooser ? 'loosen' : 'tighten';
  const held = (status: StepStatus, reason: string): ParameterStep => ({ ...base, proposed: current, status, direction, reason });

  if (input.frozen) return held('frozen', `${name} is frozen (manual override): kept at ${fmt(current)} instead of ${fmt(target)}.`);
  if (direction === 'none') return held('unchanged', `${name} stays at ${fmt(current)}: the target equals the live value.`);

  const stress = direction === 'tighten' && rule.stressTighten !== undefined && !strictlyInside(rule.stressTighten, current, target);
  const smallMove = strictlyInside(rule.hysteresis, current, target);
  const lastChanged = input.lastChangedAtMs[parameter];
  // Aave's steward reverts when block.timestamp - lastUpdated < minDelay; a clock behind lastChanged also holds.
  const elapsedMs = lastChanged === undefined ? Number.POSITIVE_INFINITY : input.nowMs - lastChanged;
  const tooSoon = elapsedMs < rule.minDelayMs;
  const sinceChange = `it changed ${formatDuration(Math.max(0, elapsedMs))} ago`;
  const minimumDelay = formatDuration(rule.minDelayMs);

  if (!stress && smallMove) {
    return held(
      'held-hysteresis',
      `${name} kept at ${fmt(current)}: the move to ${fmt(target)} is smaller than the ${formatLimit(rule.hysteresis, unit)} hysteresis.`,
    );
  }
  // Thin evidence for this parameter's own move holds it either way, a stress cut too (issue 14: caps).
  const own = input.evidenceByParameter?.[parameter];
  if (own && !own.strong) {
    const why = own.reasons.length > 0 ? own.reasons.join('; ') : 'evidence marked weak';
    const move = direction === 'tighten' ? 'a cut' : 'a raise';
    return held('held-weak-evidence', `${name} kept at ${fmt(current)} instead of ${fmt(target)}: ${move} needs evidence that covers the market (${why}).`);
  }
  // Weak evidence may only tighten (a stress step is a tightening, so it is never held here).
  if (direction === 'loosen' && !input.evidence.strong) {
    const why = input.evidence.reasons.length > 0 ? input.evidence.reasons.join('; ') : 'evidence marked weak';
    return held('held-weak-evidence', `${name} kept at ${fmt(current)}: loosening to ${fmt(target)} needs fresh, complete data (${why}).`);
  }
  if (!stress && tooSoon) {
    return held('held-min-delay', `${name} kept at ${fmt(current)}: ${sinceChange} and at least ${minimumDelay} must pass between updates.`);
  }
  // Say what the fast path actually skipped; an on-chain steward would still refuse a step within its delay.
  const skipped = [
    ...(stress && smallMove ? [`below the ${formatLimit(rule.hysteresis, unit)} hysteresis`] : []),
    ...(stress && tooSoon ? [`${sinceChange}, under the minimum delay of ${minimumDelay}`] : []),
  ];
  const stressNote = skipped.length > 0 ? ` (stress tightening, proposed although ${skipped.join(' and ')})` : '';

  const { low, high } = allowedInterval(rule.limit, current);
  const reachable = target >= low && target <= high;
  let proposed = reachable ? target : roundTowardCurrent(Math.min(high, Math.max(low, target)), current, rule.resolution);
  const zeroForbidden = !rule.stewardMayZero && current !== 0;
  if (zeroForbidden && proposed === 0) {
    // Stop one resolution short of 0 (Aave winds caps down to 1); if even that is behind us, stay put.
    proposed = Math.abs(current) > rule.resolution ? Math.sign(current) * rule.resolution : current;
  }
  if (proposed === 0) proposed = 0; // no -0 from rounding
  const verb = direction === 'tighten' ? 'tightens' : 'loosens';
  const toZero = !rule.stewardMayZero && target === 0;

  if (reachable && !toZero) {
    return {
      ...base,
      stress,
      proposed,
      status: 'within-bounds',
      direction,
      reason: `${name} ${verb} from ${fmt(current)} to ${fmt(target)}, within the ${formatLimit(rule.limit, unit)} per-update limit${stressNote}.`,
    };
  }
  const why = toZero ? 'setting it to 0 needs a governance vote' : `reaching ${fmt(target)} needs a governance vote`;
  const moved = proposed === current ? `stays at ${fmt(current)}` : `${verb} from ${fmt(current)} to ${fmt(proposed)}`;
  return {
    ...base,
    stress,
    proposed,
    status: 'bounded-needs-vote',
    direction,
    reason: `${name} ${moved}, the most one update allows (${formatLimit(rule.limit, unit)}); ${why}${stressNote}.`,
  };
}

/** One step per rule, in rule order. Throws GuardRailInputError on inconsistent input. */
export function applyGuardRails(input: GuardRailInput): ParameterStep[] {
  validate(input);
  return input.rules.map((rule) => stepOf(rule, input));
}
