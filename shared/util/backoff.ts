/** How retries after a lost race or a failed request wait: exponential steps with "equal jitter". */
export interface BackoffPolicy {
  /** Backoff before try n+1 is drawn from [b/2, b] with b = min(maxBackoffMs, baseBackoffMs x 2^(n-1)). */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Uniform in [0, 1): the jitter source. */
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** The real clock's wait (tests pass their own). */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** "Equal jitter": half the exponential step fixed, half random, so retries spread but never bunch at 0. */
export function backoffMs(failedAttempts: number, policy: Pick<BackoffPolicy, 'baseBackoffMs' | 'maxBackoffMs' | 'random'>): number {
  const step = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.round(step / 2 + (step / 2) * policy.random());
}
