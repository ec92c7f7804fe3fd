import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BookPayloadError, parseRecordedBook } from '../../../shared/market/replay/books.js';
import { HAS_REAL_DATA, NO_REAL_DATA_REASON, REAL_DATA_DIR } from '../../support/real-data.js';

describe('recorded order-book payloads', () => {
  it('parses the REST shape (Binance, Bitstamp, Coinbase) and sorts the sides', () => {
    const book = parseRecordedBook({ lastUpdateId: 1, bids: [['99.5', '2'], ['100', '1'], ['98', '0']], asks: [['101', '3'], ['100.5', '1']] }, 'hand');
    expect(book.bids).toEqual([{ price: 100, quantity: 1 }, { price: 99.5, quantity: 2 }]);
    expect(book.asks.map((l) => l.price)).toEqual([100.5, 101]);
  });

  it('parses the OKX websocket snapshot shape (extra level fields ignored)', () => {
    const book = parseRecordedBook({ arg: { channel: 'books', instId: 'BTC-USDT' }, action: 'snapshot', data: [{ bids: [['30000', '1.5', '0', '3']], asks: [['30001', '2', '0', '1']], ts: '1' }] }, 'okx');
    expect(book.bids).toEqual([{ price: 30000, quantity: 1.5 }]);
  });

  it('refuses a payload of another shape, naming the source and the field', () => {
    expect(() => parseRecordedBook({ bids: 'nope' }, 'x.json')).toThrow(BookPayloadError);
    expect(() => parseRecordedBook({ bids: [['-1', '2']], asks: [] }, 'x.json')).toThrow(/x\.json.*bad level/);
  });

  it.skipIf(!HAS_REAL_DATA)(`parses every recorded spot USD book of our assets (${HAS_REAL_DATA ? 'real data' : NO_REAL_DATA_REASON})`, () => {
    for (const file of ['bitstamp_btcusd_20210417T164136Z.json', 'binanceus_BTCUSDT_20210417T163648Z.json', 'okx_BTC-USDT_20220513T162705Z.json', 'bitstamp_ethusd_20220105T004816Z.json']) {
      const book = parseRecordedBook(JSON.parse(readFileSync(resolve(REAL_DATA_DIR, 'orderbooks', file), 'utf8')), file);
      expect(book.bids.length, file).toBeGreaterThan(50);
      expect(book.bids[0]!.price, file).toBeLessThan(book.asks[0]!.price);
    }
  });
});
