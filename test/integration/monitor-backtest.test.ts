import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_REAL_DATA, NO_REAL_DATA_REASON, REAL_DATA_DIR } from '../support/real-data.js';

/**
 * Issue 15's acceptance on the real data, through `npm run backtest` (the stress monitor simulated on every
 * hourly bar): the first emergency on BTC 2020-03-12 at or before 12:00 UTC (first 25 % drop at 10:00), on
 * the SOL perpetual's hourly series 2022-11-08 at or before 20:00 (first 25 % drop at 18:00). Short ranges
 * around each crash (the whole default backtest prints the same lines: docs/backtest.md).
 */

const ROOT = resolve(import.meta.dirname, '../..');
async function backtest(args: string[], out: string): Promise<{ report: Record<string, unknown>; stdout: string }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/backtest.ts', '--data', REAL_DATA_DIR, '--profile', 'aave-v3-ethereum', '--workers', '1', '--quiet', '--out', out, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { report: JSON.parse(readFileSync(join(out, 'backtest.json'), 'utf8')), stdout };
}

interface Emergency {
  atMs: number;
  reason: string;
  parameter: string;
  fromBps: number;
  toBps: number;
}
interface Acceptance {
  seriesId: string;
  day: string;
  firstDropMs: number | null;
  firstEmergencyMs: number | null;
  pass: boolean;
}

describe.skipIf(!HAS_REAL_DATA)(`stress monitor in the backtest (real data${HAS_REAL_DATA ? '' : `: ${NO_REAL_DATA_REASON}`})`, () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'monitor-btc-')), mkdtempSync(join(tmpdir(), 'monitor-sol-'))];
  let btc: Awaited<ReturnType<typeof backtest>>;
  let sol: Awaited<ReturnType<typeof backtest>>;
  beforeAll(async () => {
    [btc, sol] = await Promise.all([
      backtest(['--assets', 'BTC', '--from', '2020-03-05', '--to', '2020-03-20'], dirs[0]!),
      backtest(['--assets', 'SOL', '--from', '2022-11-01', '--to', '2022-11-15'], dirs[1]!),
    ]);
  }, 240_000);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const acceptance = (r: { report: Record<string, unknown> }, id: string) => ((r.report.monitor as { acceptance: Acceptance[] }).acceptance).find((a) => a.seriesId === id)!;
  const emergencies = (r: { report: Record<string, unknown> }, id: string) => ((r.report.series as { id: string; emergencies?: Emergency[] }[]).find((s) => s.id === id)!.emergencies ?? []);

  it('BTC 2020-03-12: the first 25 % drop at 10:00 UTC, the first emergency at or before 12:00, an LT cut beyond the stress line', () => {
    const a = acceptance(btc, 'BTC');
    expect(new Date(a.firstDropMs!).toISOString()).toBe('2020-03-12T10:00:00.000Z');
    expect(a.firstEmergencyMs).not.toBeNull();
    expect(a.firstEmergencyMs!).toBeLessThanOrEqual(Date.UTC(2020, 2, 12, 12));
    expect(a.pass).toBe(true);
    const first = emergencies(btc, 'BTC').find((e) => e.atMs === a.firstEmergencyMs)!;
    expect(first.parameter).toBe('liquidationThresholdBps');
    expect(first.fromBps - first.toBps).toBeGreaterThanOrEqual(200);
    expect(btc.stdout).toMatch(/BTC 2020-03-12: first 25 % drop below the trailing 24 h high close at 10:00 UTC.*PASS/);
  });

  it('SOL perpetual hourly 2022-11-08: the first 25 % drop at 18:00 UTC, the first emergency at or before 20:00', () => {
    const a = acceptance(sol, 'SOL-PERP');
    expect(new Date(a.firstDropMs!).toISOString()).toBe('2022-11-08T18:00:00.000Z');
    expect(a.firstEmergencyMs!).toBeLessThanOrEqual(Date.UTC(2022, 10, 8, 20));
    expect(a.pass).toBe(true);
    expect(sol.stdout).toMatch(/SOL-PERP 2022-11-08: .*PASS/);
  });
});
