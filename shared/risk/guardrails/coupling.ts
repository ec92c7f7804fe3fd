import { GuardRailInputError, type ParameterStep } from './input.js';
import { allowedInterval, ceilToResolution } from './intervals.js';
import type { ParameterRule } from './rules.js';
import { formatLimit, formatValue } from './wording.js';

/**
 * One parameter kept at or below a ceiling set by another (LTV below LT). The rails bound each parameter
 * on its own, so a bounded LT step can leave the LTV step, or a new LTV listing, at or above it.
 */
export interface CeilingCoupling {
  /** The parameter kept below (ltvBps). */
  parameter: string;
  /** The parameter that sets the ceiling (liquidationThresholdBps). */
  bound: string;
  /** Highest value of `parameter` allowed beside a value of `bound`: strictly below it, or 0. */
  ceilingOf: (boundValue: number) => number;
  /** How reasons name the rule, e.g. "LT less the ordinary move". */
  ceilingName: string;
}

/**
 * Applies a coupling after applyGuardRails, against what the bound's step asks to set (its proposed value,
 * or its target for a new listing). A new listing is listed at the ceiling; a listed parameter moves as
 * close to the ceiling as one update allows, and past that limit only when needed to stay strictly below
 * the bound (then it needs a vote). A frozen parameter is left alone. Pure.
 */
export function keepBelow(steps: readonly ParameterStep[], rules: readonly ParameterRule[], coupling: CeilingCoupling): ParameterStep[] {
  const index = steps.findIndex((s) => s.parameter === coupling.parameter);
  const bound = steps.find((s) => s.parameter === coupling.bound);
  const rule = rules.find((r) => r.parameter === coupling.parameter);
  if (index < 0 || !bound || !rule) throw new GuardRailInputError([`coupling ${coupling.parameter} < ${coupling.bound}: both need a step and a rule`]);
  const step = steps[index]!;
  if (step.status === 'frozen') return [...steps];
  const boundValue = bound.proposed ?? bound.target;
  const asked = step.proposed ?? step.target;
  // Held for want of data (no value to compare): nothing is moved on absence.
  if (boundValue === null || asked === null || step.status === 'no-data') return [...steps];
  const ceiling = coupling.ceilingOf(boundValue);
  if (asked <= ceiling) return [...steps];

  const fmt = (v: number) => formatValue(v, rule.unit);
  const name = rule.label ?? rule.parameter;
  const boundRule = rules.find((r) => r.parameter === coupling.bound);
  const boundName = (boundRule?.label ?? coupling.bound).toLowerCase();
  const why = `at most ${fmt(ceiling)} beside the ${boundName} of ${fmt(boundValue)} (${coupling.ceilingName})`;
  let next: ParameterStep;
  if (step.current === null) {
    next = {
      ...step,
      proposed: ceiling,
      reason: `${name} has no live value: listing it at ${fmt(ceiling)}, ${why}, needs a governance vote; the target ${fmt(step.target ?? asked)} waits for the ${boundName} to reach its own.`,
    };
  } else {
    const current = step.current;
    const { low, high } = allowedInterval(rule.limit, current);
    const reach = Math.min(current, ceilToResolution(low, rule.resolution));
    let value = Math.max(ceiling, reach);
    if (value >= boundValue) value = ceiling;
    if (value >= asked) return [...steps];
    const withinLimit = value >= low && value <= high;
    const verb = value < current ? 'tightens' : value > current ? 'loosens' : 'stays';
    const moved = value === current ? `stays at ${fmt(current)}` : `${verb} from ${fmt(current)} to ${fmt(value)}`;
    const rest = !withinLimit
      ? `; beyond the ${formatLimit(rule.limit, rule.unit)} per-update limit, so it needs a governance vote`
      : value > ceiling
        ? `; the rest needs a governance vote, one update moves it at most ${formatLimit(rule.limit, rule.unit)}`
        : '';
    next = {
      ...step,
      proposed: value,
      status: !withinLimit || value > ceiling || step.status === 'bounded-needs-vote' ? 'bounded-needs-vote' : 'within-bounds',
      reason: `${name} ${moved} to stay ${why}${rest}.`,
    };
  }
  return steps.map((s, i) => (i === index ? next : s));
}
