import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CleanupRegistry } from './cleanup.js';
import type { ChaosCounts, ChaosLimits } from './config.js';

/** What every scenario gets: its counts and limits, the seed, the cleanup registry and a logger. */
export interface ScenarioContext {
  seed: number;
  counts: ChaosCounts;
  limits: ChaosLimits;
  registry: CleanupRegistry;
  /** Keep temporary data directories (for a post-mortem); they are removed by default. */
  keepData: boolean;
  log: (line: string) => void;
}

/** A fresh temporary directory, removed at cleanup unless data is kept. */
export async function tempDir(context: ScenarioContext, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `advisor-chaos-${name}-`));
  context.registry.add(`remove ${dir}`, () => (context.keepData ? context.log(`  kept ${dir}`) : rm(dir, { recursive: true, force: true })));
  return dir;
}
