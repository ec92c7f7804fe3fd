import { describe, expect, it } from 'vitest';
import {
  binanceDepthSchema,
  binanceKlinesSchema,
  coinbaseBookSchema,
  coinbaseCandlesSchema,
  krakenDepthResultSchema,
  krakenOhlcResultSchema,
} from '../../../shared/market/venues/schemas.js';

const kline = (o: string, h: string, l: string, c: string, v = '1.5') => [1_700_000_000_000, o, h, l, c, v, 1_700_000_059_999, '0', 10, '0', '0', '0'];

describe('venue payload schemas', () => {
  it('Binance klines: decimal strings become numbers; extra trailing fields are allowed', () => {
    expect(binanceKlinesSchema.parse([kline('100.5', '101', '99.25', '100')])).toEqual([
      { openTimeMs: 1_700_000_000_000, open: 100.5, high: 101, low: 99.25, close: 100, volume: 1.5 },
    ]);
  });

  it('Binance klines: refuses an impossible bar, a non-decimal price, a missing field', () => {
    expect(binanceKlinesSchema.safeParse([kline('100', '99', '98', '100')]).success).toBe(false); // high below open
    expect(binanceKlinesSchema.safeParse([kline('100', '101', '0', '100')]).success).toBe(false); // zero low
    expect(binanceKlinesSchema.safeParse([kline('1e999', '1e999', '1', '1')]).success).toBe(false); // not finite
    expect(binanceKlinesSchema.safeParse([kline('abc', '101', '99', '100')]).success).toBe(false);
    expect(binanceKlinesSchema.safeParse([[1_700_000_000_000, '1', '1', '1']]).success).toBe(false);
    expect(binanceKlinesSchema.safeParse([kline('100', '101', '99', '100', '-1')]).success).toBe(false);
  });

  it('books: levels need price > 0 and quantity >= 0; Coinbase level 2 carries num_orders', () => {
    expect(binanceDepthSchema.parse({ lastUpdateId: 1, bids: [['10.5', '2']], asks: [['11', '0']] }).bids).toEqual([{ price: 10.5, quantity: 2 }]);
    expect(binanceDepthSchema.safeParse({ lastUpdateId: 1, bids: [['-1', '2']], asks: [] }).success).toBe(false);
    expect(binanceDepthSchema.safeParse({ bids: [], asks: [] }).success).toBe(false);
    expect(coinbaseBookSchema.parse({ sequence: 5, bids: [['10', '1.5', 3]], asks: [['11', '2', 1]] }).asks).toEqual([{ price: 11, quantity: 2 }]);
  });

  it('Coinbase candles: [time s, low, high, open, close, volume] in that order', () => {
    expect(coinbaseCandlesSchema.parse([[1_700_000_000, 9, 12, 10, 11, 5]])).toEqual([{ openTimeMs: 1_700_000_000_000, open: 10, high: 12, low: 9, close: 11, volume: 5 }]);
    // The same numbers read as [time, open, high, low, close] would make low > open: refused.
    expect(coinbaseCandlesSchema.safeParse([[1_700_000_000, 10, 12, 11, 9, 5]]).success).toBe(false);
  });

  it('Kraken OHLC: one pair key besides `last`, volume is field 6 (not the vwap)', () => {
    const parsed = krakenOhlcResultSchema.parse({ XXBTZUSD: [[1_700_000_000, '10', '12', '9', '11', '10.7', '3.25', 7]], last: 1_700_000_000 });
    expect(parsed).toEqual({ pairKey: 'XXBTZUSD', lastSeconds: 1_700_000_000, bars: [{ openTimeMs: 1_700_000_000_000, open: 10, high: 12, low: 9, close: 11, volume: 3.25 }] });
    expect(krakenOhlcResultSchema.safeParse({ last: 1 }).success).toBe(false);
    expect(krakenOhlcResultSchema.safeParse({ A: [], B: [], last: 1 }).success).toBe(false);
    expect(krakenOhlcResultSchema.safeParse({ XXBTZUSD: 'n/a', last: 1 }).success).toBe(false);
  });

  it('Kraken Depth: exactly one pair with asks and bids of [price, volume, time]', () => {
    const parsed = krakenDepthResultSchema.parse({ XETHZUSD: { asks: [['3001', '1.5', 1700000000]], bids: [['2999', '2', 1700000000]] } });
    expect(parsed).toEqual({ pairKey: 'XETHZUSD', asks: [{ price: 3001, quantity: 1.5 }], bids: [{ price: 2999, quantity: 2 }] });
    expect(krakenDepthResultSchema.safeParse({}).success).toBe(false);
  });
});
