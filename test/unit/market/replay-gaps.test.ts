import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import { ReplayMarket } from '../../../shared/market/replay/market.js';

// Issue 12 defect 5: replay uses every series in the data dir (spot, then perp/ where spot has none) and
// says which inputs it lacks at its clock.
const H = 3_600_000;
const M5 = 5 * 60_000;
const config = buildConfig();
const asset = (s: string) => config.assets.find((a) => a.symbol === s)!;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'replay-gaps-'));
  const csv = (step: number, n: number, base = 100) => ['ts,open,high,low,close,volume', ...Array.from({ length: n }, (_, i) => `${i * step},${base},${base + 1},${base - 1},${base},1`)].join('\n');
  writeFileSync(join(dir, 'ETH-USDT-1h.csv'), csv(H, 48));
  mkdirSync(join(dir, 'perp'));
  writeFileSync(join(dir, 'perp', 'ETH-USDT-5m.csv'), csv(M5, 96, 200));
  writeFileSync(join(dir, 'perp', 'ETH-USDT-1h.csv'), csv(H, 48, 300));
  mkdirSync(join(dir, 'orderbooks'));
  writeFileSync(join(dir, 'orderbooks', 'binanceus_ETHUSDT_19700101T000000Z.json'), JSON.stringify({ lastUpdateId: 1, bids: [['99', '3']], asks: [['101', '2']] }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ReplayMarket reads perp/ series and reports what it lacks', () => {
  it('serves perp/ bars for an interval that has no spot file, and keeps spot where both exist', async () => {
    const market = new ReplayMarket({ dataDir: dir });
    const perpBars = await market.getCandles({ asset: asset('ETH'), venue: 'binance', interval: '5m', startMs: 0, endMs: 2 * M5 });
    expect(perpBars.map((b) => b.close)).toEqual([200, 200]);
    const spotBars = await market.getCandles({ asset: asset('ETH'), venue: 'binance', interval: '1h', startMs: 0, endMs: H });
    expect(spotBars.map((b) => b.close)).toEqual([100]);
  });

  it('lists per asset the intervals without bars at the clock, the series that ended long before it, and stale or absent books', () => {
    const market = new ReplayMarket({ dataDir: dir });
    const clockMs = 48 * H + 10 * 24 * H;
    const lacking = market.lacking([asset('ETH'), asset('SOL')], ['1h', '5m'], clockMs, config.policy);
    expect(lacking).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ETH: 1h candles end 1970-01-03T00:00/),
        expect.stringMatching(/^ETH: 5m candles end 1970-01-01T08:00 \(perp\)/),
        expect.stringMatching(/^ETH: order books recorded 1970-01-01T00:00.* only \(stale at the clock\)/),
        expect.stringMatching(/^SOL: no 1h candles/),
        expect.stringMatching(/^SOL: no recorded order book/),
      ]),
    );
    expect(market.lacking([asset('ETH')], ['1h'], 48 * H, config.policy).filter((l) => l.includes('1h'))).toEqual([]);
  });
});
