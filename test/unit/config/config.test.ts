import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, loadConfig } from '../../../shared/config/load.js';
import { problemsOf } from '../../support/config-problems.js';
import { DEFAULT_CONFIG } from '../../../shared/config/defaults.js';

describe('configuration', () => {
  it('the embedded defaults are valid and cover the required universe and both profile kinds', () => {
    const config = buildConfig();
    expect(config.assets.map((a) => a.symbol)).toEqual(expect.arrayContaining(['BTC', 'ETH', 'SOL', 'LINK', 'UNI', 'AAVE', 'DOGE', 'CRV']));
    expect(new Set(config.profiles.map((p) => p.kind))).toEqual(new Set(['lending', 'perp']));
    for (const asset of config.assets) expect(Object.keys(asset.venuePairs).length).toBeGreaterThan(0);
  });

  it('names the path of a bad field', () => {
    const profiles = structuredClone(DEFAULT_CONFIG.profiles) as Record<string, unknown>[];
    profiles[0]!.confidence = 1.5;
    const problems = problemsOf(() => buildConfig({ profiles }));
    expect(problems).toContainEqual(expect.objectContaining({ path: 'profiles[0].confidence' }));
  });

  it('names a bad nested asset field and an unknown asset in a profile', () => {
    const assets = structuredClone(DEFAULT_CONFIG.assets) as { simulator: Record<string, unknown> }[];
    assets[2]!.simulator.annualVolatility = 'high';
    const profiles = structuredClone(DEFAULT_CONFIG.profiles) as Record<string, unknown>[];
    profiles[1]!.assets = ['BTC', 'NOPE'];
    // Cross-field checks run once every field is well-formed, so the two are reported in turn.
    expect(problemsOf(() => buildConfig({ assets, profiles })).map((p) => p.path)).toContain('assets[2].simulator.annualVolatility');
    expect(problemsOf(() => buildConfig({ profiles })).map((p) => p.path)).toContain('profiles[1].assets[1]');
  });

  it('rejects a horizon that is not a whole number of candles', () => {
    const profiles = structuredClone(DEFAULT_CONFIG.profiles) as Record<string, unknown>[];
    profiles[0]!.horizonMinutes = 90; // 1 h candles
    expect(problemsOf(() => buildConfig({ profiles }))).toContainEqual(expect.objectContaining({ path: 'profiles[0].horizonMinutes' }));
  });

  it('a config file overrides top-level sections; bad JSON and missing files fail with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'advisor-config-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ schedule: { cycleEveryMinutes: 15, publishEveryMinutes: 1 } }));
    expect(loadConfig(good).schedule.cycleEveryMinutes).toBe(15);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "schedule": ');
    expect(() => loadConfig(bad)).toThrow(/bad\.json.*not valid JSON/s);
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/cannot read file/);

    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ policy: { ...DEFAULT_CONFIG.policy, minVenues: 0 } }));
    expect(() => loadConfig(wrong)).toThrow(/policy\.minVenues/);
  });
});
