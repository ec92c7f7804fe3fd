import { describe, expect, it } from 'vitest';
import { CandleHistoryIncompleteError, VenueHttpStatusError, VenuePayloadError } from '../../../shared/market/errors.js';
import type { Candle } from '../../../shared/market/types.js';
import { barsInRange } from '../../../shared/market/venues/common.js';
import { ResumableHistoryError, fetchCandleHistory } from '../../../shared/market/venues/paging.js';
import type { CandlePage, CandlePageRequest, VenueAdapter } from '../../../shared/market/venues/types.js';

const M = 60_000;
const bar = (t: number): Candle => ({ openTimeMs: t, open: 1, high: 1, low: 1, close: 1, volume: t });

/** A venue of `perPage` bars per request over a continuous minute series; `failAt` page numbers throw once. */
function fakeVenue(perPage: number, failAt: number[] = []) {
  const requests: number[] = [];
  const adapter: VenueAdapter = {
    venue: 'binance',
    quoteCurrency: 'USD',
    maxBarsPerRequest: perPage,
    supportsInterval: () => true,
    async fetchCandlePage(r: CandlePageRequest): Promise<CandlePage> {
      requests.push(r.startMs);
      if (failAt.includes(requests.length)) throw new VenueHttpStatusError('binance', '/k', 500, null, '');
      const candles: Candle[] = [];
      for (let t = r.startMs; t < r.endMs && candles.length < perPage; t += r.intervalMs) candles.push(bar(t));
      const next = candles.length === perPage ? candles[candles.length - 1]!.openTimeMs + r.intervalMs : null;
      return { candles, nextStartMs: next !== null && next < r.endMs ? next : null };
    },
    fetchOrderBook: async () => ({ bids: [], asks: [], exchangeTimeMs: null }),
    ping: async () => undefined,
  };
  return { adapter, requests };
}

describe('fetchCandleHistory', () => {
  it('pages forward until the range is covered, one request per page', async () => {
    const { adapter, requests } = fakeVenue(100);
    const { candles, pages } = await fetchCandleHistory(adapter, { pair: 'X', intervalMs: M, startMs: 0, endMs: 250 * M });
    expect(pages).toBe(3);
    expect(requests).toEqual([0, 100 * M, 200 * M]);
    expect(candles.map((c) => c.openTimeMs)).toEqual(Array.from({ length: 250 }, (_, i) => i * M));
  });

  it('a failed page throws with a cursor; resuming asks only for the rest, and the result is whole', async () => {
    const { adapter, requests } = fakeVenue(100, [3]);
    const request = { pair: 'X', intervalMs: M, startMs: 0, endMs: 350 * M };
    const failure = await fetchCandleHistory(adapter, request).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ResumableHistoryError);
    expect(failure).toBeInstanceOf(CandleHistoryIncompleteError);
    const { cursor } = failure as ResumableHistoryError;
    expect(cursor).toMatchObject({ nextStartMs: 200 * M, startMs: 0 });
    expect(cursor.candles).toHaveLength(200);
    requests.length = 0;
    const { candles, pages } = await fetchCandleHistory(adapter, request, cursor);
    expect(requests).toEqual([200 * M, 300 * M]);
    expect(pages).toBe(2);
    expect(candles).toHaveLength(350);
    expect(new Set(candles.map((c) => c.openTimeMs)).size).toBe(350);
  });

  it('ignores a cursor of another pair, interval, or one that does not reach the requested start', async () => {
    const { adapter, requests } = fakeVenue(100);
    const cursor = { venue: 'binance', pair: 'X', intervalMs: M, startMs: 0, nextStartMs: 50 * M, candles: [bar(0)] };
    await fetchCandleHistory(adapter, { pair: 'Y', intervalMs: M, startMs: 0, endMs: 10 * M }, cursor);
    await fetchCandleHistory(adapter, { pair: 'X', intervalMs: M, startMs: 60 * M, endMs: 70 * M }, cursor);
    expect(requests).toEqual([0, 60 * M]);
  });

  it('walks through empty windows (no trades) but stops on a venue that barely advances instead of looping', async () => {
    const adapter: VenueAdapter = { ...fakeVenue(10).adapter, fetchCandlePage: async (r) => ({ candles: [], nextStartMs: r.startMs + 10 * M }) };
    await expect(fetchCandleHistory(adapter, { pair: 'X', intervalMs: M, startMs: 0, endMs: 1000 * M })).resolves.toMatchObject({ candles: [] });
    const stuck: VenueAdapter = { ...adapter, fetchCandlePage: async (r) => ({ candles: [], nextStartMs: r.startMs + 1 }) };
    await expect(fetchCandleHistory(stuck, { pair: 'X', intervalMs: M, startMs: 0, endMs: 1000 * M })).rejects.toThrow(/no progress/);
  });
});

describe('barsInRange', () => {
  const request = { pair: 'X', intervalMs: M, startMs: 10 * M, endMs: 13 * M };
  it('keeps bars in [start, end), sorted, one per open time', () => {
    const out = barsInRange('v', '/p', request, [bar(13 * M), bar(12 * M), bar(9 * M), bar(10 * M), bar(12 * M)]);
    expect(out.map((c) => c.openTimeMs)).toEqual([10 * M, 12 * M]);
  });
  it('refuses bars off the interval grid and two different bars at one time', () => {
    expect(() => barsInRange('v', '/p', request, [bar(10 * M + 1)])).toThrow(VenuePayloadError);
    expect(() => barsInRange('v', '/p', request, [bar(11 * M), { ...bar(11 * M), close: 2 }])).toThrow(/two different bars/);
  });
});
