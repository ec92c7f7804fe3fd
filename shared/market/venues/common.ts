import { MS_PER_MINUTE } from '../../util/time.js';
import { VenuePayloadError } from '../errors.js';
import type { BookLevel, Candle } from '../types.js';
import type { CandlePageRequest } from './types.js';

/**
 * Bars of one page, checked against the request: every open time on the interval grid, kept only
 * within [startMs, endMs) (venues add bars before the start, and the still-open bar at the end),
 * ascending, one bar per open time (a duplicate with different values refuses the payload).
 */
export function barsInRange(venue: string, path: string, request: CandlePageRequest, rows: readonly Candle[]): Candle[] {
  const byTime = new Map<number, Candle>();
  for (const bar of rows) {
    if (bar.openTimeMs % request.intervalMs !== 0) {
      throw new VenuePayloadError(venue, path, [`bar open time ${bar.openTimeMs} is not on the ${request.intervalMs / MS_PER_MINUTE}-minute grid`]);
    }
    if (bar.openTimeMs < request.startMs || bar.openTimeMs >= request.endMs) continue;
    const seen = byTime.get(bar.openTimeMs);
    if (seen && (seen.close !== bar.close || seen.volume !== bar.volume)) {
      throw new VenuePayloadError(venue, path, [`two different bars at ${bar.openTimeMs}`]);
    }
    byTime.set(bar.openTimeMs, bar);
  }
  return [...byTime.values()].sort((a, b) => a.openTimeMs - b.openTimeMs);
}

/**
 * Where the next page starts for a venue that answers at most `limit` rows from the start on: only a
 * full page can have more after it, and a next start outside (startMs, endMs) ends the range.
 */
export function nextStartAfterFullPage(openTimesMs: readonly number[], limit: number, request: CandlePageRequest): number | null {
  const lastOpen = openTimesMs.length > 0 ? Math.max(...openTimesMs) : null;
  const next = openTimesMs.length >= limit && lastOpen !== null ? lastOpen + request.intervalMs : null;
  return next !== null && next < request.endMs && next > request.startMs ? next : null;
}

/** Best first, empty levels dropped. */
export function sortBook(bids: readonly BookLevel[], asks: readonly BookLevel[]): { bids: BookLevel[]; asks: BookLevel[] } {
  return {
    bids: bids.filter((l) => l.quantity > 0).sort((a, b) => b.price - a.price),
    asks: asks.filter((l) => l.quantity > 0).sort((a, b) => a.price - b.price),
  };
}
