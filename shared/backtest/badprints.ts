import type { CandleLike } from '../risk/series.js';

/**
 * Single-venue bad prints. The engine is normally fed candles aggregated across venues (a median per bar),
 * which removes one venue's bad print; the backtest reads one venue's file, so it repairs them. The rule
 * (shared with the simulator calibration): a low below half the bar's body, or a high above twice it (the
 * price came back inside the same bar). Unlike the calibration, which drops the whole bar, only the bad side
 * is clipped to the body: the other side, the open and the close are real (perp ETH 2020-03-13 02:00 has a bad high of
 * 323 next to a real crash low of 84.23). Bad prints in ../shared/data: LINK-USDT-1h 2020-03-12 10:00 (low
 * 0.0001), FTT-USDT-1h 2020-02-19 21:00 (low 0.5 against a 2.66 body), UNI-USDT-1h 2020-09-17 03:00
 * (listing bar, high 15 against 3.0), perp/ETH-USDT-1h 2020-03-13 02:00 (high 323).
 */

export const BAD_PRINT_LOW_RATIO = 0.5;
export const BAD_PRINT_HIGH_RATIO = 2;

export interface BadPrintRepair {
  openTimeMs: number;
  side: 'low' | 'high';
  printed: number;
  repaired: number;
}

/** Which sides of a bar are bad prints, and the bar's body they are judged against. */
export function badPrintSides(
  bar: CandleLike,
  lowRatio = BAD_PRINT_LOW_RATIO,
  highRatio = BAD_PRINT_HIGH_RATIO,
): { badLow: boolean; badHigh: boolean; bodyLow: number; bodyHigh: number } {
  const bodyLow = Math.min(bar.open, bar.close);
  const bodyHigh = Math.max(bar.open, bar.close);
  return { badLow: !(bar.low > 0) || bar.low < bodyLow * lowRatio, badHigh: bar.high > bodyHigh * highRatio, bodyLow, bodyHigh };
}

/** A bar with a bad low or a bad high (the calibration drops the whole bar). */
export function isBadPrint(bar: CandleLike): boolean {
  const { badLow, badHigh } = badPrintSides(bar);
  return badLow || badHigh;
}

/** The bars with bad lows / highs clipped to the body, and what was changed. */
export function repairBadPrints<T extends CandleLike>(
  candles: readonly T[],
  lowRatio = BAD_PRINT_LOW_RATIO,
  highRatio = BAD_PRINT_HIGH_RATIO,
): { candles: T[]; repairs: BadPrintRepair[] } {
  const repairs: BadPrintRepair[] = [];
  const out = candles.map((bar) => {
    const { badLow, badHigh, bodyLow, bodyHigh } = badPrintSides(bar, lowRatio, highRatio);
    if (!badLow && !badHigh) return bar;
    if (badLow) repairs.push({ openTimeMs: bar.openTimeMs, side: 'low', printed: bar.low, repaired: bodyLow });
    if (badHigh) repairs.push({ openTimeMs: bar.openTimeMs, side: 'high', printed: bar.high, repaired: bodyHigh });
    return { ...bar, low: badLow ? bodyLow : bar.low, high: badHigh ? bodyHigh : bar.high };
  });
  return { candles: out, repairs };
}
