import { describe, expect, it } from 'vitest';
import { ClientRateLimiter, DEFAULT_LOCAL_RATE_LIMIT, RateLimitConfigError, rateLimitFromEnvironment } from '../../../local/http.js';

describe('ClientRateLimiter', () => {
  it('allows a burst, then refuses with the seconds until the next token, then refills at the rate', () => {
    let clock = 0;
    const limiter = new ClientRateLimiter({ ratePerSecond: 2, burst: 3 }, () => clock);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([null, null, null]);
    expect(limiter.take('a')).toEqual({ retryAfterSeconds: 1 });
    clock += 500; // one token at 2/s
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).not.toBeNull();
    clock += 10_000; // refills to the burst, not beyond
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('a')].filter((r) => r === null)).toHaveLength(3);
  });

  it('counts each client on its own', () => {
    const limiter = new ClientRateLimiter({ ratePerSecond: 1, burst: 1 }, () => 0);
    expect(limiter.take('10.0.0.1')).toBeNull();
    expect(limiter.take('10.0.0.1')).not.toBeNull();
    expect(limiter.take('10.0.0.2')).toBeNull();
  });

  it('a slow rate asks for a longer wait', () => {
    const limiter = new ClientRateLimiter({ ratePerSecond: 0.1, burst: 1 }, () => 0);
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ retryAfterSeconds: 10 });
  });

  it('refuses a limit that cannot work', () => {
    expect(() => new ClientRateLimiter({ ratePerSecond: 0, burst: 1 })).toThrow();
    expect(() => new ClientRateLimiter({ ratePerSecond: 1, burst: 0 })).toThrow();
  });
});

describe('rateLimitFromEnvironment', () => {
  it('defaults, turns off at 0, and derives the burst from the rate', () => {
    expect(rateLimitFromEnvironment({})).toEqual(DEFAULT_LOCAL_RATE_LIMIT);
    expect(rateLimitFromEnvironment({ ADVISOR_RATE_LIMIT_RPS: '0' })).toBeNull();
    expect(rateLimitFromEnvironment({ ADVISOR_RATE_LIMIT_RPS: '20' })).toEqual({ ratePerSecond: 20, burst: 40 });
  });

  it('refuses a value that is not a rate, naming the variable', () => {
    for (const value of ['fast', '-1']) {
      expect(() => rateLimitFromEnvironment({ ADVISOR_RATE_LIMIT_RPS: value })).toThrow(RateLimitConfigError);
    }
    expect(() => rateLimitFromEnvironment({ ADVISOR_RATE_LIMIT_RPS: 'fast' })).toThrow(/ADVISOR_RATE_LIMIT_RPS/);
  });
});
