import { AdvisorError } from '../util/errors.js';
import type { PriceSeries } from './series.js';

/**
 * Range (OHLC) volatility estimators, per bar, over the trailing bars of gap-split segments.
 * Each bar is used on its own (no return spans two bars), so gaps between segments do not matter.
 *
 * - Parkinson (1980): s2 = (1 / (4 n ln 2)) sum (ln H/L)^2. The square of the log range, not Risk DAO's
 *   ln((H/L)^2) = 2 ln(H/L) (docs/methodology.md#volatility).
 * - Garman-Klass (1980): s2 = (1/n) sum [ (1/2)(ln H/L)^2 - (2 ln 2 - 1)(ln C/O)^2 ].
 *
 * Both assume a driftless continuous path inside the bar. Sampled prices see less than the true range,
 * so both are biased low when trading is discrete or thin; jumps between bars (opening gaps) are not
 * seen at all. Use them beside close-to-close volatility, not instead of it.
 */

/** A bar whose range cannot be used: non-positive or non-finite prices, or high below low. */
export class InvalidBarError extends AdvisorError {
  constructor(message: string, details: Record<string, unknown>) {
    super('INVALID_BAR', message, details);
  }
}

const FOUR_LN2 = 4 * Math.LN2;
const GARMAN_KLASS_CLOSE_WEIGHT = 2 * Math.LN2 - 1;

/**
 * Calls `visit(segment, index)` for the last `windowBars` bars across the segments (most recent first)
 * and returns how many were visited.
 */
function forTrailingBars(segments: readonly PriceSeries[], windowBars: number, visit: (s: PriceSeries, i: number) => void): number {
  let remaining = Math.max(0, Math.floor(windowBars));
  let visited = 0;
  for (let k = segments.length - 1; k >= 0 && remaining > 0; k--) {
    const s = segments[k]!;
    for (let i = s.close.length - 1; i >= 0 && remaining > 0; i--, remaining--, visited++) visit(s, i);
  }
  return visited;
}

function describeBar(s: PriceSeries, i: number): string {
  const ms = s.openTimeMs[i]!;
  return Number.isFinite(ms) ? `bar opening ${new Date(ms).toISOString()}` : `bar ${i}`;
}

function logRange(s: PriceSeries, i: number): number {
  const high = s.high[i]!;
  const low = s.low[i]!;
  if (!(low > 0) || !(high >= low) || !Number.isFinite(high)) {
    throw new InvalidBarError(`${describeBar(s, i)} has high ${high} and low ${low}`, {
      openTimeMs: s.openTimeMs[i],
      high,
      low,
    });
  }
  return Math.log(high / low);
}

/**
 * Parkinson variance per bar over the last `windowBars` bars (fewer if the segments hold fewer).
 * NaN when there is no bar. Throws {@link InvalidBarError} on a bar with low <= 0 or high < low.
 */
export function parkinsonVariance(segments: readonly PriceSeries[], windowBars: number): number {
  let sum = 0;
  const n = forTrailingBars(segments, windowBars, (s, i) => {
    const x = logRange(s, i);
    sum += x * x;
  });
  return n === 0 ? Number.NaN : sum / (FOUR_LN2 * n);
}

/**
 * Garman-Klass variance per bar over the last `windowBars` bars (fewer if the segments hold fewer).
 * NaN when there is no bar. A single bar's term can be negative (close-to-open move near the full
 * range); the average of many cannot be on sane data, but the volatility helper floors it at 0.
 */
export function garmanKlassVariance(segments: readonly PriceSeries[], windowBars: number): number {
  let sum = 0;
  const n = forTrailingBars(segments, windowBars, (s, i) => {
    const range = logRange(s, i);
    const open = s.open[i]!;
    const close = s.close[i]!;
    if (!(open > 0) || !(close > 0) || !Number.isFinite(open) || !Number.isFinite(close)) {
      throw new InvalidBarError(`${describeBar(s, i)} has open ${open} and close ${close}`, {
        openTimeMs: s.openTimeMs[i],
        open,
        close,
      });
    }
    const body = Math.log(close / open);
    sum += 0.5 * range * range - GARMAN_KLASS_CLOSE_WEIGHT * body * body;
  });
  return n === 0 ? Number.NaN : sum / n;
}

/** Annualized Parkinson volatility: sqrt(per-bar variance x bars per year). */
export function parkinsonVolatility(segments: readonly PriceSeries[], windowBars: number, barsPerYear: number): number {
  return Math.sqrt(parkinsonVariance(segments, windowBars) * barsPerYear);
}

/** Annualized Garman-Klass volatility: sqrt(max(0, per-bar variance) x bars per year). */
export function garmanKlassVolatility(segments: readonly PriceSeries[], windowBars: number, barsPerYear: number): number {
  return Math.sqrt(Math.max(0, garmanKlassVariance(segments, windowBars)) * barsPerYear);
}

/**
 * Daily Parkinson volatility over the last `windowDays` days: sqrt(per-bar variance x bars per day).
 * This is the sigma of Risk DAO's SmartLTV formula (their spans: 7, 30, 180 days), as a fraction.
 */
export function dailyParkinsonVolatility(segments: readonly PriceSeries[], barsPerDay: number, windowDays: number): number {
  return Math.sqrt(parkinsonVariance(segments, windowDays * barsPerDay) * barsPerDay);
}
