/**
 * The parameter catalogue: every fact about a recommended parameter, written once. The guard rails
 * (risk/guardrails/rules.ts), the proposal and webhook (governance/), the CLI table (local/report.ts) and
 * the dashboard read their names, units, directions and steward bounds from here and keep no list of
 * their own. Plain data without zod, so the dashboard bundle imports it as it is.
 */

/** How a parameter is stored: basis points, USD, or a leverage multiple (a proposal's ParameterChange.unit). */
export const PARAMETER_UNITS = ['bps', 'usd', 'x'] as const;
export type ParameterUnit = (typeof PARAMETER_UNITS)[number];

export type ProfileKind = 'lending' | 'perp';

/** The shape of a per-update bound (risk/guardrails ChangeLimit): ± a step, ± a share, or ×/÷ a factor. */
export type ChangeLimitKind = 'absolute' | 'relative' | 'factor';

/** Guard-rail knobs of a lending profile (risk/guardrails LendingRuleKnobs) that size a bound. */
export type LendingStewardKnob = 'maxStepBps' | 'capMaxChangeShare' | 'hysteresisBps' | 'capHysteresisShare' | 'stressTightenBps' | 'capStressCutShare';
/** Guard-rail knobs of a perp profile (risk/guardrails PerpRuleKnobs) that size a bound. */
export type PerpStewardKnob =
  | 'maintenanceMarginMaxStepBps'
  | 'leverageMaxFactor'
  | 'hysteresisBps'
  | 'leverageHysteresisShare'
  | 'stressTightenBps'
  | 'leverageStressCutShare';

/** One bound of a steered parameter: its shape and the knob that sizes it. */
export interface StewardBound<Knob extends string> {
  kind: ChangeLimitKind;
  knob: Knob;
  /** A 'factor' bound sized by a share knob s: the factor is 1 + s (caps: up +s, down to / (1 + s)). */
  factorOfShare?: true;
}

/** The bounds a risk steward moves a parameter within (docs/methodology.md#guard-rails). */
export interface StewardBounds<Knob extends string> {
  /** Per-update change limit. */
  limit: StewardBound<Knob>;
  /** Moves strictly inside this are too small to propose. */
  hysteresis: StewardBound<Knob>;
  /** A tightening reaching this far skips hysteresis and the minimum delay; a null knob value = no fast path. */
  stressTighten: StewardBound<Knob>;
}

/** What every rendering needs to name, print and judge one recommended figure. */
export interface ParameterFacts {
  /** Key in a recommendation: in `parameters` / `current` / `target` and `steps`, or a perp schedule field. */
  key: string;
  kind: ProfileKind;
  /** Name in proposals, webhooks and guard-rail reasons ('Liquidation threshold'). */
  label: string;
  /** Long name: the dashboard's tooltip, heading or figure name ('Loan-to-value'). */
  title: string;
  unit: ParameterUnit;
  /** True when a higher value means more risk taken (a loosening). */
  higherIsLooser: boolean;
}

/** A parameter the guard rails steer: one step per recommendation, within steward bounds. */
export interface SteeredParameter<Knob extends string> extends ParameterFacts {
  /** Dashboard column header ('LT'). */
  shortLabel: string;
  /** CLI table column header ('Liq. threshold'). */
  terminalLabel: string;
  /** Smallest step the protocol stores (1 bps, $1, 1x): a bounded step rounds to it. */
  resolution: number;
  /** False when a steward update may not set it to 0 (Aave: LTV, LT, bonus, caps). */
  stewardMayZero: boolean;
  /** The parameter whose rationale explains this one too (the borrow cap is a share of the supply cap). */
  rationaleFrom?: string;
  /** Null: no bounds of its own, its step follows another parameter's (perp initial margin, docs/decisions.md 10). */
  steward: StewardBounds<Knob> | null;
}

const LTV_LT_BONUS_BOUNDS: StewardBounds<LendingStewardKnob> = {
  limit: { kind: 'absolute', knob: 'maxStepBps' },
  hysteresis: { kind: 'absolute', knob: 'hysteresisBps' },
  stressTighten: { kind: 'absolute', knob: 'stressTightenBps' },
};

