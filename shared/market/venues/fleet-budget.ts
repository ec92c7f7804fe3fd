import { DEFAULT_FLEET_BURST_SECONDS, VenueBudgetWaitError, type FleetVenueBudget, type VenueRateLimit } from '../resilience.js';
import type { BucketRule, BucketState, VenueBudgetRepository } from '../../store/venue-budget.js';
import { sleepMs } from '../../util/backoff.js';

/** The fleet's rule for a venue: the same share of the published limits the in-process limiter uses. */
export function bucketRuleOf(limit: VenueRateLimit): BucketRule {
  const requestsPerSecond = limit.requestsPerSecond * limit.budgetShare;
  const burstSeconds = limit.burstSeconds ?? DEFAULT_FLEET_BURST_SECONDS;
  const weightPerMinute = limit.weightPerMinute === null ? null : limit.weightPerMinute * limit.budgetShare;
  return {
    requestsPerSecond,
    // At least one whole request, or a venue budgeted below 1 request/burst could never be called.
    requestCapacity: Math.max(1, requestsPerSecond * burstSeconds),
    weightPerSecond: weightPerMinute === null ? null : weightPerMinute / 60,
    // As the in-process weight bucket: at most one budgeted minute at once.
    weightCapacity: weightPerMinute,
  };
}

export interface StoredFleetBudgetDeps {
  /** Wall clock shared by the fleet (never a replayed or fixed market clock). */
  now?: () => number;
  /** Uniform [0, 1) for the jitter. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The fleet budget over the table (one bucket item per venue, shared/store/venue-budget.ts): takes from the venue's bucket, waiting the computed time plus a
 * jitter of up to half a request interval (so waiters woken together spread out), and gives up with
 * VenueBudgetWaitError once the wait would pass `maxWaitMs`.
 */
export class StoredFleetBudget implements FleetVenueBudget {
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Per venue, the bucket as this process last saw it: most takes are then one conditional write. */
  private readonly known = new Map<string, BucketState>();

  constructor(
    private readonly repository: VenueBudgetRepository,
    deps: StoredFleetBudgetDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.sleep = deps.sleep ?? sleepMs;
  }

  async take(venue: string, path: string, limit: VenueRateLimit, weight: number, maxWaitMs: number): Promise<void> {
    const rule = bucketRuleOf(limit);
    if (rule.weightCapacity !== null && weight > rule.weightCapacity) throw new VenueBudgetWaitError(venue, path, Number.POSITIVE_INFINITY, maxWaitMs);
    const spacingMs = 1000 / rule.requestsPerSecond;
    const startedMs = this.now();
    for (;;) {
      const outcome = await this.repository.tryTake(venue, rule, weight, this.now(), this.known.get(venue));
      if ('state' in outcome && outcome.state) this.known.set(venue, outcome.state);
      else this.known.delete(venue);
      if (outcome.taken) return;
      const baseMs = 'waitMs' in outcome ? outcome.waitMs : 0;
      const waitMs = baseMs + this.random() * spacingMs * 0.5;
      const waitedMs = this.now() - startedMs;
      if (waitedMs + waitMs > maxWaitMs) throw new VenueBudgetWaitError(venue, path, waitedMs + waitMs, maxWaitMs);
      await this.sleep(waitMs);
    }
  }
}
