import { AdvisorError } from '../util/errors.js';

/**
 * Risk DAO / B.Protocol SmartLTV, kept beside our LTV as a cross-check (docs/methodology.md#smartltv
 * and #ref-smartltv):
 *   LTV = exp(-c * sigma * sqrt(debtCap / liquidity)) - bonus
 * sigma: daily Parkinson volatility (textbook form, not their pipeline's ln((H/L)^2) variant);
 * liquidity: USD sellable with slippage <= the bonus; debtCap: the cap, USD; c: risk appetite
 * (confidence; their fuzz range 0.1-5).
 */

/** A SmartLTV input outside its domain (negative or non-finite). */
export class SmartLtvInputError extends AdvisorError {
  constructor(parameter: string, value: unknown) {
    super('INVALID_SMARTLTV_INPUT', `${parameter} must be a finite number >= 0 (got ${JSON.stringify(value)})`, { parameter, value });
  }
}

export interface SmartLtvInputs {
  /** Daily Parkinson volatility, decimal (0.10 = 10 %). */
  sigma: number;
  /** USD sellable with slippage <= bonus. */
  liquidityUsd: number;
  /** Debt ceiling / supply or borrow cap, USD. */
  debtCapUsd: number;
  /** Liquidation bonus, fraction. */
  bonus: number;
  /** Confidence (risk appetite): higher = more conservative. */
  c: number;
}

function requireNonNegative(parameter: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value))) throw new SmartLtvInputError(parameter, value);
}

/** debtCap / liquidity with the empty cases named: no debt is no risk, debt with no liquidity is unbounded. */
function capToLiquidity(debtCapUsd: number, liquidityUsd: number): number {
  if (debtCapUsd === 0) return 0;
  if (liquidityUsd === 0) return Number.POSITIVE_INFINITY;
  return debtCapUsd / liquidityUsd;
}

/**
 * SmartLTV, clamped at 0. Their contract returns 0 above MAX_MANTISSA (where its fixed-point exp
 * would lose precision); in floats `exp(-x) - bonus` is already negative long before, so the clamp at
 * 0 covers it.
 */
export function smartLtv(inputs: SmartLtvInputs): number {
  const { sigma, liquidityUsd, debtCapUsd, bonus, c } = inputs;
  requireNonNegative('sigma', sigma);
  requireNonNegative('liquidityUsd', liquidityUsd);
  requireNonNegative('debtCapUsd', debtCapUsd);
  requireNonNegative('bonus', bonus);
  requireNonNegative('c', c);
  const ratio = capToLiquidity(debtCapUsd, liquidityUsd);
  // c * sigma = 0 with an infinite ratio would be NaN: no volatility or no appetite means no haircut.
  const exponent = c * sigma === 0 ? 0 : c * sigma * Math.sqrt(ratio);
  return Math.max(0, Math.exp(-exponent) - bonus);
}

export type ImpliedConfidenceUndefinedReason =
  /** An input is null, undefined or NaN. */
  | 'missing-input'
  /** An input is negative or infinite. */
  | 'invalid-input'
  /** LTV + bonus >= 1: only c <= 0 would give it (no haircut at all). */
  | 'ltv-plus-bonus-at-least-one'
  /** LTV + bonus = 0: ln(0) - no finite c. */
  | 'ltv-plus-bonus-zero'
  /** sigma = 0: every c gives 1 - bonus. */
  | 'zero-volatility'
  /** debtCap = 0: every c gives 1 - bonus. */
  | 'zero-debt-cap'
  /** liquidity = 0: every c gives 0. */
  | 'zero-liquidity';

export type ImpliedConfidence =
  | {
      status: 'implied';
      c: number;
      /** LTV = 0 is the clamp: any c at or above this one gives it, so c is only a lower bound. */
      lowerBoundOnly: boolean;
    }
  | { status: 'undefined'; reason: ImpliedConfidenceUndefinedReason; parameters: string[] };

export interface ImpliedConfidenceInputs {
  ltv: number | null | undefined;
  bonus: number | null | undefined;
  sigma: number | null | undefined;
  liquidityUsd: number | null | undefined;
  debtCapUsd: number | null | undefined;
}

/**
 * The c a protocol's live parameters imply (Risk DAO's CLF): `c = -ln(LTV + bonus) * sqrt(liquidity /
 * debtCap) / sigma`. Never NaN: a degenerate or missing input gives a named `undefined` result.
 */
export function impliedConfidence(inputs: ImpliedConfidenceInputs): ImpliedConfidence {
  const entries = Object.entries(inputs) as [keyof ImpliedConfidenceInputs, number | null | undefined][];
  const missing = entries.filter(([, v]) => v === null || v === undefined || Number.isNaN(v)).map(([k]) => k);
  if (missing.length > 0) return { status: 'undefined', reason: 'missing-input', parameters: missing };
  const { ltv, bonus, sigma, liquidityUsd, debtCapUsd } = inputs as Record<keyof ImpliedConfidenceInputs, number>;
  const invalid = entries.filter(([, v]) => !(v! >= 0 && Number.isFinite(v))).map(([k]) => k);
  if (invalid.length > 0) return { status: 'undefined', reason: 'invalid-input', parameters: invalid };
  const kept = ltv + bonus;
  if (kept >= 1) return { status: 'undefined', reason: 'ltv-plus-bonus-at-least-one', parameters: ['ltv', 'bonus'] };
  if (kept === 0) return { status: 'undefined', reason: 'ltv-plus-bonus-zero', parameters: ['ltv', 'bonus'] };
  if (sigma === 0) return { status: 'undefined', reason: 'zero-volatility', parameters: ['sigma'] };
  if (debtCapUsd === 0) return { status: 'undefined', reason: 'zero-debt-cap', parameters: ['debtCapUsd'] };
  if (liquidityUsd === 0) return { status: 'undefined', reason: 'zero-liquidity', parameters: ['liquidityUsd'] };
  const c = (-Math.log(kept) * Math.sqrt(liquidityUsd / debtCapUsd)) / sigma;
  return { status: 'implied', c, lowerBoundOnly: ltv === 0 };
}

/** Default gap, in percentage points, above which our LTV and SmartLTV disagree enough to flag. */
export const DEFAULT_CROSS_CHECK_THRESHOLD_PP = 10;

export interface CrossCheck {
  /** (ourLtv - smartLtv) in percentage points: positive = ours is looser. */
  gapPp: number;
  /** |gapPp| strictly above the threshold (a gap of exactly the threshold is not flagged). */
  flagged: boolean;
}

/** Float noise allowed at the threshold, in pp (0.8 - 0.7 is 10.000000000000009 pp in doubles). */
const GAP_TOLERANCE_PP = 1e-9;

export function crossCheck(inputs: { ourLtv: number; smartLtv: number; thresholdPp?: number }): CrossCheck {
  const thresholdPp = inputs.thresholdPp ?? DEFAULT_CROSS_CHECK_THRESHOLD_PP;
  requireNonNegative('ourLtv', inputs.ourLtv);
  requireNonNegative('smartLtv', inputs.smartLtv);
  requireNonNegative('thresholdPp', thresholdPp);
  const gapPp = (inputs.ourLtv - inputs.smartLtv) * 100;
  return { gapPp, flagged: Math.abs(gapPp) > thresholdPp + GAP_TOLERANCE_PP };
}
