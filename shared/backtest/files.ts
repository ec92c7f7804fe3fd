import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRecordedBook } from '../market/replay/books.js';
import type { BookSummary } from '../model/snapshot.js';
import { RECORDED_BOOKS, summaryOfRecordedBook } from './liquidity.js';

/** What the backtest reads from its data directory: the candle files (spot and perp/) and the recorded books. */

export function candleFiles(dataDir: string): string[] {
  const files = readdirSync(dataDir).filter((f) => f.endsWith('.csv'));
  const perp = path.join(dataDir, 'perp');
  if (existsSync(perp)) files.push(...readdirSync(perp).filter((f) => f.endsWith('.csv')).map((f) => `perp/${f}`));
  return files;
}

export function recordedBooks(dataDir: string, asset: string, warn: (text: string) => void): BookSummary[] {
  const books: BookSummary[] = [];
  for (const { file, venue } of RECORDED_BOOKS[asset] ?? []) {
    const full = path.join(dataDir, 'orderbooks', file);
    if (!existsSync(full)) {
      warn(`recorded book ${file} not found: ${asset} falls back to the synthetic book`);
      return [];
    }
    books.push(summaryOfRecordedBook(parseRecordedBook(JSON.parse(readFileSync(full, 'utf8')), file), venue, file));
  }
  return books;
}

/** Quotes taken at par with USD for the recorded books (stablecoins; no rate history in the files), longest first. */
const USD_LIKE_QUOTES = ['USDT', 'USDC', 'BUSD', 'USD'] as const;

/**
 * Every recorded spot book of an asset quoted in USD or a USD stablecoin (issue 14: caps from the depth of all
 * venues), the newest per exchange, stamped with its recording time. Derivative venues (names with a dash:
 * binance-coinm, gateio-futures) and other fiat quotes (CHF, GBP, AUD: no FX history here) are left out.
 */
export function recordedSpotBooks(dataDir: string, asset: string): BookSummary[] {
  const dir = path.join(dataDir, 'orderbooks');
  if (!existsSync(dir)) return [];
  const newest = new Map<string, { file: string; atMs: number }>();
  for (const file of readdirSync(dir)) {
    const m = /^([a-z0-9]+)_([A-Za-z0-9]+)[-/_]?([A-Za-z0-9]*)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.json$/.exec(file);
    if (!m) continue;
    const [, exchange, first, second, y, mo, d, h, mi, s] = m;
    const pair = `${first}${second}`.toUpperCase();
    const quote = USD_LIKE_QUOTES.find((q) => pair.endsWith(q));
    const base = quote ? pair.slice(0, pair.length - quote.length) : null;
    if (base !== asset && !(asset === 'BTC' && base === 'XBT')) continue;
    const atMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const seen = newest.get(exchange!);
    if (!seen || seen.atMs < atMs) newest.set(exchange!, { file, atMs });
  }
  return [...newest.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([exchange, { file, atMs }]) => ({
      ...summaryOfRecordedBook(parseRecordedBook(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), file), exchange, file),
      fetchedAtMs: atMs,
    }));
}
