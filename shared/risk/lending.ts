import { clamp } from '../numerics/statistics.js';
import { bpsToFraction, fractionToBps } from '../util/units.js';

/**
 * Lending-market parameters from the methodology (docs/methodology.md#lending).
 * Every input and output is a fraction (0.05 = 5 %); conversion to bps happens at the edges.
 */

/** B = clamp(slippage(Q) + liquidatorCost, Bmin, Bmax). */
export function liquidationBonus(slippage: number, liquidatorCost: number, minBonus: number, maxBonus: number): number {
  return clamp(slippage + liquidatorCost, minBonus, maxBonus);
}

/** LT = (1 - D_alpha(h)) * (1 - slippage(Q)) / (1 + B): solvent after the move, the slippage and the bonus. */
export function liquidationThreshold(adverseMove: number, slippage: number, bonus: number): number {
  return Math.max(0, ((1 - adverseMove) * (1 - slippage)) / (1 + bonus));
}

/** LTV = LT * (1 - D_beta(h)): a borrower opened at max LTV survives an ordinary (beta) move. */
export function loanToValue(liquidationThreshold: number, ordinaryMove: number): number {
  return Math.max(0, liquidationThreshold * (1 - ordinaryMove));
}

/** Rounds a fraction down to a multiple of `stepBps`, returning bps. */
export function roundDownBps(fraction: number, stepBps: number): number {
  const bps = Math.floor(fractionToBps(fraction) + 1e-9);
  return Math.max(0, Math.floor(bps / stepBps) * stepBps);
}

/** Rounds a fraction up to whole bps (for margins and bonuses, where rounding down would loosen). */
export function roundUpBps(fraction: number): number {
  return Math.ceil(fractionToBps(fraction) - 1e-9);
}

/**
 * Supply cap such that liquidating `share` of it costs at most half the bonus in slippage:
 * slippage(share * cap) = B / 2, i.e. cap = sellable(B / 2) / share.
 */
export function supplyCapUsd(sellableAtHalfBonusUsd: number, share: number): number {
  return sellableAtHalfBonusUsd / share;
}

/**
 * Highest LTV (bps) allowed beside a liquidation threshold: LT x (1 - D_beta) rounded down to the step,
 * and at most the last step strictly below LT, so a loan opened at max LTV is never born liquidatable.
 * 0 when LT leaves no room (LTV 0 = not collateral).
 */
export function ltvCeilingBps(liquidationThresholdBps: number, ordinaryMove: number, stepBps: number): number {
  if (liquidationThresholdBps <= 0) return 0;
  const buffered = roundDownBps(loanToValue(bpsToFraction(liquidationThresholdBps), ordinaryMove), stepBps);
  const strictlyBelow = (Math.ceil(liquidationThresholdBps / stepBps) - 1) * stepBps;
  return Math.max(0, Math.min(buffered, strictlyBelow));
}

/**
 * Lending: the drop D* at which a position sitting exactly at the liquidation threshold becomes
 * insolvent once the liquidator's bonus and the slippage are paid:
 *   (1 - D*)(1 - s) / (1 + B) = LT   =>   D* = 1 - LT (1 + B) / (1 - s).
 * With the unrounded LT of the formula D* is the adverse move itself; rounding LT down (as a protocol
 * sets it) adds buffer. An LT of 0 (not collateral) is never breached: D* = 1.
 */
export function lendingBufferDrop(liquidationThreshold: number, liquidationBonus: number, slippage: number): number {
  if (!(slippage < 1)) return 0;
  return Math.min(1, Math.max(0, 1 - (liquidationThreshold * (1 + liquidationBonus)) / (1 - slippage)));
}
