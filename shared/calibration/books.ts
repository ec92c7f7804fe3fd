import { BookPayloadError, parseRecordedBook } from '../market/replay/books.js';
import { bidDepthUsd, midPrice, spreadBps, type Level } from '../risk/liquidity.js';
import { DEPTH_BAND, SIM_BOOK_DEPTH_EXPONENT, SNAPSHOT_VOLUME_HALF_WINDOW_MS } from './constants.js';
import { medianHourlyUsdVolume, type HourlyHistory } from './history.js';

/** Recorded order-book snapshots (../shared/data/orderbooks) as depth and spread observations. */

export type BookKind = 'spot' | 'perp';

/** What a snapshot file measures, read off its name: a USD book of one of our assets. */
export interface BookTarget {
  exchange: string;
  pair: string;
  recordedMs: number;
  asset: string;
  /** Spot books feed the estimate; coin-margined perpetuals are shown as a cross-check only. */
  kind: BookKind;
  /** A coin-margined contract's face value in USD (quantities are contracts). */
  contractUsd?: number;
}

export interface BookObservation {
  file: string;
  exchange: string;
  pair: string;
  asset: string;
  kind: BookKind;
  recordedMs: number;
  spreadBps: number;
  /** Bid notional within 2 % of mid (USD; USDT counted as USD), extrapolated when the book stops short of 2 %. */
  bidDepth2PctUsd: number;
  /** How far below mid the book reaches (a fraction); below 0.02 the depth is extrapolated. */
  reachFraction: number;
  /** Median hourly Binance spot USD volume of the asset in the month around the snapshot. */
  binanceHourlyUsdVolume: number;
}

/** `<exchange>_<pair>_<yyyymmddThhmmss>Z.json` (see SOURCES.md). */
export function parseBookFileName(file: string): { exchange: string; pair: string; recordedMs: number } | null {
  const match = /^([a-z-]+)_(.+)_(\d{8}T\d{6})Z\.json$/.exec(file);
  if (!match) return null;
  const stamp = match[3]!;
  const recordedMs = Date.UTC(
    Number(stamp.slice(0, 4)),
    Number(stamp.slice(4, 6)) - 1,
    Number(stamp.slice(6, 8)),
    Number(stamp.slice(9, 11)),
    Number(stamp.slice(11, 13)),
    Number(stamp.slice(13, 15)),
  );
  return { exchange: match[1]!, pair: match[2]!, recordedMs };
}

const SPOT_EXCHANGES = new Set(['binance', 'binanceus', 'bitstamp', 'coinbase', 'kraken', 'okx', 'gateio', 'kucoin']);

/**
 * What a book measures, or null when it does not measure a USD book of one of `knownSymbols`. Spot pairs quoted in
 * USD or USDT count; coin-margined perpetuals (Binance COIN-M `XXXUSD-PERP`, OKX `XXX-USD-SWAP`) are read with their
 * contract face value (quantities are contracts of $100 for BTC, $10 otherwise). Dated futures (basis), leveraged
 * tokens (AAVEUP), BUSD/EUR/BTC quotes are left out.
 */
export function classifyBook(
  exchange: string,
  pair: string,
  knownSymbols: ReadonlySet<string>,
): { asset: string; kind: BookKind; contractUsd?: number } | null {
  const perp =
    exchange === 'binance-coinm' ? /^([A-Z0-9]+)USD-PERP$/.exec(pair) : exchange === 'okx' ? /^([A-Z0-9]+)-USD-SWAP$/.exec(pair) : null;
  if (perp) {
    const asset = perp[1]!;
    return knownSymbols.has(asset) ? { asset, kind: 'perp', contractUsd: asset === 'BTC' ? 100 : 10 } : null;
  }
  if (!SPOT_EXCHANGES.has(exchange)) return null;
  const spot = /^([A-Za-z0-9]+?)[-_/]?(USDT|USD)$/i.exec(pair);
  const asset = spot?.[1]!.toUpperCase();
  return asset && knownSymbols.has(asset) ? { asset, kind: 'spot' } : null;
}

/** The file's name and classification, or null when the file is not a USD book of one of `knownSymbols`. */
export function bookTarget(file: string, knownSymbols: ReadonlySet<string>): BookTarget | null {
  const name = parseBookFileName(file);
  const kind = name && classifyBook(name.exchange, name.pair, knownSymbols);
  return name && kind ? { ...name, ...kind } : null;
}

/**
 * Both sides of a recorded payload (shared/market/replay/books.ts), with a contract's notional, fixed in USD,
 * expressed as the base quantity worth that much at the level's price. Null when the payload is not a book
 * or a side is empty.
 */
export function bookSides(payload: unknown, source: string, contractUsd?: number): { bids: Level[]; asks: Level[] } | null {
  let parsed: ReturnType<typeof parseRecordedBook>;
  try {
    parsed = parseRecordedBook(payload, source);
  } catch (error) {
    if (error instanceof BookPayloadError) return null;
    throw error;
  }
  const toBase = (levels: readonly Level[]) => (contractUsd ? levels.map((l) => ({ price: l.price, quantity: (l.quantity * contractUsd) / l.price })) : [...levels]);
  const book = { bids: toBase(parsed.bids).filter((l) => l.quantity > 0), asks: toBase(parsed.asks).filter((l) => l.quantity > 0) };
  return book.bids.length > 0 && book.asks.length > 0 ? book : null;
}

/** Depth within 2 %; a book that stops at distance d < 2 % is scaled by (2 % / d)^0.85 like the simulator's books. */
export function depthWithin2Pct(bids: readonly Level[], mid: number): { depthUsd: number; reachFraction: number } {
  const reachFraction = 1 - bids[bids.length - 1]!.price / mid;
  const observed = bidDepthUsd(bids, mid, DEPTH_BAND);
  if (reachFraction >= DEPTH_BAND) return { depthUsd: observed, reachFraction };
  return { depthUsd: observed * (DEPTH_BAND / reachFraction) ** SIM_BOOK_DEPTH_EXPONENT, reachFraction };
}

/**
 * A snapshot as an observation, or null when it is not a usable book or the month around it is not covered
 * by the asset's Binance candles (its depth could not be put in hours of volume).
 */
export function bookObservation(file: string, target: BookTarget, payload: unknown, history: HourlyHistory): BookObservation | null {
  const book = bookSides(payload, file, target.contractUsd);
  if (!book) return null;
  const binanceHourlyUsdVolume = medianHourlyUsdVolume(
    history.candles,
    target.recordedMs - SNAPSHOT_VOLUME_HALF_WINDOW_MS,
    target.recordedMs + SNAPSHOT_VOLUME_HALF_WINDOW_MS,
  );
  if (!Number.isFinite(binanceHourlyUsdVolume)) return null;
  const mid = midPrice(book);
  const { depthUsd, reachFraction } = depthWithin2Pct(book.bids, mid);
  return {
    file,
    exchange: target.exchange,
    pair: target.pair,
    recordedMs: target.recordedMs,
    asset: target.asset,
    kind: target.kind,
    spreadBps: spreadBps(book),
    bidDepth2PctUsd: depthUsd,
    reachFraction,
    binanceHourlyUsdVolume,
  };
}
