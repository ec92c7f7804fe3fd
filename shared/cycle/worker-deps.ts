import { resolve } from 'node:path';
import type { AdvisorConfig } from '../config/schema.js';
import { ReplayMarket } from '../market/replay/market.js';
import { SimulatedMarket } from '../market/simulator.js';
import type { MarketSource } from '../market/types.js';
import { StoredFleetBudget } from '../market/venues/fleet-budget.js';
import { LiveMarket } from '../market/venues/live.js';
import type { Store } from '../store/index.js';
import { baseDepsFromEnvironment, type BaseDeps } from './deps.js';
import type { Environment } from './environment.js';
import type { AssetDeps } from './worker.js';

/**
 * The market of a worker. Live venues take each request from the venue's budget shared through the
 * table (`store`), so all workers together, not each one, stay within it; the simulator and replay call no venue.
 */
export function marketSourceFor(env: Environment, config: AdvisorConfig, store?: Store): MarketSource {
  switch (env.ADVISOR_SOURCE) {
    case 'sim':
      return new SimulatedMarket({ seed: config.simulator.seed, originMs: Date.parse(config.simulator.originIso) });
    case 'live':
      return new LiveMarket({ venues: config.venues, ...(store ? { fleetBudget: new StoredFleetBudget(store.venueBudgets) } : {}) });
    case 'replay':
      return new ReplayMarket({ dataDir: env.ADVISOR_REPLAY_DIR ?? resolve(process.cwd(), '../shared/data') });
  }
}

/** `auto`: live when at least policy.minVenues venues answer a ping, else the simulator. */
export async function resolveAutoSource(config: AdvisorConfig): Promise<'live' | 'sim'> {
  const probe = new LiveMarket({ venues: config.venues });
  try {
    return (await probe.probe({ minReachable: config.policy.minVenues })).reachable ? 'live' : 'sim';
  } finally {
    await probe.dispose();
  }
}

export type WorkerDeps = BaseDeps & AssetDeps;

/** The worker's deps: the base plus the market source (venue adapters, simulator or replay). */
export function workerDepsOf(base: BaseDeps): WorkerDeps {
  return { ...base, source: marketSourceFor(base.env, base.config, base.store) };
}

let cached: WorkerDeps | undefined;

/** Lambda: the worker's deps from the environment. */
export function workerDepsFromEnvironment(): WorkerDeps {
  cached ??= workerDepsOf(baseDepsFromEnvironment());
  return cached;
}
