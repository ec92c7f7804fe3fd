import { SIMULATOR_CALIBRATION } from '../config/calibration.js';
import type { ParsedBook } from '../market/replay/books.js';
import { BOOK_DEPTH_EXPONENT } from '../market/simulator.js';
import type { BookSummary } from '../model/snapshot.js';
import { midPrice, spreadBps } from '../risk/liquidity.js';

/**
 * Liquidity for the backtest. There are no historical order books for most dates, so every step of a
 * series uses the same books: a fixed liquidity shape in USD (slippage and depth are relative to mid, so
 * the shape applies at any price level). Two sources, in order:
 * 1. recorded real books (../shared/data/orderbooks) of the asset on USD-quoted spot venues, the pair the
 *    real-data parameter test uses (BTC, ETH);
 * 2. otherwise a synthetic book of the simulator's shape (cumulative depth grows as (distance / 2 %)^0.85
 *    out to 10 %), anchored at the asset's 2 % depth in shared/config/calibration.ts (itself measured on
 *    recorded books, see docs/calibration.md); an asset outside the calibration takes the median 2 % depth
 *    and spread of the calibrated assets other than BTC and ETH.
 * Caveat, stated in docs/backtest.md: liquidity in 2018 was thinner than these 2021-2024 shapes.
 */

/** Recorded books per asset: file in ../shared/data/orderbooks and a venue label. */
export const RECORDED_BOOKS: Readonly<Record<string, readonly { file: string; venue: string }[]>> = {
  BTC: [
    { file: 'bitstamp_btcusd_20210417T164136Z.json', venue: 'bitstamp' },
    { file: 'binanceus_BTCUSDT_20210417T163648Z.json', venue: 'binanceus' },
  ],
  ETH: [
    { file: 'bitstamp_ethusd_20220105T004816Z.json', venue: 'bitstamp' },
    { file: 'binanceus_ETHBUSD_20210417T163649Z.json', venue: 'binanceus' },
  ],
};

/** Bids further than this from mid are dropped from a recorded book (as the real-data test does). */
export const RECORDED_BOOK_REACH = 0.1;
/** Synthetic books: levels per side and the farthest level's distance from mid (the simulator's). */
export const SYNTHETIC_LEVELS = 120;
export const SYNTHETIC_MAX_DISTANCE = 0.1;
/** Mid of a synthetic book: arbitrary (every figure the engine reads is relative to mid or in USD). */
const SYNTHETIC_MID_USD = 100;

/** A parsed recorded book as the engine's per-venue summary, bids within `reach` of mid. */
export function summaryOfRecordedBook(book: ParsedBook, venue: string, pair: string, reach = RECORDED_BOOK_REACH): BookSummary {
  const mid = midPrice(book);
  return {
    venue,
    pair,
    fetchedAtMs: 0,
    midUsd: mid,
    spreadBps: spreadBps(book),
    bids: book.bids.filter((l) => l.price >= mid * (1 - reach)).map((l) => [l.price, l.quantity] as [number, number]),
  };
}

export interface SyntheticBookInput {
  /** Bid depth within 2 % of mid, USD. */
  depth2PctUsd: number;
  spreadBps: number;
  venue?: string;
}

/**
 * A deterministic bid ladder of the simulator's shape (no noise): level i at distance
 * d_i = halfSpread + (maxDistance - halfSpread)(i / levels)^1.5, cumulative USD depth2Pct (d_i / 2 %)^0.85.
 */
export function syntheticBook(input: SyntheticBookInput): BookSummary {
  const halfSpread = (input.spreadBps / 2) * 1e-4;
  const bids: [number, number][] = [];
  let previousUsd = 0;
  for (let i = 1; i <= SYNTHETIC_LEVELS; i++) {
    const distance = halfSpread + (SYNTHETIC_MAX_DISTANCE - halfSpread) * (i / SYNTHETIC_LEVELS) ** 1.5;
    const cumulativeUsd = input.depth2PctUsd * (distance / 0.02) ** BOOK_DEPTH_EXPONENT;
    const price = SYNTHETIC_MID_USD * (1 - distance);
    bids.push([price, (cumulativeUsd - previousUsd) / price]);
    previousUsd = cumulativeUsd;
  }
  return { venue: input.venue ?? 'synthetic', pair: 'synthetic', fetchedAtMs: 0, midUsd: SYNTHETIC_MID_USD, spreadBps: input.spreadBps, bids };
}

export interface LiquidityChoice {
  books: BookSummary[];
  /** One line for the report: where the liquidity came from. */
  source: string;
}

/** The calibrated 2 % depth and spread of an asset, or the median of the calibrated alts. */
export function calibratedLiquidity(asset: string): { depth2PctUsd: number; spreadBps: number; calibrated: boolean } {
  const own = SIMULATOR_CALIBRATION[asset];
  if (own) return { depth2PctUsd: own.depth2PctUsd, spreadBps: own.spreadBps, calibrated: true };
  const alts = Object.entries(SIMULATOR_CALIBRATION).filter(([symbol]) => symbol !== 'BTC' && symbol !== 'ETH').map(([, c]) => c);
  return { depth2PctUsd: median(alts.map((c) => c.depth2PctUsd)), spreadBps: median(alts.map((c) => c.spreadBps)), calibrated: false };
}

/** Books for an asset: the recorded ones when given, else the calibrated synthetic shape. */
export function liquidityFor(asset: string, recorded: readonly BookSummary[]): LiquidityChoice {
  if (recorded.length > 0) {
    return { books: [...recorded], source: `recorded books: ${recorded.map((b) => b.pair).join(', ')}` };
  }
  const { depth2PctUsd, spreadBps: spread, calibrated } = calibratedLiquidity(asset);
  const depth = `$${(depth2PctUsd / 1e6).toFixed(2)}M within 2 %, spread ${spread.toFixed(1)} bps`;
  return {
    books: [syntheticBook({ depth2PctUsd, spreadBps: spread })],
    source: calibrated ? `synthetic book, calibrated depth (${depth})` : `synthetic book, median calibrated alt depth (${depth})`,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
