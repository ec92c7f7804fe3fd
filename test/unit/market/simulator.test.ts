import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { VenueNotListedError } from '../../../shared/market/errors.js';
import { SimulatedMarket } from '../../../shared/market/simulator.js';
import { logReturns, splitAtGaps } from '../../../shared/risk/series.js';
import { bidDepthUsd, midPrice } from '../../../shared/risk/liquidity.js';

const config = buildConfig();
const btc = config.assets.find((a) => a.symbol === 'BTC')!;
const originMs = Date.UTC(2025, 0, 1);
const H = 3_600_000;

function market(seed = 42) {
  return new SimulatedMarket({ seed, originMs });
}

describe('seeded market simulator', () => {
  it('same seed, same data, whatever ranges are asked for and in whatever order', async () => {
    const a = market();
    const late = await a.getCandles({ asset: btc, venue: 'binance', interval: '1h', startMs: originMs + 300 * H, endMs: originMs + 400 * H });
    const early = await a.getCandles({ asset: btc, venue: 'binance', interval: '1h', startMs: originMs, endMs: originMs + 400 * H });
    const b = await market().getCandles({ asset: btc, venue: 'binance', interval: '1h', startMs: originMs + 300 * H, endMs: originMs + 400 * H });
    expect(late).toEqual(early.slice(300));
    expect(b).toEqual(late);
    const other = await market(7).getCandles({ asset: btc, venue: 'binance', interval: '1h', startMs: originMs + 300 * H, endMs: originMs + 400 * H });
    expect(other).not.toEqual(late);
  });

  it('hourly bars aggregate the 5-minute bars', async () => {
    const m = market();
    const hour = (await m.getCandles({ asset: btc, venue: 'kraken', interval: '1h', startMs: originMs + 10 * H, endMs: originMs + 11 * H }))[0]!;
    const fives = await m.getCandles({ asset: btc, venue: 'kraken', interval: '5m', startMs: originMs + 10 * H, endMs: originMs + 11 * H });
    expect(fives).toHaveLength(12);
    expect(hour.open).toBeCloseTo(fives[0]!.open, 9);
    expect(hour.close).toBeCloseTo(fives[11]!.close, 9);
    expect(hour.high).toBeCloseTo(Math.max(...fives.map((f) => f.high)), 9);
    expect(hour.low).toBeCloseTo(Math.min(...fives.map((f) => f.low)), 9);
  });

  it('bars are consistent OHLC on a grid, venues agree within a few bps', async () => {
    const m = market();
    const range = { asset: btc, interval: '1h' as const, startMs: originMs, endMs: originMs + 24 * 30 * H };
    const binance = await m.getCandles({ ...range, venue: 'binance' });
    const coinbase = await m.getCandles({ ...range, venue: 'coinbase' });
    for (const [i, c] of binance.entries()) {
      expect(c.openTimeMs).toBe(originMs + i * H);
      expect(c.high).toBeGreaterThanOrEqual(Math.max(c.open, c.close));
      expect(c.low).toBeLessThanOrEqual(Math.min(c.open, c.close));
      expect(Math.abs(c.close / coinbase[i]!.close - 1)).toBeLessThan(0.003);
    }
  });

  it('returns are fat-tailed (excess kurtosis well above a normal law)', async () => {
    const candles = await market().getCandles({ asset: btc, venue: 'binance', interval: '1h', startMs: originMs, endMs: originMs + 365 * 24 * H });
    const r = logReturns(splitAtGaps(candles, H));
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    let m2 = 0;
    let m4 = 0;
    for (const x of r) {
      m2 += (x - mean) ** 2;
      m4 += (x - mean) ** 4;
    }
    const kurtosis = (m4 / r.length) / (m2 / r.length) ** 2;
    expect(kurtosis).toBeGreaterThan(5);
  });

  it('books are deterministic, uncrossed, and thin away from mid', async () => {
    const m = market();
    const atMs = originMs + 1000 * H;
    const book = await m.getOrderBook({ asset: btc, venue: 'binance', atMs });
    expect(await market().getOrderBook({ asset: btc, venue: 'binance', atMs })).toEqual(book);
    expect(book.bids[0]!.price).toBeLessThan(book.asks[0]!.price);
    const mid = midPrice(book);
    const near = bidDepthUsd(book.bids, mid, 0.01);
    const far = bidDepthUsd(book.bids, mid, 0.1) - bidDepthUsd(book.bids, mid, 0.09);
    expect(near).toBeGreaterThan(far);
    for (let i = 1; i < book.bids.length; i++) expect(book.bids[i]!.price).toBeLessThan(book.bids[i - 1]!.price);
  });

  it('refuses a venue the asset is not listed on, naming both', async () => {
    const onlyBinance = { ...btc, venuePairs: { binance: 'BTCUSDT' } };
    await expect(market().getCandles({ asset: onlyBinance, venue: 'kraken', interval: '1h', startMs: originMs, endMs: originMs + H })).rejects.toThrow(
      VenueNotListedError,
    );
  });
});
