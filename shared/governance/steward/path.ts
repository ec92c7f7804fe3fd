import type { LendingProfile } from '../../config/schema.js';
import type { StewardConfig, StewardParamConfig } from '../../config/steward.js';
import type { ParameterChange } from '../../model/proposal.js';
import type { StewardPath } from '../../model/steward.js';
import { allowedInterval, roundTowardCurrent } from '../../risk/guardrails/intervals.js';
import type { ParameterRule } from '../../risk/guardrails/rules.js';
import { rulesOf } from '../../risk/engine/rules.js';
import { MS_PER_DAY } from '../../util/time.js';
import { BPS_PER_UNIT } from '../../util/units.js';

/**
 * The steward path (issue 16): for each target beyond one bounded step, the dated sequence of bounded steps that
 * reaches it. Each step moves as far as both the profile's guard rail (the rule the proposal's step came from) and
 * the steward's own bound allow, rounded toward the value it starts from like the guard rails' step; steps are the
 * larger of the two minimum delays apart, the first at the payload's `executableFromMs`. A path is compared with a
 * governance vote started now (steward.governanceVoteDays). Pure: time comes in as `nowMs`.
 */

/** Far more steps than any real path (a cap doubling from $1 to $1T takes 40); a guard against a rule that stalls. */
const MAX_STEPS = 200;

const STEWARD_CONFIG_OF: Record<string, keyof StewardConfig['riskConfig']> = {
  ltvBps: 'ltv',
  liquidationThresholdBps: 'liquidationThreshold',
  liquidationBonusBps: 'liquidationBonus',
  supplyCapUsd: 'supplyCap',
  borrowCapUsd: 'borrowCap',
};
const RELATIVE: ReadonlySet<string> = new Set(['supplyCapUsd', 'borrowCapUsd']);

/** Milliseconds between two updates of a parameter: the larger of the profile's and the steward's minimum delay. */
export function delayMsOf(profile: Pick<LendingProfile, 'minDelayDays'>, config: StewardParamConfig): number {
  return Math.max(profile.minDelayDays, config.minDelayDays) * MS_PER_DAY;
}

/**
 * The earliest time the batch of these assets goes through: now, or the last update of any of them plus the longest
 * minimum delay (one batch executes every call at once, so the latest asset decides).
 */
export function executableFromMs(profile: Pick<LendingProfile, 'minDelayDays' | 'currentUpdatedAt'>, steward: StewardConfig, assets: readonly string[], nowMs: number): number {
  const delayMs = Math.max(...Object.values(steward.riskConfig).map((c) => delayMsOf(profile, c)));
  let at = nowMs;
  for (const asset of assets) {
    const iso = profile.currentUpdatedAt[asset];
    if (iso) at = Math.max(at, Date.parse(iso) + delayMs);
  }
  return at;
}

/** One bounded step from `from` toward `target`; equal to `from` when no step is possible. */
export function stepToward(rule: ParameterRule, config: StewardParamConfig, relative: boolean, from: number, target: number): number {
  const rail = allowedInterval(rule.limit, from);
  const span = relative ? (config.maxPercentChange * Math.abs(from)) / BPS_PER_UNIT : config.maxPercentChange;
  const low = Math.max(rail.low, from - span);
  const high = Math.min(rail.high, from + span);
  let next = target >= low && target <= high ? target : roundTowardCurrent(Math.min(high, Math.max(low, target)), from, rule.resolution);
  if (next === 0 && !rule.stewardMayZero) next = Math.abs(from) > rule.resolution ? rule.resolution : from;
  return next;
}

export interface PathInput {
  profile: LendingProfile;
  steward: StewardConfig;
  changes: readonly ParameterChange[];
  /** When the first step (the proposal's) can be executed. */
  startMs: number;
  nowMs: number;
}

/** A path per change whose target lies beyond its bounded step, in the order of the changes. */
export function stewardPaths(input: PathInput): StewardPath[] {
  const rules = new Map(rulesOf(input.profile).map((r) => [r.parameter, r]));
  const voteDoneByMs = input.nowMs + input.steward.governanceVoteDays * MS_PER_DAY;
  const paths: StewardPath[] = [];
  for (const change of input.changes) {
    const rule = rules.get(change.parameter);
    const configKey = STEWARD_CONFIG_OF[change.parameter];
    if (!rule || !configKey || change.status !== 'bounded-needs-vote' || change.current === null || change.target === change.recommended) continue;
    if (!input.steward.tokens[change.asset]) continue;
    const config = input.steward.riskConfig[configKey];
    const delayMs = delayMsOf(input.profile, config);
    const steps = [{ value: change.recommended, atMs: input.startMs }];
    let value = change.recommended;
    while (value !== change.target && steps.length < MAX_STEPS) {
      const next = stepToward(rule, config, RELATIVE.has(change.parameter), value, change.target);
      if (next === value) break;
      value = next;
      steps.push({ value, atMs: input.startMs + steps.length * delayMs });
    }
    const tighten = (change.target > change.current) !== rule.higherIsLooser;
    paths.push({
      asset: change.asset,
      parameter: change.parameter,
      unit: change.unit,
      current: change.current,
      target: change.target,
      tighten,
      steps,
      reachable: value === change.target,
      doneByMs: steps[steps.length - 1]!.atMs,
      voteDoneByMs,
    });
  }
  return paths;
}
