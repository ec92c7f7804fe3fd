import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../shared/config/defaults.js';
import { buildConfig, ConfigError } from '../../../shared/config/load.js';
import { problemsOf } from '../../support/config-problems.js';

describe('config overrides: objects merge, arrays replace, unknown keys are rejected', () => {
  it('overriding one field of a section keeps the section\'s other defaults', () => {
    const config = buildConfig({ schedule: { cycleEveryMinutes: 30 } });
    expect(config.schedule.cycleEveryMinutes).toBe(30);
    const defaults = buildConfig().schedule;
    expect(config.schedule).toEqual({ ...defaults, cycleEveryMinutes: 30 });
    expect(buildConfig({ policy: { depthBands: [0.02] } }).policy).toEqual({ ...buildConfig().policy, depthBands: [0.02] });
  });

  it('the merged result is validated: a bad value in a one-field override names only that field', () => {
    expect(problemsOf(() => buildConfig({ schedule: { cycleEveryMinutes: -5 } })).map((p) => p.path)).toEqual(['schedule.cycleEveryMinutes']);
  });

  it('unknown keys and typos are rejected with their path, at any depth', () => {
    expect(problemsOf(() => buildConfig({ schedul: { cycleEveryMinutes: 30 } })).map((p) => p.path)).toEqual(['schedul']);
    expect(problemsOf(() => buildConfig({ schedule: { cycleEveryMinute: 30 } })).map((p) => p.path)).toEqual(['schedule.cycleEveryMinute']);
    const profiles = structuredClone(DEFAULT_CONFIG.profiles) as Record<string, unknown>[];
    profiles[1]!.confidance = 0.99;
    expect(problemsOf(() => buildConfig({ profiles })).map((p) => p.path)).toEqual(['profiles[1].confidance']);
    const assets = structuredClone(DEFAULT_CONFIG.assets) as { simulator: Record<string, unknown> }[];
    assets[0]!.simulator.spreadBsp = 3;
    expect(problemsOf(() => buildConfig({ assets })).map((p) => p.path)).toEqual(['assets[0].simulator.spreadBsp']);
    expect(problemsOf(() => buildConfig(JSON.parse('{"__proto__": {"x": 1}}'))).map((p) => p.path)).toEqual(['__proto__']);
  });

  it('arrays replace the default array whole (a smaller universe is expressible)', () => {
    const btc = (DEFAULT_CONFIG.assets as { symbol: string }[]).find((a) => a.symbol === 'BTC')!;
    const profiles = (structuredClone(DEFAULT_CONFIG.profiles) as Record<string, unknown>[]).map((p) => ({ ...p, assets: [] }));
    const config = buildConfig({ assets: [btc], profiles });
    expect(config.assets.map((a) => a.symbol)).toEqual(['BTC']);
  });
});
