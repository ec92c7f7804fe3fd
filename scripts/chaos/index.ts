import { CleanupRegistry } from './cleanup.js';
import { DEFAULT_LIMITS, type ChaosCounts, type ChaosLimits } from './config.js';
import type { ScenarioContext } from './context.js';
import { fuzzScenario } from './fuzz.js';
import { ingestRaceScenario } from './ingest-race.js';
import { killScenario } from './kills.js';
import { recomputeScenario } from './recompute.js';
import type { ScenarioId, ScenarioResult } from './result.js';

export const SCENARIOS: Record<ScenarioId, { title: string; run: (context: ScenarioContext) => Promise<ScenarioResult> }> = {
  a: { title: 'fuzzed requests', run: fuzzScenario },
  b: { title: 'kill -9 / SIGINT + restart', run: killScenario },
  c: { title: 'concurrent recomputes', run: recomputeScenario },
  d: { title: 'racing ingests', run: ingestRaceScenario },
};

export interface ChaosOptions {
  seed: number;
  counts: ChaosCounts;
  only?: readonly ScenarioId[];
  limits?: Partial<ChaosLimits>;
  keepData?: boolean;
  log?: (line: string) => void;
  /** Called with each result as soon as its scenario ends. */
  onResult?: (result: ScenarioResult) => void;
}

/**
 * Runs the chosen scenarios one after the other (each needs the machine to itself: they time kills
 * against progress). A scenario that throws is reported as a harness error, and the next one still
 * runs. Every child process and runtime is stopped before this returns, also on errors.
 */
export async function runChaos(options: ChaosOptions): Promise<ScenarioResult[]> {
  const registry = new CleanupRegistry();
  const killOnExit = () => registry.killChildren();
  process.once('exit', killOnExit);
  const context: ScenarioContext = {
    seed: options.seed,
    counts: options.counts,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    registry,
    keepData: options.keepData ?? false,
    log: options.log ?? (() => {}),
  };
  const results: ScenarioResult[] = [];
  try {
    for (const id of options.only ?? (Object.keys(SCENARIOS) as ScenarioId[])) {
      const scenario = SCENARIOS[id];
      context.log(`(${id}) ${scenario.title}...`);
      let result: ScenarioResult;
      try {
        result = await scenario.run(context);
      } catch (error) {
        result = { id, scenario: scenario.title, trials: 0, checks: [], notes: [], error: (error as Error).stack ?? String(error) };
      }
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    const problems = await registry.runAll();
    for (const p of problems) context.log(`cleanup: ${p}`);
    process.removeListener('exit', killOnExit);
  }
  return results;
}
