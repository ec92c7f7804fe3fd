import type { Candle } from '../market/types.js';
import { AdvisorError } from '../util/errors.js';

/** A candle file that is not `ts,open,high,low,close,volume` with numeric rows ascending by ts. */
export class CandleCsvError extends AdvisorError {
  constructor(source: string, line: number, reason: string) {
    super('CANDLE_CSV_INVALID', `${source}:${line}: ${reason}`, { source, line, reason });
  }
}

const HEADER = 'ts,open,high,low,close,volume';

/** Parses a shared-data candle CSV (ts = candle open time, epoch ms, UTC). */
export function parseCandleCsv(text: string, source: string): Candle[] {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) throw new CandleCsvError(source, 1, `expected the header "${HEADER}"`);
  const candles: Candle[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== 6) throw new CandleCsvError(source, i + 1, `expected 6 fields, got ${cells.length}`);
    const [ts, open, high, low, close, volume] = cells.map(Number) as [number, number, number, number, number, number];
    if (![ts, open, high, low, close, volume].every(Number.isFinite)) throw new CandleCsvError(source, i + 1, 'non-numeric field');
    const previous = candles[candles.length - 1];
    if (previous && ts <= previous.openTimeMs) throw new CandleCsvError(source, i + 1, `ts ${ts} is not after the previous row's ${previous.openTimeMs}`);
    candles.push({ openTimeMs: ts, open, high, low, close, volume });
  }
  return candles;
}
