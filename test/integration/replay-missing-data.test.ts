import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_REAL_DATA, NO_REAL_DATA_REASON, REAL_DATA_DIR } from '../support/real-data.js';

/**
 * Issue 12 defect 5: `--source replay` on ../shared/data (hourly bars for every asset, 5m for a few periods,
 * books for few venues and times). Missing input is not evidence: no asset is delisted or capped to $1 for
 * want of data, no placeholder figure is printed, the run says which inputs it lacks.
 */
if (!HAS_REAL_DATA) console.warn(NO_REAL_DATA_REASON);

const ROOT = resolve(import.meta.dirname, '../..');

describe.skipIf(!HAS_REAL_DATA)('replay of ../shared/data with missing inputs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'replay-missing-'));
  let stdout = '';
  beforeAll(async () => {
    const run = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/main.ts', '--once', '--source', 'replay', '--replay-dir', REAL_DATA_DIR, '--data-dir', dataDir, '--port', '0'],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    stdout = run.stdout;
  }, 300_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const rowsOf = (asset: string) => stdout.split('\n').filter((line) => line.startsWith(`│ ${asset} `));

  it('never delists for absent or stale data: CRV\'s 2021 book at a 2024 clock is stale, so held, not NOT COLLATERAL', () => {
    for (const asset of ['AAVE', 'BTC', 'CRV', 'DOGE', 'ETH', 'LINK', 'SOL', 'UNI']) {
      for (const row of rowsOf(asset)) expect(row, row).not.toMatch(/NOT COLLATERAL|NOT LISTABLE/);
    }
    expect(stdout).toMatch(/CRV aave-v3-ethereum: order book stale \(since 2021-10-12T00:24:35\.000Z\)/);
  });

  it('never prints a placeholder as a figure: no $1 cap, no 100 % slippage or move', () => {
    const tableRows = stdout.split('\n').filter((line) => /^│ [A-Z0-9]{2,12} /.test(line) && !line.startsWith('│ Asset')); // continuation lines of a cell start blank
    expect(tableRows.length).toBe(16);
    for (const row of tableRows) {
      expect(row, row).not.toMatch(/\$1\.00 /);
      const cells = row.split('│').map((c) => c.trim());
      // The move and slippage columns are the two before the version.
      expect(cells.at(-3), row).not.toBe('100.00 %');
      expect(cells.at(-4), row).not.toBe('100.00 %');
    }
    expect(stdout).toMatch(/no data/);
  });

  it('uses the hourly bars for the lending tail and says which inputs it lacks', () => {
    // Hourly bars exist for every asset: the 4 h move is a figure for all eight.
    for (const asset of ['AAVE', 'BTC', 'CRV', 'DOGE', 'ETH', 'LINK', 'SOL', 'UNI']) {
      const lendingRow = rowsOf(asset)[0]!;
      expect(lendingRow.split('│').map((c) => c.trim()).at(-4), lendingRow).toMatch(/^\d+\.\d\d %$/);
    }
    expect(stdout).toMatch(/Missing data/);
    expect(stdout).toMatch(/ETH aave-v3-ethereum: no order book/);
    expect(stdout).toMatch(/BTC perp-dex: no candles 5m/);
    // Up front, per asset: what the recordings lack at the replay clock.
    expect(stdout).toMatch(/lacks +BTC: 5m candles end 2022-05-28T07:55 \(spot\)/);
    expect(stdout).toMatch(/lacks +CRV: order books recorded 2021-10-12T00:24 only \(stale at the clock\)/);
    expect(stdout).toMatch(/lacks +ETH: no recorded order book/);
  });
});
