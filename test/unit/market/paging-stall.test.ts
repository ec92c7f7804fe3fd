import { describe, expect, it } from 'vitest';
import { CandleHistoryIncompleteError, PagingStalledError } from '../../../shared/market/errors.js';
import { fetchCandleHistory } from '../../../shared/market/venues/paging.js';
import type { CandlePage, CandlePageRequest, VenueAdapter } from '../../../shared/market/venues/types.js';

const M = 60_000;

/** A venue that claims 100 bars per page but answers one bar at a time: paging stops at its page bound. */
const tricklingVenue: VenueAdapter = {
  venue: 'binance',
  quoteCurrency: 'USD',
  maxBarsPerRequest: 100,
  supportsInterval: () => true,
  async fetchCandlePage(r: CandlePageRequest): Promise<CandlePage> {
    return { candles: [{ openTimeMs: r.startMs, open: 1, high: 1, low: 1, close: 1, volume: 1 }], nextStartMs: r.startMs + r.intervalMs };
  },
  fetchOrderBook: async () => ({ bids: [], asks: [], exchangeTimeMs: null }),
  ping: async () => undefined,
};

describe('paging without progress', () => {
  it('stops at the page bound with a PagingStalledError as the cause', async () => {
    const error = await fetchCandleHistory(tricklingVenue, { pair: 'X', intervalMs: M, startMs: 0, endMs: 250 * M }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandleHistoryIncompleteError);
    const incomplete = error as CandleHistoryIncompleteError;
    // ceil(250 / 100) * 2 + 4 pages, one bar each.
    expect(incomplete).toMatchObject({ resumeFromMs: 10 * M, barsFetched: 10, details: { cause: 'no progress after 10 pages' } });
    expect(incomplete.cause).toBeInstanceOf(PagingStalledError);
    expect(incomplete.cause).toMatchObject({ code: 'PAGING_STALLED', pages: 10, details: { pages: 10 } });
  });
});
