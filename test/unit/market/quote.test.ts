import { describe, expect, it } from 'vitest';
import { BookMidQuoteRates, FixedQuoteRates, candlesInUsd } from '../../../shared/market/venues/quote.js';
import type { VenueAdapter, VenueBook } from '../../../shared/market/venues/types.js';

function reference(books: (VenueBook | Error)[]) {
  const asked: string[] = [];
  const adapter = {
    venue: 'kraken',
    fetchOrderBook: async (pair: string) => {
      asked.push(pair);
      const next = books.shift();
      if (!next || next instanceof Error) throw next ?? new Error('no book');
      return next;
    },
  } as unknown as VenueAdapter;
  return { adapter, asked };
}
const book = (bid: number, ask: number): VenueBook => ({ bids: [{ price: bid, quantity: 1 }], asks: [{ price: ask, quantity: 1 }], exchangeTimeMs: null });

describe('stablecoin quote rates', () => {
  it('USD is the identity; USDT is the mid of the reference book, reused within the TTL', async () => {
    const { adapter, asked } = reference([book(1.0003, 1.0005), book(0.999, 0.9992)]);
    const rates = new BookMidQuoteRates(adapter, { ttlMs: 1000 });
    expect(await rates.usdPer('USD', 0)).toMatchObject({ usdPerQuote: 1, source: 'identity' });
    expect(await rates.usdPer('USDT', 0)).toMatchObject({ currency: 'USDT', usdPerQuote: 1.0004, source: 'kraken:USDTZUSD mid' });
    expect((await rates.usdPer('USDT', 999)).usdPerQuote).toBe(1.0004);
    expect((await rates.usdPer('USDT', 1000)).usdPerQuote).toBe(0.9991);
    expect(asked).toEqual(['USDTZUSD', 'USDTZUSD']);
  });

  it('a failed or crossed reference gives par, flagged, retried only after the failure TTL', async () => {
    const { adapter, asked } = reference([new Error('down'), book(1.01, 1.0)]);
    const rates = new BookMidQuoteRates(adapter, { failureTtlMs: 100 });
    expect(await rates.usdPer('USDC', 0)).toMatchObject({ usdPerQuote: 1, source: 'assumed-par' });
    await rates.usdPer('USDC', 50);
    expect(asked).toHaveLength(1);
    expect(await rates.usdPer('USDC', 100)).toMatchObject({ source: 'assumed-par' }); // crossed book: not a rate
    expect(asked).toHaveLength(2);
  });

  it('concurrent callers share one reference request', async () => {
    const { adapter, asked } = reference([book(1, 1.0002)]);
    const rates = new BookMidQuoteRates(adapter);
    await Promise.all([rates.usdPer('USDT', 0), rates.usdPer('USDT', 0), rates.usdPer('USDT', 0)]);
    expect(asked).toHaveLength(1);
  });

  it('fixed rates, and par when a currency has none', async () => {
    const rates = new FixedQuoteRates({ USDT: 0.998 });
    expect(await rates.usdPer('USDT', 5)).toEqual({ currency: 'USDT', usdPerQuote: 0.998, source: 'fixed', observedAtMs: 5 });
    expect(await rates.usdPer('USDC', 5)).toMatchObject({ usdPerQuote: 1, source: 'assumed-par' });
  });

  it('conversion scales prices, never volume (base units)', () => {
    expect(candlesInUsd([{ openTimeMs: 0, open: 10, high: 12, low: 8, close: 11, volume: 3 }], 0.5)).toEqual([{ openTimeMs: 0, open: 5, high: 6, low: 4, close: 5.5, volume: 3 }]);
  });
});