const CAP_BOUNDS: StewardBounds<LendingStewardKnob> = {
  // issue 14: a factor, not a share: up to x(1 + capMaxChangeShare) (+100 % on Aave) but down to
  // /(1 + capMaxChangeShare) at most (-50 %), so a deeper cut is a governance vote, never "within steward bounds".
  limit: { kind: 'factor', knob: 'capMaxChangeShare', factorOfShare: true },
  hysteresis: { kind: 'relative', knob: 'capHysteresisShare' },
  stressTighten: { kind: 'relative', knob: 'capStressCutShare' },
};

/** Every steered lending parameter, in guard-rail (step) order. */
export const LENDING_PARAMETERS = [
  {
    key: 'ltvBps',
    kind: 'lending',
    label: 'LTV',
    title: 'Loan-to-value',
    shortLabel: 'LTV',
    terminalLabel: 'LTV',
    unit: 'bps',
    higherIsLooser: true,
    resolution: 1,
    stewardMayZero: false,
    steward: LTV_LT_BONUS_BOUNDS,
  },
  {
    key: 'liquidationThresholdBps',
    kind: 'lending',
    label: 'Liquidation threshold',
    title: 'Liquidation threshold',
    shortLabel: 'LT',
    terminalLabel: 'Liq. threshold',
    unit: 'bps',
    higherIsLooser: true,
    resolution: 1,
    stewardMayZero: false,
    steward: LTV_LT_BONUS_BOUNDS,
  },
  {
    key: 'liquidationBonusBps',
    kind: 'lending',
    label: 'Liquidation bonus',
    title: 'Liquidation bonus',
    shortLabel: 'Bonus',
    terminalLabel: 'Liq. bonus',
    unit: 'bps',
    // A higher bonus pays liquidators more: safer for the protocol, so higher is tighter.
    higherIsLooser: false,
    resolution: 1,
    stewardMayZero: false,
    steward: LTV_LT_BONUS_BOUNDS,
  },
  {
    key: 'supplyCapUsd',
    kind: 'lending',
    label: 'Supply cap',
    title: 'Supply cap',
    shortLabel: 'Supply cap',
    terminalLabel: 'Supply cap',
    unit: 'usd',
    higherIsLooser: true,
    resolution: 1,
    stewardMayZero: false,
    steward: CAP_BOUNDS,
  },
  {
    key: 'borrowCapUsd',
    kind: 'lending',
    label: 'Borrow cap',
    title: 'Borrow cap',
    shortLabel: 'Borrow cap',
    terminalLabel: 'Borrow cap',
    unit: 'usd',
    higherIsLooser: true,
    resolution: 1,
    stewardMayZero: false,
    rationaleFrom: 'supplyCapUsd',
    steward: CAP_BOUNDS,
  },
] as const satisfies readonly SteeredParameter<LendingStewardKnob>[];

/** Every steered perp parameter (the smallest tier's), in guard-rail (step) order. */
export const PERP_PARAMETERS = [
  {
    key: 'maintenanceMarginBps',
    kind: 'perp',
    label: 'Maintenance margin',
    title: 'Maintenance margin (smallest tier)',
    shortLabel: 'Maint. margin',
    terminalLabel: 'Maint. margin',
    unit: 'bps',
    // A higher margin liquidates earlier and allows less leverage: higher is tighter.
    higherIsLooser: false,
    resolution: 1,
    // A zero margin removes the liquidation buffer.
    stewardMayZero: false,
    steward: {
      limit: { kind: 'absolute', knob: 'maintenanceMarginMaxStepBps' },
      hysteresis: { kind: 'absolute', knob: 'hysteresisBps' },
      stressTighten: { kind: 'absolute', knob: 'stressTightenBps' },
    },
  },
  {
    key: 'initialMarginBps',
    kind: 'perp',
    label: 'Initial margin',
    title: 'Initial margin (smallest tier)',
    shortLabel: 'Init. margin',
    terminalLabel: 'Init. margin',
    unit: 'bps',
    higherIsLooser: false,
    resolution: 1,
    stewardMayZero: false,
    // 1 / max leverage: its step follows the (tier-snapped) leverage step, so it has no bounds of its own.
    steward: null,
  },
  {
    key: 'maxLeverage',
    kind: 'perp',
    label: 'Max leverage',
    title: 'Max leverage (smallest tier)',
    shortLabel: 'Max lev.',
    terminalLabel: 'Max leverage',
    unit: 'x',
    higherIsLooser: true,
    resolution: 1,
    // 0 means delisted / reduce-only: a listing decision, not a steward step.
    stewardMayZero: false,
    steward: {
      limit: { kind: 'factor', knob: 'leverageMaxFactor' },
      hysteresis: { kind: 'relative', knob: 'leverageHysteresisShare' },
      stressTighten: { kind: 'relative', knob: 'leverageStressCutShare' },
    },
  },
] as const satisfies readonly SteeredParameter<PerpStewardKnob>[];

