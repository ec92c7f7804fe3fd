import { DEFAULT_REFILL_LIMITS } from '../config/defaults.js';
import type { Candle } from '../market/types.js';

/** Bounds on fetching again what is missing behind the stored head, per interval and cycle. */
export interface RefillLimits {
  /** Missing bars in a row worth asking for again (one missing bar is common on a quiet venue). */
  minGapBars: number;
  /** Gaps asked for per cycle, the most recent first: each is one more request per venue. */
  maxRanges: number;
  /** Bars asked for per cycle over all those gaps; a longer gap is refilled from its recent end over cycles. */
  maxBars: number;
}

/** The config's policy.refill defaults (shared/config/defaults.ts); ingest passes the configured ones. */
export { DEFAULT_REFILL_LIMITS };

export interface TimeRange {
  startMs: number;
  endMs: number;
}

/**
 * The ranges behind the head to fetch again: runs of at least `minGapBars` missing bars between stored
 * bars, or before the first one, inside [lookbackStartMs, headFetchStartMs) (the head fetch covers the
 * rest), most recent first, at most `maxRanges` and `maxBars` in all. A gap the venues cannot fill is
 * asked for again next cycle: bounded, and it keeps a venue's late backfill from being missed.
 * `stored` is ascending.
 */
export function refillRanges(
  stored: readonly Candle[],
  intervalMs: number,
  lookbackStartMs: number,
  headFetchStartMs: number,
  limits: RefillLimits = DEFAULT_REFILL_LIMITS,
): TimeRange[] {
  const first = stored[0];
  if (!first) return [];
  const gaps: TimeRange[] = [];
  const consider = (startMs: number, endMs: number) => {
    const from = Math.max(startMs, lookbackStartMs);
    const to = Math.min(endMs, headFetchStartMs);
    if (Math.round((to - from) / intervalMs) >= limits.minGapBars) gaps.push({ startMs: from, endMs: to });
  };
  consider(lookbackStartMs, first.openTimeMs);
  for (let i = 1; i < stored.length; i++) consider(stored[i - 1]!.openTimeMs + intervalMs, stored[i]!.openTimeMs);
  const ranges: TimeRange[] = [];
  let barsLeft = limits.maxBars;
  for (const gap of gaps.reverse()) {
    if (ranges.length >= limits.maxRanges || barsLeft < limits.minGapBars) break;
    const bars = Math.min(Math.round((gap.endMs - gap.startMs) / intervalMs), barsLeft);
    ranges.push({ startMs: gap.endMs - bars * intervalMs, endMs: gap.endMs });
    barsLeft -= bars;
  }
  return ranges;
}
