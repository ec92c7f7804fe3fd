import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Candle } from '../../shared/market/types.js';
import { REAL_DATA_DIR, REAL_DATA_DIR_AS_DOCUMENTED, REAL_DATA_FILES, missingRealData } from './real-data-files.js';

export { REAL_DATA_DIR, REAL_DATA_FILES, missingRealData } from './real-data-files.js';

/**
 * The real market data handed to the project (read-only, never copied into the repo): `../shared/data`
 * relative to the repository root. Every real-data test decides by HAS_REAL_DATA. Without the data a
 * plain `npm test` skips those tests, saying why; under CI (`CI=true`, or `ADVISOR_REQUIRE_REAL_DATA=1`
 * as `.ci/run` sets) importing this module throws instead, so a green run always includes the evidence.
 */

export class RealDataMissingError extends Error {
  readonly code = 'REAL_DATA_MISSING';
  constructor(
    readonly dir: string,
    readonly missing: readonly string[],
    readonly expected: number,
  ) {
    super(
      `real data missing: ${REAL_DATA_DIR_AS_DOCUMENTED} (${dir}) lacks ${missing.length} of ${expected} files the real-data tests read: ` +
        `${missing.join(', ')}; CI requires them (ADVISOR_REQUIRE_REAL_DATA=0 skips those tests instead)`,
    );
    this.name = 'RealDataMissingError';
  }
}

/** CI must not go green without the real-data tests: CI=true or ADVISOR_REQUIRE_REAL_DATA=1, unless it is 0. */
export function realDataRequired(env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.ADVISOR_REQUIRE_REAL_DATA !== undefined) return env.ADVISOR_REQUIRE_REAL_DATA === '1';
  return env.CI === 'true' || env.CI === '1';
}

export interface RealDataGate {
  available: boolean;
  /** Why the tests skip (empty when available): the path and the missing files. */
  reason: string;
}

/** Available when every listed file is there; otherwise a skip with its reason, or a RealDataMissingError when required. */
export function realDataGate(dir: string, files: readonly string[], env: Readonly<Record<string, string | undefined>>): RealDataGate {
  const missing = missingRealData(dir, files);
  if (missing.length === 0) return { available: true, reason: '' };
  const error = new RealDataMissingError(dir, missing, files.length);
  if (realDataRequired(env)) throw error;
  return { available: false, reason: `${error.message.replace(/; CI requires.*$/, '')}: skipped` };
}

const GATE = realDataGate(REAL_DATA_DIR, REAL_DATA_FILES, process.env);
export const HAS_REAL_DATA = GATE.available;
export const NO_REAL_DATA_REASON = GATE.reason;
// Once per test file that needs the data, on the console of the run.
if (!HAS_REAL_DATA) console.warn(NO_REAL_DATA_REASON);

/** Reads a candle CSV (`ts,open,high,low,close,volume`, ts = open time in ms). */
export function readCandles(file: string): Candle[] {
  const lines = readFileSync(resolve(REAL_DATA_DIR, file), 'utf8').trim().split('\n');
  return lines.slice(1).map((line) => {
    const [ts, open, high, low, close, volume] = line.split(',').map(Number) as [number, number, number, number, number, number];
    return { openTimeMs: ts, open, high, low, close, volume };
  });
}
