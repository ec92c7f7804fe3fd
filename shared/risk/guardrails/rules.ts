import { GUARD_RAIL_DEFAULTS } from '../../config/defaults.js';
import {
  LENDING_PARAMETERS,
  PERP_PARAMETERS,
  type ChangeLimitKind,
  type LendingStewardKnob,
  type ParameterUnit,
  type PerpStewardKnob,
  type SteeredParameter,
  type StewardBounds,
} from '../../model/parameters.js';
import { MS_PER_DAY } from '../../util/time.js';

/**
 * The guard-rail rule of each parameter: how far one update may move it, how small a move is not worth
 * proposing, and when a tightening takes the fast path. What the parameter is (name, unit, direction,
 * resolution) and which knob sizes which bound come from the catalogue (shared/model/parameters.ts);
 * the knobs' values from the profile, else the defaults below.
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

/** Display unit of a parameter, for the reason sentences (the catalogue's unit, as a proposal's ParameterChange.unit). */
export type { ParameterUnit };

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

/**
 * Aave v3.1 RiskSteward production config (docs/methodology.md#ref-aave-stewards: aave-dao/aave-v3-risk-stewards,
 * DeployStewards.s.sol): the defaults of the rule factories below.
 */
export const AAVE_STEWARD_DEFAULTS = {
  /** LTV, LT and liquidation bonus: ±0.5 pp absolute per update. */
  maxStepBps: GUARD_RAIL_DEFAULTS.maxStepBps,
  /** Supply and borrow caps: ±100 % of the current cap per update. */
  capMaxChangeShare: GUARD_RAIL_DEFAULTS.capMaxChangeShare,
  /** Debt ceiling: ±20 % per update (no lending parameter here has one yet; kept for profiles that add it). */
  debtCeilingMaxShare: 0.2,
  /** Every parameter: at least 3 days between two updates. */
  minDelayMs: GUARD_RAIL_DEFAULTS.minDelayDays * MS_PER_DAY,
} as const;

// ---------------------------------------------------------------------------------------------------
// Default rule sets. The engine (risk/engine/rules.ts) passes every knob from the profile, under the
// profile's own name; an absent knob takes its config default (GUARD_RAIL_DEFAULTS in shared/config/defaults.ts).

