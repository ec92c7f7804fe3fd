import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { AssetConfig, VenueId } from '../../shared/config/schema.js';
import { VenueApiError } from '../../shared/market/errors.js';
import { fetchCandleHistory } from '../../shared/market/venues/paging.js';
import type { VenueAdapter } from '../../shared/market/venues/types.js';
import { HAS_REAL_DATA, NO_REAL_DATA_REASON } from '../support/real-data.js';
import {
  GENEROUS_TIMEOUT_MS,
  LOOPBACK_USD_PER,
  RECORDED,
  adaptersFor,
  fastLiveMarket,
  modelBar,
  readRecorded,
  startVenueServers,
  type VenueServers,
} from '../support/venue-server.js';

/**
 * Contract tests: every adapter against a loopback server speaking the venue's paths and parameters.
 * Recorded real payloads where ../shared/data has them, hand-written ones elsewhere; the parsed values
 * are compared with the payload's own numbers.
 */

const NOW = Date.UTC(2025, 5, 1, 12, 7, 30);
const M5 = 300_000;
const H1 = 3_600_000;
const RECORDED_NOTE = HAS_REAL_DATA ? 'recorded' : NO_REAL_DATA_REASON;

let servers: VenueServers;
let adapters: Record<VenueId, VenueAdapter>;
let btc: AssetConfig;

beforeAll(async () => {
  servers = await startVenueServers({ now: () => NOW });
  adapters = adaptersFor(servers.venues);
  btc = buildConfig().assets.find((a) => a.symbol === 'BTC')!;
});
afterAll(async () => {
  await servers?.close();
});

const lastQuery = (venue: VenueId) => servers.requests(venue).at(-1)!.query;

describe('Binance spot adapter (/api/v3/klines, /api/v3/depth)', () => {
  it.skipIf(!HAS_REAL_DATA)(`parses the recorded klines response field by field (${RECORDED_NOTE})`, async () => {
    const rows = readRecorded(RECORDED.binanceKlines.file) as [number, string, string, string, string, string][];
    const startMs = rows[0]![0];
    const page = await adapters.binance.fetchCandlePage({ pair: 'BTCUSDT', intervalMs: 60_000, startMs, endMs: startMs + 10 * 60_000 });
    expect(lastQuery('binance')).toMatchObject({ symbol: 'BTCUSDT', interval: '1m', startTime: String(startMs), endTime: String(startMs + 600_000 - 1), limit: '1000' });
    expect(page.candles).toHaveLength(10);
    page.candles.forEach((c, i) => {
      const [t, o, h, l, cl, v] = rows[i]!;
      expect(c).toEqual({ openTimeMs: t, open: Number(o), high: Number(h), low: Number(l), close: Number(cl), volume: Number(v) });
    });
    expect(page.candles[0]).toEqual({ openTimeMs: 1634943780000, open: 60685.22, high: 60729.84, low: 60670.9, close: 60719.27, volume: 21.63272 });
    // A 10-row page is short of the 1,000 limit: the range is done.
    expect(page.nextStartMs).toBeNull();
  });

  it('pages a long history 1,000 bars at a time and returns the served values', async () => {
    const before = servers.requests('binance').length;
    const endMs = Math.floor(NOW / M5) * M5;
    const startMs = endMs - 1500 * M5;
    const { candles, pages } = await fetchCandleHistory(adapters.binance, { pair: 'ETHUSDT', intervalMs: M5, startMs, endMs });
    expect(pages).toBe(2);
    expect(candles).toHaveLength(1500);
    const sent = servers.requests('binance').slice(before);
    expect(sent.map((r) => Number(r.query.startTime))).toEqual([startMs, startMs + 1000 * M5]);
    expect(candles[0]).toEqual(modelBar('binance', 'ETH', M5, startMs));
    expect(candles[1499]).toEqual(modelBar('binance', 'ETH', M5, endMs - M5));
    // The still-open bar the venue includes is not taken.
    expect(candles.every((c) => c.openTimeMs < endMs)).toBe(true);
  });

  it.skipIf(!HAS_REAL_DATA)(`parses the recorded depth snapshot (${RECORDED_NOTE})`, async () => {
    const raw = readRecorded(RECORDED.binanceDepth.file) as { bids: [string, string][]; asks: [string, string][] };
    const book = await adapters.binance.fetchOrderBook('BTCUSDT', 1000);
    expect(lastQuery('binance')).toMatchObject({ symbol: 'BTCUSDT', limit: '1000' });
    expect(book.bids).toHaveLength(raw.bids.length);
    expect(book.asks).toHaveLength(raw.asks.length);
    expect(book.bids[0]).toEqual({ price: 60454.2, quantity: 0.006715 });
    expect(book.asks[0]).toEqual({ price: 60464.64, quantity: 0.025128 });
    expect(book.bids.at(-1)).toEqual({ price: Number(raw.bids.at(-1)![0]), quantity: Number(raw.bids.at(-1)![1]) });
    for (let i = 1; i < book.bids.length; i++) expect(book.bids[i]!.price).toBeLessThan(book.bids[i - 1]!.price);
  });
});

