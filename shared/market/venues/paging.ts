import { CandleHistoryIncompleteError, PagingStalledError } from '../errors.js';
import type { Candle } from '../types.js';
import type { CandlePageRequest, VenueAdapter } from './types.js';

/**
 * Where a long history got to: validated bars for [startMs, nextStartMs). Kept by the caller when a page
 * fails, handed back to resume there (the venue is not asked again for what was already fetched).
 */
export interface HistoryCursor {
  venue: string;
  pair: string;
  intervalMs: number;
  startMs: number;
  nextStartMs: number;
  candles: Candle[];
}

export interface HistoryResult {
  candles: Candle[];
  /** Requests this call sent (0 when a cursor covered the whole range). */
  pages: number;
}

/**
 * Pages a venue's candles over [startMs, endMs): Binance 1,000 bars per request, Coinbase 300, Kraken
 * its latest 720. A failed page throws CandleHistoryIncompleteError carrying the cursor; passing that
 * cursor back resumes after the last good page. Bars come back validated, ascending and de-duplicated.
 */
export async function fetchCandleHistory(
  adapter: VenueAdapter,
  request: CandlePageRequest,
  resume?: HistoryCursor,
): Promise<HistoryResult> {
  const usable =
    resume &&
    resume.venue === adapter.venue &&
    resume.pair === request.pair &&
    resume.intervalMs === request.intervalMs &&
    resume.startMs <= request.startMs &&
    request.startMs <= resume.nextStartMs;
  const bars: Candle[] = usable ? resume.candles.filter((c) => c.openTimeMs >= request.startMs && c.openTimeMs < request.endMs) : [];
  let cursor = usable ? resume.nextStartMs : request.startMs;
  let pages = 0;
  // A venue that never advances must not loop: at most the pages the range needs, plus slack for short pages.
  const maxPages = Math.ceil((request.endMs - request.startMs) / (adapter.maxBarsPerRequest * request.intervalMs)) * 2 + 4;
  while (cursor < request.endMs) {
    if (pages >= maxPages) {
      throw new CandleHistoryIncompleteError(adapter.venue, request.pair, cursor, bars.length, new PagingStalledError(pages));
    }
    let page;
    try {
      page = await adapter.fetchCandlePage({ ...request, startMs: cursor });
    } catch (error) {
      throw new ResumableHistoryError(adapter.venue, request.pair, error as Error, {
        venue: adapter.venue,
        pair: request.pair,
        intervalMs: request.intervalMs,
        startMs: request.startMs,
        nextStartMs: cursor,
        candles: bars.slice(),
      });
    }
    pages++;
    for (const bar of page.candles) if (bar.openTimeMs >= cursor && bar.openTimeMs < request.endMs) bars.push(bar);
    if (page.nextStartMs === null || page.nextStartMs <= cursor) break;
    cursor = page.nextStartMs;
  }
  const byTime = new Map<number, Candle>();
  for (const bar of bars) byTime.set(bar.openTimeMs, bar);
  return { candles: [...byTime.values()].sort((a, b) => a.openTimeMs - b.openTimeMs), pages };
}

/** A history that stopped at a failed page, with the cursor to resume from. */
export class ResumableHistoryError extends CandleHistoryIncompleteError {
  constructor(
    venue: string,
    pair: string,
    cause: Error,
    readonly cursor: HistoryCursor,
  ) {
    super(venue, pair, cursor.nextStartMs, cursor.candles.length, cause);
  }
}
