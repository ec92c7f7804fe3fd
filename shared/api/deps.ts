import type { Logger } from '@aws-lambda-powertools/logger';
import type { AdvisorConfig } from '../config/schema.js';
import type { Invoker } from '../cycle/invoker.js';
import type { Store } from '../store/index.js';
import type { AuthMode } from './auth.js';
import type { MemoPolicy } from './cache.js';

export interface ApiDeps {
  config: AdvisorConfig;
  store: Store;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
  auth: AuthMode;
  /** True when the market source is the simulator: every response says so. */
  simulated: boolean;
  /** True when the market source replays recorded history: responses say `historical: true`. */
  historical?: boolean;
  /** Max-age for GET responses, in seconds (tied to the schedule). */
  cacheMaxAgeSeconds: number;
  /**
   * When rendered reads are answered from memory (see ResponseCache); absent = always read the store.
   * The data changes once per cycle, so a few seconds under a poller herd cost readers nothing.
   */
  responseMemo?: MemoPolicy;
  /** Monotonic clock of that memo (default performance.now; not `now`, which a replay holds still). */
  monotonicMs?: () => number;
}
