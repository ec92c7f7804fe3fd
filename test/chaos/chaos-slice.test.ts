import { describe, expect, it } from 'vitest';
import type { ChaosCounts, ChaosLimits } from '../../scripts/chaos/config.js';
import { runChaos } from '../../scripts/chaos/index.js';
import type { ScenarioId, ScenarioResult } from '../../scripts/chaos/result.js';

/**
 * A small fixed-seed slice of the fault suite (`npm run chaos` runs the full counts): the same
 * scenarios and checks against the real local runtime, fewer trials, the cheapest settings (fuzz an
 * in-process runtime with no run going, kills during ingest, a short lookback for the racing ingests).
 */
const SLICE_SEED = 7;
const SLICE_COUNTS: ChaosCounts = { fuzzRequests: 300, fuzzValidRecomputes: 0, kills: 2, concurrentRecomputes: 5, ingestRaces: 1 };
const SLICE_LIMITS: Partial<ChaosLimits> = { fuzzTarget: 'in-process', killMarkers: 'early', maxKillDelayMs: 1_500, raceLookbackDays: 20 };

async function scenario(id: ScenarioId): Promise<ScenarioResult> {
  const [result] = await runChaos({ seed: SLICE_SEED, counts: SLICE_COUNTS, only: [id], limits: SLICE_LIMITS });
  return result!;
}

/** Every check of the scenario held; a failing one is shown with its examples. */
function expectAllHeld(result: ScenarioResult): void {
  expect(result.error).toBeUndefined();
  expect(result.checks.length).toBeGreaterThan(0);
  expect(result.checks.filter((c) => c.failures > 0).map((c) => `${c.name} (${c.failures}): ${c.details.join(' | ')}`)).toEqual([]);
}

// Generous limits: a loaded machine is slow, and nothing here asserts on speed.
describe('fault suite slice (fixed seed)', () => {
  it('(a) 300 fuzzed requests: no 5xx, every one answered, the server still up', async () => {
    const result = await scenario('a');
    expectAllHeld(result);
    expect(result.notes.join(' ')).toMatch(/by status: .*400 x \d+/);
  }, 120_000);

  it('(b) 2 kills at seeded points + restarts: pointers, runs closed, no duplicate or superseded proposal', async () => {
    expectAllHeld(await scenario('b'));
  }, 240_000);

  it('(c) 5 concurrent recomputes for the same assets: 1 run, <= 1 proposal per market', async () => {
    expectAllHeld(await scenario('c'));
  }, 180_000);

  it('(d) two racing ingests of one asset: the stored series is the union', async () => {
    expectAllHeld(await scenario('d'));
  }, 120_000);
});
