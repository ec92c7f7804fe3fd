import { GUARD_RAIL_DEFAULTS } from '../config/defaults.js';
import { AdvisorError } from '../util/errors.js';
import { formatNumber, formatUsd } from './format.js';

/**
 * Guard rails between an unconstrained recommendation and what may be proposed without a governance
 * vote (METHODOLOGY.md "Guard rails"), in the style of Aave v3.1's RiskSteward (REFERENCES.md section 2):
 * a per-update change limit and a minimum delay per parameter, no zeroing by a steward, plus the
 * advisor's own hysteresis, evidence rule and manual freeze. Parameter-agnostic and pure: time comes
 * in as `nowMs`.
 *
 * Every step keeps the unconstrained target next to the bounded proposal, so a change the bounds cannot
 * reach in one update is labelled "needs a governance vote" instead of being silently clipped.
 */

/**
 * How far a value may move from `current`, as a closed interval around it:
 * - `absolute`: current ± maxStep, in the parameter's own unit (Aave: LTV/LT/bonus ±50 bps);
 * - `relative`: current ± maxShare × |current| (Aave: caps ±100 %, debt ceiling ±20 %); from 0 nothing moves,
 *   as in Aave's `_updateWithinAllowedRange`;
 * - `factor`: between current ÷ maxFactor and current × maxFactor (maxFactor ≥ 1; 2 = "halve or double"),
 *   symmetric in log space, which suits multiplicative quantities such as leverage.
 */
export type ChangeLimit =
  | { kind: 'absolute'; maxStep: number }
  | { kind: 'relative'; maxShare: number }
  | { kind: 'factor'; maxFactor: number };

/** Display unit of a parameter, for the reason sentences (same values as a proposal's ParameterChange.unit). */
export type ParameterUnit = 'bps' | 'usd' | 'x';

export interface ParameterRule {
  /** Key in `target` / `current`, e.g. 'liquidationThresholdBps', 'supplyCapUsd', 'maxLeverage'. */
  parameter: string;
  /** Per-update bound: a step never leaves this interval around the current value. */
  limit: ChangeLimit;
  /** Minimum time since this parameter last changed before it may change again (Aave: 3 days). */
  minDelayMs: number;
  /** Moves strictly inside this interval around the current value are too small to propose. */
  hysteresis: ChangeLimit;
  /**
   * Fast tighten path: a tightening that reaches at least this far (the boundary of this interval or
   * beyond) skips hysteresis and the minimum delay. Undefined = no fast path.
   */
  stressTighten?: ChangeLimit;
  /** True when a higher value means more risk (LTV, LT, caps, max leverage); false for bonus and margins. */
  higherIsLooser: boolean;
  /** False when a steward update may not set the parameter to 0 (Aave: LTV, LT, bonus, caps, debt ceiling). */
  stewardMayZero: boolean;
  /**
   * Smallest step the protocol stores (1 bps, $1, 1x). A step cut by the limit is rounded toward the
   * current value to a multiple of it, and a step that may not reach 0 stops this far from 0.
   */
  resolution: number;
  unit?: ParameterUnit;
  /** How the reason sentences name it for governance readers ('Liquidation threshold'); default `parameter`. */
  label?: string;
}

export interface Evidence {
  /** False when data are stale, venues are missing or quality checks failed: then only tightening is allowed. */
  strong: boolean;
  /** Why the evidence is weak (shown in the reason of every held loosening). */
  reasons: readonly string[];
}

export interface GuardRailInput {
  rules: readonly ParameterRule[];
  /** Unconstrained recommendation: one finite value per rule, and no parameter without a rule. */
  target: Readonly<Record<string, number>>;
  /** Last accepted parameters; null = not listed yet (every parameter needs a vote). */
  current: Readonly<Record<string, number>> | null;
  /** When each parameter last changed; undefined = never (no delay applies, as Aave's lastUpdated 0). */
  lastChangedAtMs: Readonly<Record<string, number | undefined>>;
  nowMs: number;
  evidence: Evidence;
  /** Manual override: nothing about the asset changes automatically. */
  frozen: boolean;
  /**
   * Parameters whose inputs are absent, with the input and since when: each is held at its current value
   * (status `no-data`, no target; its `target` entry may be NaN). Absence is not evidence, so nothing is cut.
   */
  missing?: Readonly<Record<string, MissingInput>>;
}

