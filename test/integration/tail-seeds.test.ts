import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { LendingProfile } from '../../shared/config/schema.js';
import { computeTail } from '../../shared/risk/engine/tail.js';
import { HAS_REAL_DATA, readCandles } from '../support/real-data.js';

/**
 * Issue 14 acceptance: BTC's filtered 99.9 % 4 h tail on 2020-03-13 (the day after the COVID crash) varies
 * by less than 1 pp across 12 seeds. With 10,000 random block draws it ranged 61-82 %; the exact block
 * bootstrap (shared/risk/tail/fhs-exact.ts) has no seed in it.
 */
describe.skipIf(!HAS_REAL_DATA)('filtered tail: no seed noise on a crash day', () => {
  it('BTC 2020-03-13: the 99.9 % filtered tail spans < 1 pp over seeds 1..12', () => {
    const config = buildConfig();
    const profile = config.profiles.find((p): p is LendingProfile => p.kind === 'lending')!;
    const nowMs = Date.UTC(2020, 2, 13);
    const candles = readCandles('BTC-USDT-1h.csv').filter((c) => c.openTimeMs < nowMs && c.openTimeMs >= nowMs - profile.lookbackDays * 86_400_000);
    const tails = Array.from({ length: 12 }, (_, i) => computeTail('BTC', candles, profile, { ...config.policy, simulationSeed: i + 1 }).scores.filtered.adverseMove!);
    const spreadPp = (Math.max(...tails) - Math.min(...tails)) * 100;
    console.log(`BTC 2020-03-13 filtered 99.9 % tail over 12 seeds: ${(tails[0]! * 100).toFixed(2)} %, spread ${spreadPp.toFixed(3)} pp`);
    expect(spreadPp).toBeLessThan(1);
  });
});
