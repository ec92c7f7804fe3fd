import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REAL_DATA_FILES, RealDataMissingError, missingRealData, realDataGate, realDataRequired } from '../../support/real-data.js';

/** The gate every real-data test skips by: a skip says which path and files are missing; CI turns it into a failure. */
const dir = mkdtempSync(join(tmpdir(), 'real-data-gate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const touch = (file: string) => {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), '');
};

describe('real-data gate', () => {
  it('names every file of the list that is missing', () => {
    expect(missingRealData(join(dir, 'nowhere'), REAL_DATA_FILES)).toEqual([...REAL_DATA_FILES]);
    for (const file of REAL_DATA_FILES.slice(1)) touch(file);
    expect(missingRealData(dir, REAL_DATA_FILES)).toEqual([REAL_DATA_FILES[0]]);
  });

  it('without ADVISOR_REQUIRE_REAL_DATA or CI: skips, saying which path lacks which files', () => {
    const gate = realDataGate(join(dir, 'nowhere'), ['BTC-USDT-1h.csv', 'orderbooks/x.json'], {});
    expect(gate.available).toBe(false);
    expect(gate.reason).toContain(join(dir, 'nowhere'));
    expect(gate.reason).toContain('../shared/data');
    expect(gate.reason).toContain('BTC-USDT-1h.csv, orderbooks/x.json');
    expect(gate.reason).toContain('skipped');
  });

  it('with ADVISOR_REQUIRE_REAL_DATA=1 or CI=true a missing file is a RealDataMissingError carrying the path and files', () => {
    expect(realDataRequired({ ADVISOR_REQUIRE_REAL_DATA: '1' })).toBe(true);
    expect(realDataRequired({ CI: 'true' })).toBe(true);
    expect(realDataRequired({ CI: 'true', ADVISOR_REQUIRE_REAL_DATA: '0' })).toBe(false);
    expect(realDataRequired({})).toBe(false);
    const attempt = () => realDataGate(join(dir, 'nowhere'), ['BTC-USDT-1h.csv'], { ADVISOR_REQUIRE_REAL_DATA: '1' });
    expect(attempt).toThrow(RealDataMissingError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'REAL_DATA_MISSING', dir: join(dir, 'nowhere'), missing: ['BTC-USDT-1h.csv'] });
      expect((error as Error).message).toContain(join(dir, 'nowhere'));
    }
  });

  it('all files present: available, required or not', () => {
    const full = mkdtempSync(join(dir, 'full-'));
    for (const file of ['a.csv', 'orderbooks/b.json']) {
      mkdirSync(dirname(join(full, file)), { recursive: true });
      writeFileSync(join(full, file), '');
    }
    expect(realDataGate(full, ['a.csv', 'orderbooks/b.json'], { ADVISOR_REQUIRE_REAL_DATA: '1' }).available).toBe(true);
    expect(realDataGate(full, ['a.csv', 'orderbooks/b.json'], {}).available).toBe(true);
  });
});
