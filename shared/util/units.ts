/**
 * Basis points <-> fractions, written once. Exactly `bps / 10_000` and `fraction * 10_000`: in floating
 * point `bps * 1e-4` is not always the same number, so callers must not be rewritten into that form,
 * and `a * b / 1e4` becomes `bpsToFraction(a * b)`, never `a * bpsToFraction(b)`.
 */
export const BPS_PER_UNIT = 10_000;

/** 7350 bps -> 0.735. */
export function bpsToFraction(bps: number): number {
  return bps / BPS_PER_UNIT;
}

/** 0.735 -> 7350 bps (unrounded: callers round in the direction their rule needs). */
export function fractionToBps(fraction: number): number {
  return fraction * BPS_PER_UNIT;
}
