import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { ReplayDataMissingError } from '../../../shared/market/errors.js';
import { parseRecordedBook } from '../../../shared/market/replay/books.js';
import { ReplayMarket, splitSpotPair } from '../../../shared/market/replay/market.js';
import { HAS_REAL_DATA, NO_REAL_DATA_REASON, REAL_DATA_DIR, readCandles } from '../../support/real-data.js';

const H = 3_600_000;
const config = buildConfig();
const asset = (s: string) => config.assets.find((a) => a.symbol === s)!;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'replay-'));
  const rows = ['ts,open,high,low,close,volume', ...Array.from({ length: 48 }, (_, i) => `${i * H},${100 + i},${101 + i},${99 + i},${100.5 + i},${i}`)];
  writeFileSync(join(dir, 'ETH-USDT-1h.csv'), rows.join('\n'));
  mkdirSync(join(dir, 'orderbooks'));
  writeFileSync(join(dir, 'orderbooks', 'kraken_ETH-USD_20240101T000000Z.json'), JSON.stringify([1, { as: [['101', '2', '1.0']], bs: [['99', '3', '1.0'], ['98', '0', '1.0']] }, 'book-10', 'ETH/USD']));
  writeFileSync(join(dir, 'orderbooks', 'kraken_ETH-USD_20240102T000000Z.json'), JSON.stringify([1, { as: [['201', '2', '1.0']], bs: [['199', '3', '1.0']] }, 'book-10', 'ETH/USD']));
  writeFileSync(join(dir, 'orderbooks', 'kraken_ETH-CHF_20240101T000000Z.json'), JSON.stringify([1, { as: [['1', '1', '1']], bs: [['0.5', '1', '1']] }, 'book-10', 'ETH/CHF']));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ReplayMarket', () => {
  it('serves recorded bars in [startMs, endMs) for the venue the recordings stand for, quote taken at par', async () => {
    const market = new ReplayMarket({ dataDir: dir });
    const bars = await market.getCandles({ asset: asset('ETH'), venue: 'binance', interval: '1h', startMs: 10 * H, endMs: 13 * H });
    expect(bars).toEqual([10, 11, 12].map((i) => ({ openTimeMs: i * H, open: 100 + i, high: 101 + i, low: 99 + i, close: 100.5 + i, volume: i })));
    expect(market.quoteConversion('binance')).toMatchObject({ currency: 'USDT', usdPerQuote: 1, source: 'assumed-par' });
    expect(market.coverage('ETH', '1h')).toEqual({ firstOpenMs: 0, lastOpenMs: 47 * H, endMs: 48 * H });
  });

  it('other venues have no recording unless mirrored; a missing interval or asset is named', async () => {
    const market = new ReplayMarket({ dataDir: dir });
    const request = { asset: asset('ETH'), interval: '1h' as const, startMs: 0, endMs: 2 * H };
    await expect(market.getCandles({ ...request, venue: 'coinbase' })).rejects.toThrow(ReplayDataMissingError);
    await expect(market.getCandles({ ...request, interval: '5m', venue: 'binance' })).rejects.toThrow(/5m candles for ETH/);
    const mirrored = new ReplayMarket({ dataDir: dir, mirrorCandles: true });
    expect(await mirrored.getCandles({ ...request, venue: 'kraken' })).toHaveLength(2);
  });

  it('books: the venue\'s recording closest before atMs (else the earliest), USD quotes only, stamped with its recording time', async () => {
    const market = new ReplayMarket({ dataDir: dir });
    const jan1 = Date.UTC(2024, 0, 1);
    const later = await market.getOrderBook({ asset: asset('ETH'), venue: 'kraken', atMs: jan1 + 36 * H });
    expect(later).toMatchObject({ venue: 'kraken', pair: 'ETHUSD', fetchedAtMs: jan1 + 24 * H, bids: [{ price: 199, quantity: 3 }] });
    const early = await market.getOrderBook({ asset: asset('ETH'), venue: 'kraken', atMs: 0 });
    expect(early.fetchedAtMs).toBe(jan1);
    expect(early.bids).toEqual([{ price: 99, quantity: 3 }]);
    await expect(market.getOrderBook({ asset: asset('ETH'), venue: 'coinbase', atMs: jan1 })).rejects.toThrow(ReplayDataMissingError);
  });

  it('splitSpotPair reads the pair spellings of the recordings', () => {
    expect(splitSpotPair('BTCUSDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(splitSpotPair('btcusd')).toEqual({ base: 'BTC', quote: 'USD' });
    expect(splitSpotPair('XBT-CHF')).toEqual({ base: 'BTC', quote: 'CHF' });
    expect(splitSpotPair('BTC-USD-220527')).toBeNull();
  });

  it.skipIf(!HAS_REAL_DATA)(`reads ../shared/data: BTC 1h bars as recorded, the Binance.US BTCUSDT book (${HAS_REAL_DATA ? 'real data' : NO_REAL_DATA_REASON})`, async () => {
    const market = new ReplayMarket({ dataDir: REAL_DATA_DIR });
    const recorded = readCandles('BTC-USDT-1h.csv');
    const slice = recorded.slice(1000, 1010);
    const bars = await market.getCandles({ asset: asset('BTC'), venue: 'binance', interval: '1h', startMs: slice[0]!.openTimeMs, endMs: slice[9]!.openTimeMs + H });
    expect(bars).toEqual(slice);
    const book = await market.getOrderBook({ asset: asset('BTC'), venue: 'binance', atMs: Date.UTC(2022, 0, 1) });
    expect(book.fetchedAtMs).toBe(Date.UTC(2021, 3, 17, 16, 36, 48));
    expect(book.bids[0]).toEqual({ price: 60454.2, quantity: 0.006715 });
    // Kraken's websocket book-1000 frame: [channelID, {as, bs}, "book-1000", pair].
    const raw = JSON.parse(readFileSync(join(REAL_DATA_DIR, 'orderbooks', 'kraken_XMR-USD_20210417T164854Z.json'), 'utf8')) as unknown;
    const kraken = parseRecordedBook(raw, 'kraken_XMR-USD');
    expect(kraken.bids[0]).toEqual({ price: 354.16, quantity: 1.4 });
    expect(kraken.asks[0]).toEqual({ price: 354.8, quantity: 1.4 });
    expect(kraken.bids).toHaveLength(654);
  });
});