describe('Coinbase Exchange adapter (/products/{id}/candles, /products/{id}/book?level=2)', () => {
  it('pages in windows the venue accepts (at most 300 candles) and returns the served values', async () => {
    const before = servers.requests('coinbase').length;
    const endMs = Math.floor(NOW / H1) * H1;
    const startMs = endMs - 20 * 24 * H1;
    const { candles, pages } = await fetchCandleHistory(adapters.coinbase, { pair: 'ETH-USD', intervalMs: H1, startMs, endMs });
    expect(pages).toBe(2);
    expect(candles).toHaveLength(480);
    for (const r of servers.requests('coinbase').slice(before)) {
      expect(r.status).toBe(200);
      expect((Date.parse(r.query.end!) - Date.parse(r.query.start!)) / H1).toBeLessThanOrEqual(300);
    }
    expect(candles[0]).toEqual(modelBar('coinbase', 'ETH', H1, startMs));
    expect(candles[479]).toEqual(modelBar('coinbase', 'ETH', H1, endMs - H1));
  });

  it.skipIf(!HAS_REAL_DATA)(`parses the recorded level-2 book levels (${RECORDED_NOTE})`, async () => {
    const raw = readRecorded(RECORDED.coinbaseBook.file) as { bids: [string, string][]; asks: [string, string][] };
    const book = await adapters.coinbase.fetchOrderBook('SKL-USD', 5000);
    expect(servers.requests('coinbase').at(-1)).toMatchObject({ path: '/products/SKL-USD/book', query: { level: '2' } });
    expect(book.bids).toHaveLength(raw.bids.length);
    expect(book.bids[0]).toEqual({ price: 0.7901, quantity: 450 });
    expect(book.asks[0]).toEqual({ price: 0.791, quantity: 450 });
    expect(book.exchangeTimeMs).toBe(Date.UTC(2021, 3, 17, 16, 43, 37));
    // The levels cap applies on our side (the venue has no parameter for it).
    expect((await adapters.coinbase.fetchOrderBook('SKL-USD', 10)).bids).toHaveLength(10);
  });
});

describe('Kraken adapter (/0/public/OHLC, /0/public/Depth)', () => {
  it('serves only its latest 720 bars: one request, the older part of the range stays empty', async () => {
    const before = servers.requests('kraken').length;
    const endMs = Math.floor(NOW / M5) * M5;
    const { candles, pages } = await fetchCandleHistory(adapters.kraken, { pair: 'ETHUSD', intervalMs: M5, startMs: endMs - 10 * 288 * M5, endMs });
    expect(pages).toBe(1);
    expect(servers.requests('kraken').length - before).toBe(1);
    expect(candles).toHaveLength(719);
    expect(candles.at(-1)).toEqual(modelBar('kraken', 'ETH', M5, endMs - M5));
  });

  it.skipIf(!HAS_REAL_DATA)(`parses the recorded book levels in the REST envelope (${RECORDED_NOTE})`, async () => {
    const raw = readRecorded(RECORDED.krakenDepth.file) as [number, { as: string[][]; bs: string[][] }];
    const book = await adapters.kraken.fetchOrderBook('XMRUSD', 1000);
    expect(lastQuery('kraken')).toMatchObject({ pair: 'XMRUSD', count: '500' });
    expect(book.bids).toHaveLength(Math.min(500, raw[1].bs.length));
    expect(book.asks).toHaveLength(Math.min(500, raw[1].as.length));
    expect(book.bids[0]).toEqual({ price: 354.16, quantity: 1.4 });
    expect(book.asks[0]).toEqual({ price: 354.8, quantity: 1.4 });
  });

  it('turns Kraken\'s error array into a named error without retrying a permanent one', async () => {
    servers.fixture('kraken', 'candles', 'NOPEUSD', { error: ['EQuery:Unknown asset pair'] });
    const before = servers.requests('kraken').length;
    const failure = adapters.kraken.fetchCandlePage({ pair: 'NOPEUSD', intervalMs: M5, startMs: NOW - 10 * M5, endMs: NOW });
    await expect(failure).rejects.toThrow(VenueApiError);
    await expect(failure).rejects.toThrow(/EQuery:Unknown asset pair/);
    expect(servers.requests('kraken').length - before).toBe(1);
  });
});