export type LendingParameterKey = (typeof LENDING_PARAMETERS)[number]['key'];
export type PerpParameterKey = (typeof PERP_PARAMETERS)[number]['key'];
export type SteeredParameterKey = LendingParameterKey | PerpParameterKey;

/**
 * Perp figures recommended beside the margin schedule and reported, not steered: no steward step moves
 * them (only a vote sets them). Keys are the recommendation's own field names.
 */
export const PERP_SCHEDULE_FIGURES = [
  // Paid by the liquidated trader to the liquidator and the fund, like a lending bonus: higher is tighter.
  { key: 'liquidationPenaltyBps', kind: 'perp', label: 'Liquidation penalty', title: 'Liquidation penalty', unit: 'bps', higherIsLooser: false },
  // `openInterest.lowerCapUsd` / `upperCapUsd`: more open interest allowed is more risk.
  { key: 'openInterest', kind: 'perp', label: 'OI caps', title: 'Open-interest caps', unit: 'usd', higherIsLooser: true },
  // A larger fund absorbs more bad debt: higher is tighter.
  { key: 'insuranceFundTargetUsd', kind: 'perp', label: 'Insurance fund target', title: 'Insurance-fund target', unit: 'usd', higherIsLooser: false },
] as const satisfies readonly ParameterFacts[];

export type ScheduleFigureKey = (typeof PERP_SCHEDULE_FIGURES)[number]['key'];
export type ParameterKey = SteeredParameterKey | ScheduleFigureKey;

/** Every catalogue entry by key. */
export const PARAMETERS: Readonly<Record<ParameterKey, ParameterFacts>> = Object.fromEntries(
  [...LENDING_PARAMETERS, ...PERP_PARAMETERS, ...PERP_SCHEDULE_FIGURES].map((facts) => [facts.key, facts]),
) as Record<ParameterKey, ParameterFacts>;

export type AnySteeredParameter = (typeof LENDING_PARAMETERS)[number] | (typeof PERP_PARAMETERS)[number];

const STEERED_BY_KEY: Readonly<Record<string, AnySteeredParameter>> = Object.fromEntries([...LENDING_PARAMETERS, ...PERP_PARAMETERS].map((facts) => [facts.key, facts]));

/** The steered entry of a key (with its labels, resolution and steward bounds), or null. */
export function steeredParameter(key: string): AnySteeredParameter | null {
  return Object.prototype.hasOwnProperty.call(STEERED_BY_KEY, key) ? STEERED_BY_KEY[key]! : null;
}

/** The parameter whose rationale explains this one too (borrowCapUsd -> supplyCapUsd), or null. */
export function rationaleFromOf(key: string): string | null {
  const facts = steeredParameter(key);
  return facts && 'rationaleFrom' in facts ? facts.rationaleFrom : null;
}

/** The entry of a key, or null for a key the catalogue does not know (a stored item from elsewhere). */
export function parameterFacts(key: string): ParameterFacts | null {
  return Object.prototype.hasOwnProperty.call(PARAMETERS, key) ? PARAMETERS[key as ParameterKey] : null;
}

/** A key's unit; an unknown key is taken for basis points (the unit of most parameters). */
export function unitOf(key: string): ParameterUnit {
  return parameterFacts(key)?.unit ?? 'bps';
}

/** A key's name in proposals and reasons; an unknown key as sent. */
export function labelOf(key: string): string {
  return parameterFacts(key)?.label ?? key;
}

/** True when a higher value of the key means more risk; false for unknown keys. */
export function higherIsLooser(key: string): boolean {
  return parameterFacts(key)?.higherIsLooser ?? false;
}
