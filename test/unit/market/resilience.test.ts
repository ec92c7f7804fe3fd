import { afterEach, describe, expect, it } from 'vitest';
import {
  VenueHttpStatusError,
  VenueNetworkError,
  VenuePayloadError,
  VenueTimeoutError,
  VenueUnavailableError,
} from '../../../shared/market/errors.js';
import { VenueGuard, type ResilienceOptions, type VenueRateLimit } from '../../../shared/market/resilience.js';
import { parseRetryAfterMs } from '../../../shared/market/venues/http.js';

const OPEN: VenueRateLimit = { requestsPerSecond: 1000, weightPerMinute: null, budgetShare: 1, maxConcurrent: 10 };
const QUICK: Partial<ResilienceOptions> = { timeoutMs: 50, maxRetries: 3, initialBackoffMs: 5, maxBackoffMs: 20, maxRetryAfterMs: 1_000, breakerConsecutiveFailures: 3, breakerHalfOpenAfterMs: 60_000 };

const guards: VenueGuard[] = [];
function guard(limit: Partial<VenueRateLimit> = {}, options: Partial<ResilienceOptions> = {}): VenueGuard {
  const g = new VenueGuard('test', { ...OPEN, ...limit }, { ...QUICK, ...options }, { random: () => 1 });
  guards.push(g);
  return g;
}
afterEach(async () => {
  await Promise.all(guards.splice(0).map((g) => g.dispose()));
});

/** An attempt function that fails with the given errors in turn, then returns 'ok'. */
function failing(...errors: Error[]) {
  let calls = 0;
  const fn = async () => {
    calls++;
    const error = errors.shift();
    if (error) throw error;
    return 'ok';
  };
  return { fn, calls: () => calls };
}

const status = (code: number, retryAfterMs: number | null = null) => new VenueHttpStatusError('test', '/x', code, retryAfterMs, '');

describe('VenueGuard retries', () => {
  it('retries timeouts, broken connections, 429 and 5xx, then returns the value', async () => {
    const g = guard();
    const task = failing(new VenueNetworkError('test', '/x', 'ECONNRESET'), status(503), status(429, 0));
    await expect(g.run('/x', 1, task.fn)).resolves.toBe('ok');
    expect(task.calls()).toBe(4);
    expect(g.stats).toMatchObject({ attempts: 4, retries: 3, rateLimited: 1, succeeded: 1, failed: 0 });
  });

  it('does not retry a 4xx other than 429, nor a payload that failed validation', async () => {
    const g = guard();
    const notFound = failing(status(404));
    await expect(g.run('/x', 1, notFound.fn)).rejects.toMatchObject({ status: 404 });
    expect(notFound.calls()).toBe(1);
    const bad = failing(new VenuePayloadError('test', '/x', ['bids: expected array']));
    await expect(g.run('/x', 1, bad.fn)).rejects.toThrow(VenuePayloadError);
    expect(bad.calls()).toBe(1);
  });

  it('gives up after maxRetries with the last error', async () => {
    const g = guard({}, { maxRetries: 2 });
    const task = failing(status(500), status(502), status(504), status(500));
    await expect(g.run('/x', 1, task.fn)).rejects.toMatchObject({ status: 504 });
    expect(task.calls()).toBe(3);
  });

  it('backoff grows exponentially up to the cap (full jitter, here pinned to its ceiling)', async () => {
    // 12 retries: uncapped, the last would wait 20 ms x 2^11 = 41 s, past the test's timeout; capped at
    // 50 ms they take about half a second. So finishing proves the cap, and no clock is read for it.
    const retries = 12;
    const g = guard({}, { initialBackoffMs: 20, maxBackoffMs: 50, maxRetries: retries, breakerConsecutiveFailures: 100 });
    const starts: number[] = [];
    const errors = Array.from({ length: retries }, () => status(500));
    await g.run('/x', 1, async () => {
      starts.push(performance.now());
      const e = errors.shift();
      if (e) throw e;
      return 1;
    });
    expect(starts).toHaveLength(retries + 1);
    const waits = starts.slice(1).map((t, i) => t - starts[i]!);
    // Ceilings 20, 40, then capped at 50 ms: timers may fire late under load, never early.
    expect(waits[0]).toBeGreaterThanOrEqual(19);
    expect(waits[1]).toBeGreaterThanOrEqual(39);
    for (const wait of waits.slice(2)) expect(wait).toBeGreaterThanOrEqual(49);
  });

  it('honours Retry-After as a floor, and refuses to wait longer than maxRetryAfterMs', async () => {
    const g = guard();
    const start = performance.now();
    const task = failing(status(429, 150));
    await g.run('/x', 1, task.fn);
    expect(performance.now() - start).toBeGreaterThanOrEqual(149);
    const tooLong = failing(status(429, 5_000));
    await expect(g.run('/x', 1, tooLong.fn)).rejects.toMatchObject({ code: 'VENUE_RATE_LIMITED' });
    expect(tooLong.calls()).toBe(1);
    // Nor does the next request wait it out: it is refused without being sent while the venue's wait lasts.
    const next = failing(status(429, 5_000));
    await expect(g.run('/y', 1, next.fn)).rejects.toMatchObject({ code: 'VENUE_RATE_LIMITED' });
    expect(next.calls()).toBe(0);
  });

  it('a 429 pauses the whole venue: another request sent during the pause waits for it too', async () => {
    const g = guard();
    let refusedAt = 0;
    let otherStartedAt = 0;
    let first = true;
    const a = g.run('/a', 1, async () => {
      if (first) {
        first = false;
        refusedAt = performance.now();
        throw status(429, 300);
      }
      return 'a';
    });
    await new Promise((r) => setTimeout(r, 20));
    const b = g.run('/b', 1, async () => {
      otherStartedAt = performance.now();
      return 'b';
    });
    await expect(Promise.all([a, b])).resolves.toEqual(['a', 'b']);
    expect(otherStartedAt - refusedAt).toBeGreaterThanOrEqual(295);
  });
});

