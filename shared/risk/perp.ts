/**
 * Perpetual-market margins (docs/methodology.md#perps). Fractions in, fractions out.
 */

/** MMR = D_alpha(h) + slippage(Q) + fee buffer. */
export function maintenanceMargin(adverseMove: number, slippage: number, feeBuffer: number): number {
  return adverseMove + slippage + feeBuffer;
}

/**
 * Max leverage: floor(1 / (MMR * m)) snapped down to the nearest allowed tier; 0 when no tier fits
 * (the market should not be listed).
 */
export function maxLeverage(maintenance: number, initialToMaintenanceRatio: number, tiers: readonly number[]): number {
  const raw = 1 / (maintenance * initialToMaintenanceRatio);
  let best = 0;
  for (const tier of tiers) if (tier <= raw && tier > best) best = tier;
  return best;
}

/**
 * Perps: the adverse move D* a position at maintenance margin absorbs before its equity is gone once
 * the close-out slippage and fees are paid: MMR = D* + s + fee  =>  D* = MMR - s - fee (the engine's
 * MMR = D_alpha + s + fee read backwards, so the rounded-up MMR's buffer is at least D_alpha).
 */
export function perpBufferMove(maintenanceMargin: number, slippage: number, feeBuffer: number): number {
  return Math.max(0, maintenanceMargin - slippage - feeBuffer);
}