export interface LendingRuleKnobs {
  /** Per-update step of LTV, LT and bonus (Aave: 50 bps). */
  maxStepBps?: number;
  /** Supply and borrow caps move up to x(1 + this) and down to /(1 + this) per update (1: +100 % / -50 %, issue 14). */
  capMaxChangeShare?: number;
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


export interface PerpRuleKnobs {
  /**
   * Per-update step of the maintenance margin. Default 50 bps: the MM is the perp analogue of 1 − LT
   * (the equity buffer at liquidation), which Aave's steward moves by at most 0.5 pp.
   */
  maintenanceMarginMaxStepBps?: number;
  /**
   * Max leverage may be divided or multiplied by at most this. Default 2 (halve or double): one tier per
   * update on the default tiers (10/20/25/40/50), and the ×0.5–×2 of docs/methodology.md#guard-rails.
   */
  leverageMaxFactor?: number;
  minDelayMs?: number;
  /** Profile hysteresis for the margins (ProtocolProfile.hysteresisBps). */
  hysteresisBps: number;
  /** Leverage moves by less than this share are not proposed (0.1; tier moves are all ≥ 25 %). */
  leverageHysteresisShare?: number;
  /** MM rise of at least this takes the fast path (default 200 bps = four MM steps). null = none. */
  stressTightenBps?: number | null;
  /** Leverage cut of at least this share takes the fast path (0.5: halving or more). null = none. */
  leverageStressCutShare?: number | null;
}

/** A bound of the catalogue's shape, sized by its knob's value. */
function changeLimit(kind: ChangeLimitKind, size: number): ChangeLimit {
  switch (kind) {
    case 'absolute':
      return { kind, maxStep: size };
    case 'relative':
      return { kind, maxShare: size };
    case 'factor':
      return { kind, maxFactor: size };
  }
}

/**
 * The rules of the catalogue parameters that have steward bounds, sized by the knobs (a null stress knob: no
 * fast path). A parameter without bounds of its own (perp initial margin) follows another one's step.
 */
function rulesFrom<Knob extends string>(parameters: readonly SteeredParameter<Knob>[], knobs: Readonly<Record<Knob, number | null>>, minDelayMs: number): ParameterRule[] {
  return parameters.flatMap((parameter) => (parameter.steward === null ? [] : [ruleOf(parameter, parameter.steward, knobs, minDelayMs)]));
}

function ruleOf<Knob extends string>(parameter: SteeredParameter<Knob>, bounds: StewardBounds<Knob>, knobs: Readonly<Record<Knob, number | null>>, minDelayMs: number): ParameterRule {
  const { limit, hysteresis, stressTighten } = bounds;
  // Only the fast path may be switched off; the per-update limit and hysteresis are always set.
  const size = (knob: Knob): number => knobs[knob] ?? Number.NaN;
  const stress = knobs[stressTighten.knob];
  const limitSize = limit.factorOfShare ? 1 + size(limit.knob) : size(limit.knob);
  return {
    parameter: parameter.key,
    label: parameter.label,
    limit: changeLimit(limit.kind, limitSize),
    minDelayMs,
    hysteresis: changeLimit(hysteresis.kind, size(hysteresis.knob)),
    ...(stress !== null ? { stressTighten: changeLimit(stressTighten.kind, stress) } : {}),
    higherIsLooser: parameter.higherIsLooser,
    stewardMayZero: parameter.stewardMayZero,
    resolution: parameter.resolution,
    unit: parameter.unit,
  };
}

/** Knob sizes: a knob left undefined takes its default; null stays null (it switches a fast path off). */
function sizesOf<Knob extends string>(defaults: Readonly<Partial<Record<Knob, number | null>>>, knobs: Readonly<Partial<Record<Knob, number | null>>>): Record<Knob, number | null> {
  const defined = Object.entries(knobs).filter(([, value]) => value !== undefined);
  return { ...defaults, ...Object.fromEntries(defined) } as Record<Knob, number | null>;
}

const LENDING_KNOB_DEFAULTS: Readonly<Partial<Record<LendingStewardKnob, number>>> = {
  maxStepBps: AAVE_STEWARD_DEFAULTS.maxStepBps,
  capMaxChangeShare: AAVE_STEWARD_DEFAULTS.capMaxChangeShare,
  capHysteresisShare: GUARD_RAIL_DEFAULTS.capHysteresisShare,
  stressTightenBps: GUARD_RAIL_DEFAULTS.stressTightenBps,
  capStressCutShare: GUARD_RAIL_DEFAULTS.capStressCutShare,
};

const PERP_KNOB_DEFAULTS: Readonly<Partial<Record<PerpStewardKnob, number>>> = {
  maintenanceMarginMaxStepBps: GUARD_RAIL_DEFAULTS.maintenanceMarginMaxStepBps,
  leverageMaxFactor: GUARD_RAIL_DEFAULTS.leverageMaxFactor,
  leverageHysteresisShare: GUARD_RAIL_DEFAULTS.leverageHysteresisShare,
  stressTightenBps: GUARD_RAIL_DEFAULTS.stressTightenBps,
  leverageStressCutShare: GUARD_RAIL_DEFAULTS.leverageStressCutShare,
};

/** Rules for ltvBps, liquidationThresholdBps, liquidationBonusBps, supplyCapUsd and borrowCapUsd, in catalogue order. */
export function lendingRules(knobs: LendingRuleKnobs): ParameterRule[] {
  const { minDelayMs = AAVE_STEWARD_DEFAULTS.minDelayMs, ...sizes } = knobs;
  return rulesFrom<LendingStewardKnob>(LENDING_PARAMETERS, sizesOf(LENDING_KNOB_DEFAULTS, sizes), minDelayMs);
}

/**
 * Rules for maintenanceMarginBps and maxLeverage, in catalogue order. Initial margin has none: it is
 * 1 / max leverage, and its step follows the (tier-snapped) leverage step (docs/decisions.md 10).
 */
export function perpRules(knobs: PerpRuleKnobs): ParameterRule[] {
  const { minDelayMs = AAVE_STEWARD_DEFAULTS.minDelayMs, ...sizes } = knobs;
  return rulesFrom<PerpStewardKnob>(PERP_PARAMETERS, sizesOf(PERP_KNOB_DEFAULTS, sizes), minDelayMs);
}