describe('VenueGuard timeout and circuit breaker', () => {
  it('an attempt that outlives the timeout is aborted (its signal fires) and becomes VenueTimeoutError', async () => {
    const g = guard({}, { maxRetries: 0 });
    let aborted = false;
    const never = (signal: AbortSignal) =>
      new Promise<never>(() => {
        signal.addEventListener('abort', () => (aborted = true));
      });
    await expect(g.run('/slow', 1, never)).rejects.toThrow(VenueTimeoutError);
    expect(aborted).toBe(true);
    expect(g.stats.timeouts).toBe(1);
  });

  it('opens after N consecutive venue faults and then refuses at once; client errors do not count', async () => {
    const g = guard({}, { maxRetries: 0, breakerConsecutiveFailures: 3 });
    await expect(g.run('/x', 1, failing(status(400)).fn)).rejects.toMatchObject({ status: 400 });
    await expect(g.run('/x', 1, failing(new VenuePayloadError('test', '/x', ['bad'])).fn)).rejects.toThrow(VenuePayloadError);
    expect(g.circuit).toBe('closed');
    for (let i = 0; i < 3; i++) await expect(g.run('/x', 1, failing(status(500)).fn)).rejects.toMatchObject({ status: 500 });
    expect(g.circuit).toBe('open');
    const task = failing();
    await expect(g.run('/x', 1, task.fn)).rejects.toThrow(VenueUnavailableError);
    expect(task.calls()).toBe(0);
    expect(g.stats).toMatchObject({ shortCircuited: 1, circuitOpenings: 1 });
  });

  it('half-opens after the wait: one successful trial closes the circuit again', async () => {
    const g = guard({}, { maxRetries: 0, breakerConsecutiveFailures: 2, breakerHalfOpenAfterMs: 60 });
    for (let i = 0; i < 2; i++) await expect(g.run('/x', 1, failing(status(503)).fn)).rejects.toBeDefined();
    expect(g.circuit).toBe('open');
    await new Promise((r) => setTimeout(r, 80));
    await expect(g.run('/x', 1, async () => 'back')).resolves.toBe('back');
    expect(g.circuit).toBe('closed');
  });
});

describe('VenueGuard rate limits', () => {
  it('spaces request starts at the budgeted rate (requestsPerSecond x budgetShare)', async () => {
    const g = guard({ requestsPerSecond: 50, budgetShare: 0.5, maxConcurrent: 10 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => g.run('/x', 1, async () => starts.push(performance.now()))));
    // 25 per second: 40 ms apart, so 6 starts span 5 x 40 ms. The limiter spaces the planned starts; a
    // loaded machine can run the first one late by a few ms (seen: 191.5 ms), so allow a timer's jitter.
    // Without the limit the span is about 0.
    expect(starts[5]! - starts[0]!).toBeGreaterThanOrEqual(180);
  });

  it('holds requests once the weight budget is spent (Binance-style weight per minute)', async () => {
    const g = guard({ weightPerMinute: 100, budgetShare: 1, requestsPerSecond: 1000 });
    const done: number[] = [];
    const t0 = performance.now();
    const runs = [50, 50, 50].map((w) => g.run('/depth', w, async () => done.push(performance.now() - t0)));
    // Budget 100/min, refilled at 100/60 per second: the third 50-weight request waits ~30 s, so stop early.
    await Promise.all(runs.slice(0, 2));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toHaveLength(2);
    await g.dispose();
    await Promise.allSettled(runs);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    const now = Date.UTC(2025, 0, 1, 0, 0, 0);
    expect(parseRetryAfterMs('2', now)).toBe(2000);
    expect(parseRetryAfterMs('0.5', now)).toBe(500);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
  });
});
