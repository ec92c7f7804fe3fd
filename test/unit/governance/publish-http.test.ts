import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryError, RateLimitedError } from '../../../shared/governance/errors.js';
import { DEFAULT_RETRY_POLICY, errorText, rateLimitWaitMs, withRetries, type RetryPolicy } from '../../../shared/governance/http.js';
import { SecretValue, redact } from '../../../shared/governance/secrets.js';
import { backoffMs } from '../../../shared/util/backoff.js';
import { inspect } from 'node:util';

const details = { target: 'test' };

function policy(sleeps: number[], overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, baseBackoffMs: 100, maxBackoffMs: 1_000, random: () => 0, sleep: async (ms) => void sleeps.push(ms), ...overrides };
}

describe('backoff', () => {
  it('doubles from the base up to the cap; with no jitter it is half the step', () => {
    const p = { baseBackoffMs: 100, maxBackoffMs: 1_000, random: () => 0 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, p))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(backoffMs(3, { ...p, random: () => 0.999999 })).toBe(400);
  });

  it('stays within [step / 2, step] for any jitter draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, u) => {
        const p = { baseBackoffMs: 250, maxBackoffMs: 8_000, random: () => u };
        const step = Math.min(8_000, 250 * 2 ** (n - 1));
        const ms = backoffMs(n, p);
        return ms >= Math.floor(step / 2) && ms <= step;
      }),
    );
  });
});

describe('the wait a 429 asks for', () => {
  it("prefers Discourse's extras.wait_seconds, then Retry-After in seconds or as a date", () => {
    expect(rateLimitWaitMs({ 'retry-after': '9' }, { extras: { wait_seconds: 3 } }, 0)).toBe(3_000);
    expect(rateLimitWaitMs({ 'retry-after': '9' }, { errors: ['slow down'] }, 0)).toBe(9_000);
    expect(rateLimitWaitMs({ 'retry-after': '1.5' }, '', 0)).toBe(1_500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(rateLimitWaitMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:42 GMT' }, null, now)).toBe(42_000);
    expect(rateLimitWaitMs({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }, null, now)).toBe(0);
  });

  it('is null when neither says anything usable', () => {
    expect(rateLimitWaitMs({}, {}, 0)).toBeNull();
    expect(rateLimitWaitMs({ 'retry-after': 'soon' }, { extras: { wait_seconds: 'x' } }, 0)).toBeNull();
    expect(rateLimitWaitMs({ 'retry-after': '-3' }, { extras: { wait_seconds: -1 } }, 0)).toBeNull();
  });
});

describe("a target's error text", () => {
  it("reads Discourse's errors[], then error / message, then raw text, on one line and bounded", () => {
    expect(errorText({ errors: ['Title is too short', 'Body is too short'] })).toBe('Title is too short; Body is too short');
    expect(errorText({ error: 'nope' })).toBe('nope');
    expect(errorText({ message: 'bad\n  input' })).toBe('bad input');
    expect(errorText('<html>Bad Gateway</html>')).toBe('<html>Bad Gateway</html>');
    expect(errorText(undefined)).toBe('');
    expect(errorText('x'.repeat(1_000))).toHaveLength(301);
  });
});

describe('retries', () => {
  it('retries transient failures with growing backoff, up to the attempts', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const error = new DeliveryError('transient', 'down', details);
    await expect(
      withRetries(async () => {
        calls++;
        throw error;
      }, policy(sleeps, { attempts: 4 })),
    ).rejects.toBe(error);
    expect(calls).toBe(4);
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('returns the first success', async () => {
    const sleeps: number[] = [];
    const result = await withRetries(async (attempt) => {
      if (attempt < 3) throw new DeliveryError('transient', 'down', details);
      return attempt;
    }, policy(sleeps));
    expect(result).toBe(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('does not retry rejections, auth failures or errors that are not delivery errors', async () => {
    for (const error of [new DeliveryError('rejected', '422', details), new DeliveryError('auth', '403', details), new TypeError('bug')]) {
      const sleeps: number[] = [];
      let calls = 0;
      await expect(
        withRetries(async () => {
          calls++;
          throw error;
        }, policy(sleeps)),
      ).rejects.toBe(error);
      expect([calls, sleeps]).toEqual([1, []]);
    }
  });

  it("waits what a 429 asked for, backs off when it did not say, and gives up at once on a wait over the limit", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await withRetries(async () => {
      calls++;
      if (calls === 1) throw new RateLimitedError('429', details, 7_000);
      if (calls === 2) throw new RateLimitedError('429', details, null);
    }, policy(sleeps, { maxRateLimitWaitMs: 10_000 }));
    expect(sleeps).toEqual([7_000, 100]);

    const tooLong = new RateLimitedError('429', details, 60_000);
    const noSleeps: number[] = [];
    await expect(
      withRetries(async () => {
        throw tooLong;
      }, policy(noSleeps, { maxRateLimitWaitMs: 10_000 })),
    ).rejects.toBe(tooLong);
    expect(noSleeps).toEqual([]);
  });

  it('classifies: only rejections are permanent; transient and rate limits retry in place', () => {
    const kinds = (['rate-limited', 'transient', 'auth', 'rejected'] as const).map((k) => {
      const e = new DeliveryError(k, k, details);
      return [k, e.retryNow, e.permanent, e.code];
    });
    expect(kinds).toEqual([
      ['rate-limited', true, false, 'DELIVERY_RATE_LIMITED'],
      ['transient', true, false, 'DELIVERY_TRANSIENT'],
      ['auth', false, false, 'DELIVERY_AUTH'],
      ['rejected', false, true, 'DELIVERY_REJECTED'],
    ]);
  });
});

describe('secret values', () => {
  it('print as [redacted] every way but reveal()', () => {
    const secret = new SecretValue('s3cr3t-value-0123456789');
    for (const printed of [String(secret), `${secret}`, JSON.stringify({ secret }), inspect({ secret })]) expect(printed).not.toContain('s3cr3t');
    expect(secret.reveal()).toBe('s3cr3t-value-0123456789');
  });

  it('are scrubbed from texts; short strings are left alone (they would hit ordinary words)', () => {
    expect(redact('key abcdefgh123 echoed twice: abcdefgh123', [new SecretValue('abcdefgh123')])).toBe('key [redacted] echoed twice: [redacted]');
    expect(redact('the key', ['key'])).toBe('the key');
  });
});
