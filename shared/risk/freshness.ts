import { INTERVAL_MS, type CandleInterval, type Policy } from '../config/schema.js';
import type { BookSummary } from '../model/snapshot.js';
import type { CandleLike } from './series.js';

/**
 * Stale data is missing data: a book or a bar series older than the policy allows at the clock holds what
 * depends on it (status `no-data`), exactly like an absent one. Pure; shared by the engine and the cycle.
 */

/** The age past which a book is stale: policy.maxBookAgeMs, else staleAfterMs (see the schema). */
export function maxBookAgeMsOf(policy: Policy): number {
  return policy.maxBookAgeMs ?? policy.staleAfterMs;
}

/** When the newest book of a set was fetched, or null for an empty set. */
export function newestBookMs(books: readonly BookSummary[]): number | null {
  return books.length === 0 ? null : Math.max(...books.map((b) => b.fetchedAtMs));
}

/** A book set is stale when even its newest book is older than the limit at `nowMs`. */
export function isStaleBookSet(books: readonly BookSummary[], nowMs: number, policy: Policy): boolean {
  const newest = newestBookMs(books);
  return newest !== null && nowMs - newest > maxBookAgeMsOf(policy);
}

/** Close time of the newest bar, or null without bars. */
export function lastBarEndMs(candles: readonly CandleLike[], interval: CandleInterval): number | null {
  const last = candles[candles.length - 1];
  return last ? last.openTimeMs + INTERVAL_MS[interval] : null;
}

/** Bars are stale when the newest one closed longer than staleAfterMs before `nowMs`. */
export function areStaleCandles(candles: readonly CandleLike[], interval: CandleInterval, nowMs: number, policy: Policy): boolean {
  const end = lastBarEndMs(candles, interval);
  return end !== null && nowMs - end > policy.staleAfterMs;
}