/** The hand-written payloads: served for `pair`, one page of two bars fetched from `t`; the query sent and the bars parsed. */
describe('hand-written candle payloads', () => {
  const t = Date.UTC(2025, 4, 1, 10);
  const cases = [
    {
      venue: 'coinbase' as const,
      what: 'newest first, [time, low, high, open, close, volume]',
      pair: 'FIX-USD',
      intervalMs: H1,
      payload: [
        [t / 1000 + 3600, 101.5, 104.25, 102, 103.75, 12.5],
        [t / 1000, 99.5, 102.5, 100, 102, 7.25],
      ],
      query: { granularity: '3600', start: new Date(t).toISOString() },
      candles: [
        { openTimeMs: t, open: 100, high: 102.5, low: 99.5, close: 102, volume: 7.25 },
        { openTimeMs: t + H1, open: 102, high: 104.25, low: 101.5, close: 103.75, volume: 12.5 },
      ],
    },
    {
      venue: 'kraken' as const,
      what: "OHLC keyed by Kraken's own pair name, vwap is not the close",
      pair: 'XBTUSD',
      intervalMs: M5,
      payload: {
        error: [],
        result: {
          XXBTZUSD: [
            [t / 1000, '95000.1', '95500.0', '94800.5', '95300.2', '95210.7', '12.34567890', 321],
            [t / 1000 + 300, '95300.2', '95310.0', '95100.0', '95150.0', '95200.0', '0.00000000', 0],
          ],
          last: t / 1000,
        },
      },
      query: { pair: 'XBTUSD', interval: '5', since: String(t / 1000 - 1) },
      candles: [
        { openTimeMs: t, open: 95000.1, high: 95500, low: 94800.5, close: 95300.2, volume: 12.3456789 },
        { openTimeMs: t + M5, open: 95300.2, high: 95310, low: 95100, close: 95150, volume: 0 },
      ],
    },
  ];
  for (const { venue, what, pair, intervalMs, payload, query, candles } of cases) {
    it(`${venue} parses a hand-written candles payload (${what})`, async () => {
      servers.fixture(venue, 'candles', pair, payload);
      const page = await adapters[venue].fetchCandlePage({ pair, intervalMs, startMs: t, endMs: t + 2 * intervalMs });
      expect(lastQuery(venue)).toMatchObject(query);
      expect(page.candles).toEqual(candles);
    });
  }
});


describe('LiveMarket over the three adapters', () => {
  it('returns USD prices: Binance USDT bars times the USDT rate read from Kraken\'s USDTZUSD book, recorded per venue', async () => {
    const market = fastLiveMarket(servers.venues, { now: () => NOW });
    try {
      const endMs = Math.floor(NOW / H1) * H1;
      const request = { asset: btc, interval: '1h' as const, startMs: endMs - 3 * H1, endMs };
      const binance = await market.getCandles({ ...request, venue: 'binance' });
      const coinbase = await market.getCandles({ ...request, venue: 'coinbase' });
      const raw = modelBar('binance', 'BTC', H1, endMs - H1);
      expect(binance.at(-1)!.close).toBeCloseTo(raw.close * LOOPBACK_USD_PER.USDT, 6);
      expect(binance.at(-1)!.volume).toBe(raw.volume);
      expect(coinbase.at(-1)).toEqual(modelBar('coinbase', 'BTC', H1, endMs - H1));
      expect(market.quoteConversion('binance')).toMatchObject({ currency: 'USDT', source: 'kraken:USDTZUSD mid' });
      expect(market.quoteConversion('binance')!.usdPerQuote).toBeCloseTo(LOOPBACK_USD_PER.USDT, 8);
      expect(market.quoteConversion('coinbase')).toMatchObject({ currency: 'USD', usdPerQuote: 1, source: 'identity' });
      const book = await market.getOrderBook({ asset: btc, venue: 'kraken', atMs: NOW });
      expect(book).toMatchObject({ asset: 'BTC', venue: 'kraken', pair: 'XBTUSD', fetchedAtMs: NOW });
      expect(book.bids[0]!.price).toBeLessThan(book.asks[0]!.price);
    } finally {
      await market.dispose();
    }
  });

  it('probe(): reachable with two of three venues, not with none', async () => {
    const dead = 'http://127.0.0.1:9';
    const some = fastLiveMarket(servers.venues.map((v) => (v.id === 'kraken' ? { ...v, baseUrl: dead } : v)));
    const none = fastLiveMarket(servers.venues.map((v) => ({ ...v, baseUrl: dead })));
    try {
      // Nothing listens at the dead address, so it is refused at once: the healthy venues get a generous timeout.
      const ok = await some.probe({ timeoutMs: GENEROUS_TIMEOUT_MS });
      expect(ok.reachable).toBe(true);
      expect(ok.venues.filter((v) => v.ok).map((v) => v.venue)).toEqual(['binance', 'coinbase']);
      expect(ok.venues.find((v) => v.venue === 'kraken')!.error).toMatch(/connection failed/);
      expect((await none.probe({ timeoutMs: GENEROUS_TIMEOUT_MS })).reachable).toBe(false);
    } finally {
      await Promise.all([some.dispose(), none.dispose()]);
    }
  });
});
