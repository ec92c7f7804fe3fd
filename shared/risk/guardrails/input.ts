import type { StepStatus } from '../../model/step-status.js';
import { AdvisorError } from '../../util/errors.js';
import { limitProblems } from './intervals.js';
import type { ParameterRule } from './rules.js';

/** What the guard rails take in (one asset's targets against its live values) and give out (one step per parameter). */

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
  /**
   * Evidence a parameter's own move needs, besides `evidence` (issue 14: the caps need books and volume that
   * cover the market). When it is weak the parameter is held (`held-weak-evidence`) in either direction,
   * a stress cut included: thin evidence neither cuts nor loosens.
   */
  evidenceByParameter?: Readonly<Record<string, Evidence>>;
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

/** Refuses inconsistent input with every problem at once. */
export function validate(input: GuardRailInput): void {
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
