/**
 * Guard rails between an unconstrained recommendation and what may be proposed without a governance
 * vote (docs/methodology.md#guard-rails), in the style of Aave v3.1's RiskSteward (docs/methodology.md#ref-aave-stewards):
 * a per-update change limit and a minimum delay per parameter, no zeroing by a steward, plus the
 * advisor's own hysteresis, evidence rule and manual freeze. Parameter-agnostic and pure: time comes
 * in as `nowMs`.
 *
 * Every step keeps the unconstrained target next to the bounded proposal, so a change the bounds cannot
 * reach in one update is labelled "needs a governance vote" instead of being silently clipped.
 *
 * The public API; the rooms behind it (guardrails/):
 * - rules.ts: the rule of each parameter, built from the catalogue (shared/model/parameters.ts) and knobs;
 * - input.ts: what the rails take in and give out, and its validation;
 * - steps.ts: one parameter through the rails; coupling.ts: LTV kept below LT;
 * - intervals.ts, wording.ts: the interval arithmetic and the reason sentences; summary.ts: the counts.
 */
export { STEP_STATUSES, type StepStatus } from '../model/step-status.js';
export { keepBelow, type CeilingCoupling } from './guardrails/coupling.js';
export { GuardRailInputError, type Evidence, type GuardRailInput, type MissingInput, type ParameterStep } from './guardrails/input.js';
export { allowedInterval } from './guardrails/intervals.js';
export {
  AAVE_STEWARD_DEFAULTS,
  lendingRules,
  perpRules,
  type ChangeLimit,
  type LendingRuleKnobs,
  type ParameterRule,
  type ParameterUnit,
  type PerpRuleKnobs,
} from './guardrails/rules.js';
export { applyGuardRails } from './guardrails/steps.js';
export { HELD_STATUSES, summarize, type GuardRailSummary } from './guardrails/summary.js';
