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
