import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { LendingProfile } from '../../shared/config/schema.js';
import { parseRecordedBook } from '../../shared/market/replay/books.js';
import type { BookSummary } from '../../shared/model/snapshot.js';
import { computeParameters } from '../../shared/risk/engine/recommend.js';
import { midPrice, spreadBps } from '../../shared/risk/liquidity.js';
import { HAS_REAL_DATA, REAL_DATA_DIR, readCandles } from '../support/real-data.js';

/**
 * The engine on real data: Binance hourly candles and real order-book snapshots from ../shared/data,
 * against Aave v3 Ethereum's live parameters (docs/methodology.md#ref-aave-v3-parameters: WETH LT 83 %, WBTC LT 78 %).
 */

/** `atMs`: the recorded book stands for the liquidity at the clock (this test is about the tail, not book age). */
function recordedBook(file: string, venue: string, atMs: number): BookSummary {
  const book = parseRecordedBook(JSON.parse(readFileSync(resolve(REAL_DATA_DIR, 'orderbooks', file), 'utf8')), file);
  const mid = midPrice(book);
  return {
    venue,
    pair: file,
    fetchedAtMs: atMs,
    midUsd: mid,
    spreadBps: spreadBps(book),
    bids: book.bids.filter((l) => l.price >= mid * 0.9).map((l) => [l.price, l.quantity] as [number, number]),
  };
}

const CASES = [
  { asset: 'BTC', aaveLtBps: 7800, books: [recordedBookLazy('bitstamp_btcusd_20210417T164136Z.json', 'bitstamp'), recordedBookLazy('binanceus_BTCUSDT_20210417T163648Z.json', 'binanceus')] },
  { asset: 'ETH', aaveLtBps: 8300, books: [recordedBookLazy('bitstamp_ethusd_20220105T004816Z.json', 'bitstamp'), recordedBookLazy('binanceus_ETHBUSD_20210417T163649Z.json', 'binanceus')] },
];

function recordedBookLazy(file: string, venue: string): (atMs: number) => BookSummary {
  return (atMs) => recordedBook(file, venue, atMs);
}

describe.skipIf(!HAS_REAL_DATA)('engine on real data vs Aave v3 Ethereum', () => {
  const config = buildConfig();
  const base = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
  // The whole hourly history (2017-2024, split at gaps), as the methodology's calibration table.
  const profile: LendingProfile = { ...base, lookbackDays: 3650, current: {} };

  for (const { asset, aaveLtBps, books } of CASES) {
    it(`${asset}: liquidation threshold within 15 pp of Aave's ${aaveLtBps / 100} %`, () => {
      const candles = readCandles(`${asset}-USDT-1h.csv`);
      const nowMs = candles[candles.length - 1]!.openTimeMs;
      const result = computeParameters({
        asset,
        profile,
        policy: config.policy,
        candles,
        books: books.map((b) => b(nowMs)),
        quality: { passed: true, issues: [], venuesWithData: 2, missingBarShare: 0, lastBarAgeMs: 0 },
        nowMs,
      });
      if (result.profileKind !== 'lending') throw new Error('expected a lending result');
      const t = result.target;
      console.log(
        `${asset}: ours LT ${t.liquidationThresholdBps / 100} % / LTV ${t.ltvBps / 100} % / bonus ${t.liquidationBonusBps / 100} %` +
          ` (adverse move ${(result.volatility.adverseMove! * 100).toFixed(1)} % from the ${result.volatility.adverseMoveSource} tail, regime ${result.volatility.regime},` +
          ` slippage ${(result.liquidity.slippageUsed! * 100).toFixed(2)} %); Aave v3 Ethereum LT ${aaveLtBps / 100} %`,
      );
      expect(result.status).toBe('ok');
      expect(Math.abs(t.liquidationThresholdBps - aaveLtBps)).toBeLessThanOrEqual(1500);
      expect(t.ltvBps).toBeLessThanOrEqual(t.liquidationThresholdBps);
    });
  }
});
