import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Candle } from '../../shared/market/types.js';

/**
 * The real market data handed to the project (read-only, never copied into the repo): `../shared/data`
 * relative to the repository root. Tests that need it skip, saying why, when it is absent.
 */
export const REAL_DATA_DIR = resolve(import.meta.dirname, '../../../shared/data');
export const HAS_REAL_DATA = existsSync(resolve(REAL_DATA_DIR, 'BTC-USDT-1h.csv'));
export const NO_REAL_DATA_REASON = `real data not found at ${REAL_DATA_DIR} (../shared/data): skipped`;

/** Reads a candle CSV (`ts,open,high,low,close,volume`, ts = open time in ms). */
export function readCandles(file: string): Candle[] {
  const lines = readFileSync(resolve(REAL_DATA_DIR, file), 'utf8').trim().split('\n');
  return lines.slice(1).map((line) => {
    const [ts, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
    return { openTimeMs: ts, open, high, low, close, volume };
  });
}
