import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_REAL_DATA, REAL_DATA_DIR } from '../support/real-data.js';

/** `npm run backtest` end to end on a small real range (AAVE through May 2021, hourly lending and 5-minute perps). */

const ROOT = resolve(import.meta.dirname, '../..');
interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}
async function cli(args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/backtest.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('backtest CLI', () => {
  const out = mkdtempSync(join(tmpdir(), 'backtest-'));
  let help: Outcome;
  let bad: Outcome;
  let real: Outcome | null = null;
  // The three processes run side by side (tsx start-up dominates).
  beforeAll(async () => {
    [help, bad, real] = await Promise.all([
      cli(['--help']),
      cli(['--from', '2020-13-45']),
      HAS_REAL_DATA
        ? cli(['--data', REAL_DATA_DIR, '--assets', 'AAVE', '--from', '2021-05-15', '--to', '2021-06-10', '--paths', '500', '--workers', '1', '--out', out])
        : Promise.resolve(null),
    ]);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--help exits 0 with the options; a bad option exits 2 naming it', () => {
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--assets');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be a date');
  });

  it.skipIf(!HAS_REAL_DATA)('writes every step to JSON, the tables to summary.md and one SVG per series, with progress on the console', () => {
    expect(real!.code).toBe(0);
    expect(real!.stdout).toContain('walk-forward backtest');
    expect(real!.stdout).toMatch(/done AAVE aave-v3-ethereum \(1h\): 2\d steps/);
    expect(real!.stdout).toContain('| series | bars |');
    const report = JSON.parse(readFileSync(join(out, 'backtest.json'), 'utf8'));
    expect(report.series.map((s: { id: string; profileId: string }) => `${s.id} ${s.profileId}`).sort()).toEqual(['AAVE aave-v3-ethereum', 'AAVE perp-dex']);
    const lending = report.series.find((s: { profileId: string }) => s.profileId === 'aave-v3-ethereum');
    expect(lending.steps[0].atMs).toBe(Date.UTC(2021, 4, 15));
    expect(lending.steps.every((s: { atMs: number }) => s.atMs < Date.UTC(2021, 5, 10))).toBe(true);
    expect(report.options.simulationPaths).toBe(500);
    expect(report.events.map((e: { eventId: string }) => e.eventId)).toContain('may-2021');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('## Named events');
    expect(readdirSync(join(out, 'charts')).sort()).toEqual(['AAVE-aave-v3-ethereum.svg', 'AAVE-perp-dex.svg']);
  });
});