/** An absent input: its name (`order book`, `candles 5m`) and the last time it was good (null: none stored). */
export interface MissingInput {
  input: string;
  sinceMs: number | null;
  /** The input exists but is older than the policy allows (freshness.ts): stale counts as missing. */
  stale?: boolean;
}

export const STEP_STATUSES = [
  'unchanged',
  'within-bounds',
  'bounded-needs-vote',
  'held-hysteresis',
  'held-min-delay',
  'held-weak-evidence',
  'frozen',
  'new-listing-needs-vote',
  'no-data',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** Statuses whose proposal is the current value by construction. */
export const HELD_STATUSES: readonly StepStatus[] = ['unchanged', 'held-hysteresis', 'held-min-delay', 'held-weak-evidence', 'frozen', 'no-data'];

export interface ParameterStep {
  parameter: string;
  /** Live value; null when the parameter (or the whole asset) is not listed yet. */
  current: number | null;
  /** Unconstrained recommendation, always kept visible; null only when an input is missing (`no-data`). */
  target: number | null;
  /**
   * What may be proposed now without a vote: equals `current` when held, `target` when within bounds,
   * the bounded step when bounded. Null when there is no current value and the target is the listing
   * value; a coupling (keepBelow) sets it when the listing must stay below another parameter.
   */
  proposed: number | null;
  status: StepStatus;
  /** Direction of the target from the current value (what the recommendation wants), also for held steps. */
  direction: 'tighten' | 'loosen' | 'none';
  /** True when the tightening reached the rule's stress line and so skipped hysteresis and the minimum delay. */
  stress: boolean;
  /** One human sentence. */
  reason: string;
  /** With status `no-data`: the missing input and since when. */
  missingInput?: MissingInput;
}

/** Every problem with the input, so a bad profile is fixed in one go. */
export class GuardRailInputError extends AdvisorError {
  constructor(readonly problems: readonly string[]) {
    super('GUARD_RAIL_INPUT', `invalid guard-rail input:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { problems });
  }
}

const DAY_MS = 86_400_000;

/**
 * Aave v3.1 RiskSteward production config (REFERENCES.md section 2: aave-dao/aave-v3-risk-stewards,
 * DeployStewards.s.sol): the defaults of the rule factories below.
 */
export const AAVE_STEWARD_DEFAULTS = {
  /** LTV, LT and liquidation bonus: ±0.5 pp absolute per update. */
  ltvLtBonusMaxStepBps: 50,
  /** Supply and borrow caps: ±100 % of the current cap per update. */
  capMaxShare: 1,
  /** Debt ceiling: ±20 % per update (no lending parameter here has one yet; kept for profiles that add it). */
  debtCeilingMaxShare: 0.2,
  /** Every parameter: at least 3 days between two updates. */
  minDelayMs: 3 * DAY_MS,
} as const;

// ---------------------------------------------------------------------------------------------------
// Intervals

interface Interval {
  low: number;
  high: number;
}

/** The closed interval a limit allows around `current`. */
export function allowedInterval(limit: ChangeLimit, current: number): Interval {
  switch (limit.kind) {
    case 'absolute':
      return { low: current - limit.maxStep, high: current + limit.maxStep };
    case 'relative': {
      const span = limit.maxShare * Math.abs(current);
      return { low: current - span, high: current + span };
    }
    case 'factor': {
      const a = current / limit.maxFactor;
      const b = current * limit.maxFactor;
      return { low: Math.min(a, b), high: Math.max(a, b) };
    }
  }
}

function strictlyInside(limit: ChangeLimit, current: number, value: number): boolean {
  const { low, high } = allowedInterval(limit, current);
  return value > low && value < high;
}

function limitProblems(limit: ChangeLimit, where: string): string[] {
  switch (limit.kind) {
    case 'absolute':
      return Number.isFinite(limit.maxStep) && limit.maxStep >= 0 ? [] : [`${where}: maxStep must be a finite number >= 0 (got ${limit.maxStep})`];
    case 'relative':
      return Number.isFinite(limit.maxShare) && limit.maxShare >= 0 ? [] : [`${where}: maxShare must be a finite number >= 0 (got ${limit.maxShare})`];
    case 'factor':
      return Number.isFinite(limit.maxFactor) && limit.maxFactor >= 1 ? [] : [`${where}: maxFactor must be a finite number >= 1 (got ${limit.maxFactor})`];
    default:
      return [`${where}: unknown limit kind ${(limit as { kind: unknown }).kind}`];
  }
}

function validate(input: GuardRailInput): void {
  const problems: string[] = [];
  if (!Number.isFinite(input.nowMs)) problems.push(`nowMs must be finite (got ${input.nowMs})`);
  const seen = new Set<string>();
  for (const rule of input.rules) {
    const p = rule.parameter;
    if (seen.has(p)) problems.push(`${p}: more than one rule`);
    seen.add(p);
    problems.push(...limitProblems(rule.limit, `${p}.limit`), ...limitProblems(rule.hysteresis, `${p}.hysteresis`));
    if (rule.stressTighten) problems.push(...limitProblems(rule.stressTighten, `${p}.stressTighten`));
    if (!(Number.isFinite(rule.minDelayMs) && rule.minDelayMs >= 0)) problems.push(`${p}: minDelayMs must be a finite number >= 0`);
    if (!(Number.isFinite(rule.resolution) && rule.resolution > 0)) problems.push(`${p}: resolution must be a finite number > 0`);
    const target = input.target[p];
    if (input.missing?.[p]) continue;
    if (target === undefined || !Number.isFinite(target)) problems.push(`${p}: target must be a finite number (got ${target})`);
    const current = input.current?.[p];
    if (current !== undefined && !Number.isFinite(current)) problems.push(`${p}: current must be finite (got ${current})`);
    const last = input.lastChangedAtMs[p];
    if (last !== undefined && !Number.isFinite(last)) problems.push(`${p}: lastChangedAtMs must be finite (got ${last})`);
  }
  // A target without a rule would escape every guard rail: refuse rather than pass it through.
  for (const p of Object.keys(input.target)) if (!seen.has(p)) problems.push(`${p}: target has no guard-rail rule`);
  if (problems.length > 0) throw new GuardRailInputError(problems);
}

// ---------------------------------------------------------------------------------------------------
// Wording

function formatValue(value: number, unit: ParameterUnit | undefined): string {
  const plain = formatNumber(value, 4);
  if (unit === 'usd') return formatUsd(value);
  if (unit === 'bps') return `${plain} bps`;
  if (unit === 'x') return `${plain}x`;
  return plain;
}

function formatLimit(limit: ChangeLimit, unit: ParameterUnit | undefined): string {
  switch (limit.kind) {
    case 'absolute':
      return `±${formatValue(limit.maxStep, unit)}`;
    case 'relative':
      return `±${formatNumber(limit.maxShare * 100, 2)} %`;
    case 'factor':
      return `×/÷${formatNumber(limit.maxFactor, 4)}`;
  }
}

function formatDuration(ms: number): string {
  if (ms < DAY_MS) return `${formatNumber(ms / 3_600_000, 1)} h`;
  const days = formatNumber(ms / DAY_MS, 1);
  return `${days} ${days === '1' ? 'day' : 'days'}`;
}

// ---------------------------------------------------------------------------------------------------
// Steps

/**
 * Rounds a step cut by the limit toward `current` to a multiple of `resolution`, never past `current`
 * nor past the unrounded step (guards against floating-point rounding outward).
 */
function roundTowardCurrent(value: number, current: number, resolution: number): number {
  if (value > current) return Math.max(current, Math.min(value, Math.floor(value / resolution) * resolution));
  if (value < current) return Math.min(current, Math.max(value, Math.ceil(value / resolution) * resolution));
  return value;
}

function sinceText(sinceMs: number | null): string {
  return sinceMs === null ? 'none stored' : `last good ${new Date(sinceMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

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

/** Up to a multiple of the resolution: the lowest value a limit's low end lets through. */
function ceilToResolution(value: number, resolution: number): number {
  return Math.ceil(value / resolution - 1e-9) * resolution;
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

// ---------------------------------------------------------------------------------------------------
// Default rule sets. recommend.ts passes every knob from the profile; an absent knob takes its config
// default (GUARD_RAIL_DEFAULTS in shared/config/defaults.ts, or the Aave steward value above).

export interface LendingRuleKnobs {
  /** Per-update step of LTV, LT and bonus (Aave: 50 bps). */
  ltvLtBonusMaxStepBps?: number;
  /** Per-update relative change of supply and borrow caps (Aave: 1 = ±100 %). */
  capMaxShare?: number;
  minDelayMs?: number;
  /** Profile hysteresis for the bps parameters (ProtocolProfile.hysteresisBps). */
  hysteresisBps: number;
  /** Caps move only by at least this share (0.1, as governance/changes.ts: caps are orders of magnitude). */
  capHysteresisShare?: number;
  /**
   * LTV/LT cut or bonus rise at least this large skips hysteresis and the delay. Default 200 bps = four
   * steward steps: a gap that would take 12 days to close at the 3-day cadence. null = no fast path.
   */
  stressTightenBps?: number | null;
  /** Cap cut of at least this share takes the fast path (0.5: the live cap is at least twice the target). null = none. */
  capStressCutShare?: number | null;
}

/** Rules for ltvBps, liquidationThresholdBps, liquidationBonusBps, supplyCapUsd and borrowCapUsd. */
export function lendingRules(knobs: LendingRuleKnobs): ParameterRule[] {
  const {
    ltvLtBonusMaxStepBps = AAVE_STEWARD_DEFAULTS.ltvLtBonusMaxStepBps,
    capMaxShare = AAVE_STEWARD_DEFAULTS.capMaxShare,
    minDelayMs = AAVE_STEWARD_DEFAULTS.minDelayMs,
    hysteresisBps,
    capHysteresisShare = GUARD_RAIL_DEFAULTS.capHysteresisShare,
    stressTightenBps = GUARD_RAIL_DEFAULTS.stressTightenBps,
    capStressCutShare = GUARD_RAIL_DEFAULTS.capStressCutShare,
  } = knobs;
  const bpsRule = (parameter: string, label: string, higherIsLooser: boolean): ParameterRule => ({
    parameter,
    label,
    limit: { kind: 'absolute', maxStep: ltvLtBonusMaxStepBps },
    minDelayMs,
    hysteresis: { kind: 'absolute', maxStep: hysteresisBps },
    ...(stressTightenBps !== null ? { stressTighten: { kind: 'absolute', maxStep: stressTightenBps } } : {}),
    higherIsLooser,
    stewardMayZero: false,
    resolution: 1,
    unit: 'bps',
  });
  const capRule = (parameter: string, label: string): ParameterRule => ({
    parameter,
    label,
    // issue 14 hook: a factor, not a share: up to x(1 + capMaxShare) (+100 % on Aave) but down to /(1 + capMaxShare)
    // at most (-50 %), so a deeper cut is a governance vote, never "within steward bounds".
    limit: { kind: 'factor', maxFactor: 1 + capMaxShare },
    minDelayMs,
    hysteresis: { kind: 'relative', maxShare: capHysteresisShare },
    ...(capStressCutShare !== null ? { stressTighten: { kind: 'relative', maxShare: capStressCutShare } } : {}),
    higherIsLooser: true,
    stewardMayZero: false,
    resolution: 1,
    unit: 'usd',
  });
  return [
    bpsRule('ltvBps', 'LTV', true),
    bpsRule('liquidationThresholdBps', 'Liquidation threshold', true),
    // A higher bonus pays liquidators more: safer for the protocol, so higher is tighter.
    bpsRule('liquidationBonusBps', 'Liquidation bonus', false),
    capRule('supplyCapUsd', 'Supply cap'),
    capRule('borrowCapUsd', 'Borrow cap'),
  ];
}

export interface PerpRuleKnobs {
  /**
   * Per-update step of the maintenance margin. Default 50 bps: the MM is the perp analogue of 1 − LT
   * (the equity buffer at liquidation), which Aave's steward moves by at most 0.5 pp.
   */
  maintenanceMarginMaxStepBps?: number;
  /** Default 100 bps = m × the MM step with the default m = 2 (IM = m × MM), so IM keeps pace with MM. */
  initialMarginMaxStepBps?: number;
  /**
   * Max leverage may be divided or multiplied by at most this. Default 2 (halve or double): one tier per
   * update on the default tiers (10/20/25/40/50), and the ×0.5–×2 of REFERENCES.md design implication 2.
   */
  leverageMaxFactor?: number;
  minDelayMs?: number;
  /** Profile hysteresis for the margins (ProtocolProfile.hysteresisBps). */
  hysteresisBps: number;
  /** Leverage moves by less than this share are not proposed (0.1; tier moves are all ≥ 25 %). */
  leverageHysteresisShare?: number;
  /** MM rise of at least this takes the fast path (default 200 bps = four MM steps). null = none. */
  maintenanceStressTightenBps?: number | null;
  /** IM rise of at least this takes the fast path (default 400 bps = four IM steps). null = none. */
  initialStressTightenBps?: number | null;
  /** Leverage cut of at least this share takes the fast path (0.5: halving or more). null = none. */
  leverageStressCutShare?: number | null;
}

/** Rules for maintenanceMarginBps, initialMarginBps and maxLeverage. */
export function perpRules(knobs: PerpRuleKnobs): ParameterRule[] {
  const {
    maintenanceMarginMaxStepBps = GUARD_RAIL_DEFAULTS.maintenanceMarginMaxStepBps,
    initialMarginMaxStepBps = GUARD_RAIL_DEFAULTS.initialMarginMaxStepBps,
    leverageMaxFactor = GUARD_RAIL_DEFAULTS.leverageMaxFactor,
    minDelayMs = AAVE_STEWARD_DEFAULTS.minDelayMs,
    hysteresisBps,
    leverageHysteresisShare = GUARD_RAIL_DEFAULTS.leverageHysteresisShare,
    maintenanceStressTightenBps = GUARD_RAIL_DEFAULTS.maintenanceStressTightenBps,
    initialStressTightenBps = GUARD_RAIL_DEFAULTS.initialStressTightenBps,
    leverageStressCutShare = GUARD_RAIL_DEFAULTS.leverageStressCutShare,
  } = knobs;
  const marginRule = (parameter: string, label: string, maxStepBps: number, stressBps: number | null): ParameterRule => ({
    parameter,
    label,
    limit: { kind: 'absolute', maxStep: maxStepBps },
    minDelayMs,
    hysteresis: { kind: 'absolute', maxStep: hysteresisBps },
    ...(stressBps !== null ? { stressTighten: { kind: 'absolute', maxStep: stressBps } } : {}),
    // A higher margin liquidates earlier and allows less leverage: higher is tighter.
    higherIsLooser: false,
    // A zero margin removes the liquidation buffer.
    stewardMayZero: false,
    resolution: 1,
    unit: 'bps',
  });
  return [
    marginRule('maintenanceMarginBps', 'Maintenance margin', maintenanceMarginMaxStepBps, maintenanceStressTightenBps),
    marginRule('initialMarginBps', 'Initial margin', initialMarginMaxStepBps, initialStressTightenBps),
    {
      parameter: 'maxLeverage',
      label: 'Max leverage',
      limit: { kind: 'factor', maxFactor: leverageMaxFactor },
      minDelayMs,
      hysteresis: { kind: 'relative', maxShare: leverageHysteresisShare },
      ...(leverageStressCutShare !== null ? { stressTighten: { kind: 'relative', maxShare: leverageStressCutShare } } : {}),
      higherIsLooser: true,
      // 0 means delisted / reduce-only: a listing decision, not a steward step.
      stewardMayZero: false,
      resolution: 1,
      unit: 'x',
    },
  ];
}
