import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import { SimulatedMarket } from '../../shared/market/simulator.js';
import { drawdownTail } from '../../shared/risk/drawdown.js';
import { splitAtGaps } from '../../shared/risk/series.js';
import { HAS_REAL_DATA, readCandles } from '../support/real-data.js';

const H = 3_600_000;

describe.skipIf(!HAS_REAL_DATA)('on the real Binance data in ../shared/data', () => {
  it('the 4 h q99.9 worst drawdown reproduces the methodology\'s reference figures (docs/methodology.md#reference-figures)', () => {
    // BTC 15.3 %, ETH 18.3 %, SOL 21.5 % (LINK is omitted: its file has a bad print the outlier filter must catch).
    const expected = { BTC: 0.153, ETH: 0.183, SOL: 0.215 };
    for (const [asset, q] of Object.entries(expected)) {
      const tail = drawdownTail(splitAtGaps(readCandles(`${asset}-USDT-1h.csv`), H), 4, [0.999]);
      expect(tail.quantiles['0.999'], asset).toBeGreaterThan(q - 0.003);
      expect(tail.quantiles['0.999'], asset).toBeLessThan(q + 0.003);
    }
  });

  it('the calibrated simulator reproduces the real 4 h tails within 15 % (BTC, ETH)', () => {
    const config = buildConfig();
    const market = new SimulatedMarket({ seed: 42, originMs: Date.UTC(2024, 0, 1) });
    for (const symbol of ['BTC', 'ETH']) {
      const real = drawdownTail(splitAtGaps(readCandles(`${symbol}-USDT-1h.csv`), H), 4, [0.99, 0.999]);
      const asset = config.assets.find((a) => a.symbol === symbol)!;
      const candles = market.candlesSync({ asset, venue: 'binance', interval: '1h', startMs: Date.UTC(2024, 0, 1), endMs: Date.UTC(2027, 0, 1) });
      const sim = drawdownTail(splitAtGaps(candles, H), 4, [0.99, 0.999]);
      for (const p of ['0.99', '0.999']) {
        const ratio = sim.quantiles[p]! / real.quantiles[p]!;
        expect(ratio, `${symbol} q${p}: sim ${sim.quantiles[p]} vs real ${real.quantiles[p]}`).toBeGreaterThan(0.85);
        expect(ratio, `${symbol} q${p}`).toBeLessThan(1.15);
      }
    }
  });
});
