/**
 * Breach accounting: the buffer a recommendation implies, and whether a realized window broke it.
 * Fractions in and out (0.05 = 5 %).
 */

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

/**
 * Perps: the adverse move D* a position at maintenance margin absorbs before its equity is gone once
 * the close-out slippage and fees are paid: MMR = D* + s + fee  =>  D* = MMR - s - fee (the engine's
 * MMR = D_alpha + s + fee read backwards, so the rounded-up MMR's buffer is at least D_alpha).
 */
export function perpBufferMove(maintenanceMargin: number, slippage: number, feeBuffer: number): number {
  return Math.max(0, maintenanceMargin - slippage - feeBuffer);
}

export interface BreachCount {
  /** Complete windows opening in the range. */
  windows: number;
  /** Windows whose move is strictly above the buffer. */
  breaches: number;
}

/** Windows opening at indices [from, to) (NaN = incomplete, skipped) whose move exceeds `buffer`. */
export function countBreaches(moves: Float64Array, from: number, to: number, buffer: number): BreachCount {
  let windows = 0;
  let breaches = 0;
  for (let i = from; i < to; i++) {
    const move = moves[i]!;
    if (Number.isNaN(move)) continue;
    windows++;
    if (move > buffer) breaches++;
  }
  return { windows, breaches };
}

/** Largest move of the complete windows opening at indices [from, to); NaN when there is none. */
export function worstMove(moves: Float64Array, from: number, to: number): number {
  let worst = Number.NaN;
  for (let i = from; i < to; i++) {
    const move = moves[i]!;
    if (Number.isNaN(move)) continue;
    if (Number.isNaN(worst) || move > worst) worst = move;
  }
  return worst;
}
