import { describe, expect, it } from 'vitest';
import { DEFAULT_VENUE_RATE_LIMITS } from '../../../shared/market/resilience.js';
import { bucketRuleOf } from '../../../shared/market/venues/fleet-budget.js';
import { decideTake, type BucketState } from '../../../shared/store/venue-budget.js';

const T = 1_000_000;

describe('fleet venue budget: the token bucket rule', () => {
  it('is the share of the published limits the in-process limiter uses, one second of burst', () => {
    expect(bucketRuleOf(DEFAULT_VENUE_RATE_LIMITS.kraken)).toEqual({ requestsPerSecond: 0.9, requestCapacity: 1, weightPerSecond: null, weightCapacity: null });
    expect(bucketRuleOf(DEFAULT_VENUE_RATE_LIMITS.coinbase)).toMatchObject({ requestsPerSecond: 8, requestCapacity: 8 });
    expect(bucketRuleOf(DEFAULT_VENUE_RATE_LIMITS.binance)).toEqual({ requestsPerSecond: 25, requestCapacity: 25, weightPerSecond: 50, weightCapacity: 3000 });
  });

  it('a new bucket is full; a take spends one request and its weight', () => {
    const rule = bucketRuleOf(DEFAULT_VENUE_RATE_LIMITS.binance);
    expect(decideTake(null, rule, 25, T)).toEqual({ taken: true, next: { tokens: 24, weightTokens: 2975, refilledAtMs: T, version: 1, taken: 1 } });
  });

  it('refills for the time elapsed, capped at the capacity, and says how long until a token when empty', () => {
    const rule = bucketRuleOf(DEFAULT_VENUE_RATE_LIMITS.kraken);
    const empty: BucketState = { tokens: 0, weightTokens: null, refilledAtMs: T, version: 7, taken: 7 };
    // Half a second refilled 0.45 of a request: 0.55 more at 0.9 per second.
    expect(decideTake(empty, rule, 1, T + 500)).toEqual({ taken: false, waitMs: 612 });
    expect(decideTake(empty, rule, 1, T + 2000)).toMatchObject({ taken: true, next: { tokens: 0, refilledAtMs: T + 2000, version: 8, taken: 8 } });
    // Idle for an hour: still one request at once, not 3,240.
    expect(decideTake(empty, rule, 1, T + 3_600_000)).toMatchObject({ taken: true, next: { tokens: 0 } });
  });

  it('waits for weight as well as requests; a clock behind the stored one refills nothing', () => {
    const rule = bucketRuleOf(DEFAULT_VENUE_RATE_LIMITS.binance);
    const state: BucketState = { tokens: 10, weightTokens: 5, refilledAtMs: T, version: 1, taken: 1 };
    expect(decideTake(state, rule, 25, T)).toEqual({ taken: false, waitMs: 400 });
    expect(decideTake(state, rule, 25, T - 60_000)).toEqual({ taken: false, waitMs: 400 });
    expect(decideTake(state, rule, 5, T - 60_000)).toMatchObject({ taken: true, next: { refilledAtMs: T } });
  });
});
