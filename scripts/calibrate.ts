/**
 * Calibrates the seeded simulator (shared/market/simulator.ts) to real market data and validates it.
 *
 *   npm run calibrate                 # data from ../shared/data (relative to the working directory)
 *   npm run calibrate -- --data <dir>
 *
 * Reads Binance spot <SYM>-USDT-1h.csv candles and the order-book snapshots in <dir>/orderbooks, estimates
 * every field of simulatorCalibrationSchema per asset, tunes the jump parameters until the simulator
 * (seed 42, 3 years of hourly bars) reproduces the real 4 h q99 / q99.9 worst drawdowns, then writes
 * shared/config/calibration.ts and docs/calibration.md. Deterministic: same data, same output (bar the date).
 * The method lives in shared/calibration/; this file reads, writes and prints.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bookObservation, bookTarget, type BookObservation } from '../shared/calibration/books.js';
import { ACCEPT_RELATIVE_ERROR, type AssetSpec } from '../shared/calibration/constants.js';
import { calibrationDoc } from '../shared/calibration/doc.js';
import { passes } from '../shared/calibration/fit.js';
import { isoDate, pct, textTable } from '../shared/calibration/format.js';
import { hourlyCandleFile, hourlyHistory, type HourlyHistory } from '../shared/calibration/history.js';
import { calibrateAssets } from '../shared/calibration/pipeline.js';
import { calibrationSource } from '../shared/calibration/source.js';
import { terminalTables } from '../shared/calibration/tables.js';
import { UNIVERSE } from '../shared/config/universe.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CALIBRATION_FILE = path.join(REPO_ROOT, 'shared/config/calibration.ts');
const DOC_FILE = path.join(REPO_ROOT, 'docs/calibration.md');
const DEFAULT_DATA_DIR = '../shared/data';

/** The universe of shared/config/defaults.ts. */
const ASSETS: readonly AssetSpec[] = UNIVERSE;

function dataDirFromArgs(argv: readonly string[]): string {
  const flag = argv.indexOf('--data');
  if (flag >= 0 && !argv[flag + 1]) {
    console.error('calibrate: --data needs a directory');
    process.exit(1);
  }
  return path.resolve(process.cwd(), flag >= 0 ? argv[flag + 1]! : DEFAULT_DATA_DIR);
}

/** Every book of one of our assets whose month around the snapshot is covered by the asset's Binance candles. */
function loadBooks(dataDir: string, histories: ReadonlyMap<string, HourlyHistory>): BookObservation[] {
  const dir = path.join(dataDir, 'orderbooks');
  if (!existsSync(dir)) return [];
  const knownSymbols = new Set(ASSETS.map((a) => a.symbol));
  const observations: BookObservation[] = [];
  for (const file of readdirSync(dir).sort()) {
    const target = bookTarget(file, knownSymbols);
    const history = target ? histories.get(target.asset) : undefined;
    if (!target || !history) continue;
    const observation = bookObservation(file, target, JSON.parse(readFileSync(path.join(dir, file), 'utf8')), history);
    if (observation) observations.push(observation);
  }
  return observations;
}

function main(): void {
  const startedMs = Date.now();
  const dataDir = dataDirFromArgs(process.argv.slice(2));
  if (!existsSync(dataDir)) {
    console.error(`calibrate: data directory not found: ${dataDir}\n  (expected the shared data checkout next to the repo; pass --data <dir> to point elsewhere)`);
    process.exit(1);
  }
  const missing = ASSETS.map((a) => hourlyCandleFile(a.symbol)).filter((f) => !existsSync(path.join(dataDir, f)));
  if (missing.length > 0) {
    console.error(`calibrate: missing candle files in ${dataDir}: ${missing.join(', ')}`);
    process.exit(1);
  }

  const histories = new Map(
    ASSETS.map((a) => {
      const file = hourlyCandleFile(a.symbol);
      return [a.symbol, hourlyHistory(file, readFileSync(path.join(dataDir, file), 'utf8'))];
    }),
  );
  const books = loadBooks(dataDir, histories);
  const results = calibrateAssets(ASSETS, histories, books, (result) => {
    console.error(`  ${result.spec.symbol}: ${result.fitIterations} simulator run(s), ${passes(result) ? 'within' : 'OUTSIDE'} ${pct(ACCEPT_RELATIVE_ERROR, 0)}`);
  });

  const generatedOn = isoDate(Date.now());
  writeFileSync(CALIBRATION_FILE, calibrationSource(results, books, generatedOn));
  mkdirSync(path.dirname(DOC_FILE), { recursive: true });
  writeFileSync(DOC_FILE, calibrationDoc(results, books, generatedOn, path.relative(REPO_ROOT, dataDir) || dataDir));

  for (const { title, header, rows } of terminalTables(results)) {
    console.log(`\n${title}\n`);
    console.log(textTable(header, rows));
  }
  console.log(`\nWrote ${path.relative(process.cwd(), CALIBRATION_FILE)} and ${path.relative(process.cwd(), DOC_FILE)} in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
  if (!results.every(passes)) {
    console.error(`calibrate: some assets are outside ${pct(ACCEPT_RELATIVE_ERROR, 0)} of the real tails (see the table)`);
    process.exitCode = 2;
  }
}

main();
