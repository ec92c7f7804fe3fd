import Bottleneck from 'bottleneck';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
  type RetryPolicy,
  type TimeoutPolicy,
} from 'cockatiel';
import { MS_PER_MINUTE } from '../util/time.js';
import { VenueHttpStatusError, VenueRequestError, VenueTimeoutError, VenueUnavailableError } from './errors.js';

/**
 * How one venue is called: a per-venue rate limiter (Bottleneck), a per-attempt timeout, retries with
 * exponential backoff and full jitter on timeouts / broken connections / 429 / 5xx (a 429's Retry-After
 * is honoured and pauses the whole venue), and a circuit breaker so a dead venue fails fast instead of
 * costing every asset of the cycle its timeouts (cockatiel).
 *
 * Order, outermost first: retry -> circuit breaker -> limiter -> fleet budget -> timeout -> request.
 * Every attempt passes the limiter (retries spend rate budget too) and the timeout clock starts only
 * once the limiter lets the attempt go, so queueing behind other assets never counts as a venue timeout.
 *
 * The in-process limiter holds a venue's budget for one process only. Where processes share a venue
 * (up to workerMaxConcurrency Lambda workers, each with its own limiter), a FleetVenueBudget (a token
 * bucket item per venue in the table) is taken from as well, so the whole fleet stays within the budget.
 */

/** A venue's published public limits and the share of them we use. */
export interface VenueRateLimit {
  /** Requests per second the venue allows one IP on public endpoints. */
  requestsPerSecond: number;
  /** Request weight per minute (Binance's REQUEST_WEIGHT); null when the venue counts requests only. */
  weightPerMinute: number | null;
  /** Share of the published limits we use: headroom for clock skew and other clients behind the same IP. */
  budgetShare: number;
  /** Requests in flight at once. */
  maxConcurrent: number;
  /** Fleet budget: the burst, in seconds of the budgeted request rate (at least one request). Default DEFAULT_FLEET_BURST_SECONDS. */
  burstSeconds?: number;
}

/** A second's worth of requests at once, then the budgeted rate: no one-second window sees more than twice it. */
export const DEFAULT_FLEET_BURST_SECONDS = 1;

/**
 * A venue's rate budget shared by every process of the fleet (shared/market/venues/fleet-budget.ts over
 * the table). `take` resolves once one request (and `weight`) is taken from the venue's shared budget,
 * or throws VenueBudgetWaitError when that would take longer than `maxWaitMs`.
 */
export interface FleetVenueBudget {
  take(venue: string, path: string, limit: VenueRateLimit, weight: number, maxWaitMs: number): Promise<void>;
}

/**
 * The fleet's budget for a venue is spent for longer than a request may wait: the venue is skipped for
 * this request (as a failed venue, not a faulty one: no retry, no breaker), the other venues carry on.
 */
export class VenueBudgetWaitError extends VenueRequestError {
  constructor(venue: string, path: string, waitMs: number, readonly maxWaitMs: number) {
    super(
      'VENUE_BUDGET_WAIT',
      `${venue} ${path}: the fleet's request budget for ${venue} would be free in ${Number.isFinite(waitMs) ? `${Math.round(waitMs)} ms` : 'never (the request weighs more than the bucket holds)'}, past the ${maxWaitMs} ms a request may wait`,
      venue,
      path,
      false,
      false,
      { waitMs: Number.isFinite(waitMs) ? Math.round(waitMs) : null, maxWaitMs },
    );
  }
}

/**
 * Published public limits (docs of each venue, 2025): Coinbase Exchange 10 req/s per IP (bursts to 15);
 * Kraken "1 call per second or less" stays within its public limit; Binance spot 6,000 request weight per
 * minute per IP (klines weigh 2, depth 5-250 by levels) and no per-second figure for market data, so the
 * 50 req/s here only bounds bursts.
 */
export const DEFAULT_VENUE_RATE_LIMITS: Readonly<Record<'binance' | 'coinbase' | 'kraken', VenueRateLimit>> = {
  binance: { requestsPerSecond: 50, weightPerMinute: 6000, budgetShare: 0.5, maxConcurrent: 8 },
  coinbase: { requestsPerSecond: 10, weightPerMinute: null, budgetShare: 0.8, maxConcurrent: 4 },
  kraken: { requestsPerSecond: 1, weightPerMinute: null, budgetShare: 0.9, maxConcurrent: 2 },
};

export interface ResilienceOptions {
  /** Per-attempt timeout (connection to last body byte). */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Exponential backoff with full jitter: the n-th retry waits uniform(0, min(max, initial x 2^(n-1))). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** The longest Retry-After honoured; a venue asking for more fails the request (the cycle will not wait). */
  maxRetryAfterMs: number;
  /** Consecutive failed attempts (timeouts, connection failures, 5xx) that open the circuit. */
  breakerConsecutiveFailures: number;
  /** Time an open circuit waits before letting one trial request through. */
  breakerHalfOpenAfterMs: number;
  /** Longest wait for the fleet's shared budget of a venue before the request gives up (VenueBudgetWaitError). */
  maxFleetBudgetWaitMs: number;
}

export const DEFAULT_RESILIENCE: Readonly<ResilienceOptions> = {
  timeoutMs: 10_000,
  maxRetries: 3,
  initialBackoffMs: 250,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 30_000,
  breakerConsecutiveFailures: 5,
  breakerHalfOpenAfterMs: 30_000,
  // A worker waits its turn, not a whole cycle for one venue: 5 assets a batch x 20 s stays inside its 180 s timeout.
  maxFleetBudgetWaitMs: 20_000,
};

export interface VenueCallStats {
  /** Attempts sent to the venue (retries included). */
  attempts: number;
  succeeded: number;
  failed: number;
  retries: number;
  timeouts: number;
  /** 429 answers received (zero when the limiter does its job). */
  rateLimited: number;
  /** Calls refused at once because the circuit was open. */
  shortCircuited: number;
  /** Times the circuit opened. */
  circuitOpenings: number;
}

export type CircuitStatus = 'closed' | 'open' | 'half-open';

export interface VenueGuardDeps {
  /** Uniform [0, 1) for the jitter. */
  random?: () => number;
  now?: () => number;
  /** The venue's budget shared with the rest of the fleet; absent: this process's limiter only. */
  fleetBudget?: FleetVenueBudget;
}

function retryAfterOf(error: unknown): number | null {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Per-venue gate every request of that venue goes through. */
export class VenueGuard {
  readonly stats: VenueCallStats = {
    attempts: 0,
    succeeded: 0,
    failed: 0,
    retries: 0,
    timeouts: 0,
    rateLimited: 0,
    shortCircuited: 0,
    circuitOpenings: 0,
  };
  private readonly slots: Bottleneck;
  /** Weight budget (token bucket), only for venues that count weight. */
  private readonly weightBudget: Bottleneck | null;
  private readonly retryPolicy: RetryPolicy;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly timeoutPolicy: TimeoutPolicy;
  private readonly options: ResilienceOptions;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly limit: VenueRateLimit;
  private readonly fleetBudget: FleetVenueBudget | null;
  /** A 429's Retry-After holds every request of the venue until then, not only the one refused. */
  private pausedUntilMs = 0;
  private refusedUntilMs = 0;

  constructor(
    readonly venue: string,
    limit: VenueRateLimit,
    options: Partial<ResilienceOptions> = {},
    deps: VenueGuardDeps = {},
  ) {
    this.options = { ...DEFAULT_RESILIENCE, ...options };
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.limit = limit;
    this.fleetBudget = deps.fleetBudget ?? null;
    const ratePerSecond = limit.requestsPerSecond * limit.budgetShare;
    // minTime spaces attempt starts evenly: never more than the budgeted rate in any one-second window.
    this.slots = new Bottleneck({ maxConcurrent: limit.maxConcurrent, minTime: Math.ceil(1000 / ratePerSecond) });
    if (limit.weightPerMinute !== null) {
      // Token bucket over weight: refilled continuously (every 250 ms heartbeat), capped at one budgeted
      // minute, so no calendar minute ever sees more than twice the budget (= the limit at a 0.5 share).
      const perMinute = limit.weightPerMinute * limit.budgetShare;
      const heartbeatMs = 250;
      this.weightBudget = new Bottleneck({
        reservoir: perMinute,
        reservoirIncreaseAmount: (perMinute * heartbeatMs) / MS_PER_MINUTE,
        reservoirIncreaseInterval: heartbeatMs,
        reservoirIncreaseMaximum: perMinute,
      });
    } else {
      this.weightBudget = null;
    }
    const o = this.options;
    this.timeoutPolicy = timeout(o.timeoutMs, TimeoutStrategy.Aggressive);
    this.breaker = circuitBreaker(
      handleWhen((error) => error instanceof VenueRequestError && error.venueFault),
      { halfOpenAfter: o.breakerHalfOpenAfterMs, breaker: new ConsecutiveBreaker(o.breakerConsecutiveFailures) },
    );
    this.breaker.onBreak(() => this.stats.circuitOpenings++);
    this.retryPolicy = retry(
      handleWhen((error) => {
        if (!(error instanceof VenueRequestError) || !error.retryable) return false;
        const retryAfter = retryAfterOf(error);
        return retryAfter === null || retryAfter <= o.maxRetryAfterMs;
      }),
      {
        maxAttempts: o.maxRetries,
        backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>((context) => {
          const ceiling = Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** (context.attempt - 1));
          const jittered = this.random() * ceiling;
          const error = 'error' in context.result ? context.result.error : null;
          const retryAfter = retryAfterOf(error);
          // Retry-After is a floor: wait at least that long, plus the jitter so queued callers spread out.
          return retryAfter === null ? jittered : retryAfter + jittered;
        }),
      },
    );
    this.retryPolicy.onRetry(() => this.stats.retries++);
  }

  get circuit(): CircuitStatus {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      default:
        return 'open';
    }
  }

  /**
   * Runs one logical request: `attempt` is called once per try with an AbortSignal that fires on the
   * timeout. `weight` is the request's cost in the venue's weight budget (1 where weight is not counted).
   */
  async run<T>(path: string, weight: number, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      const value = await this.retryPolicy.execute(() =>
        this.breaker.execute(() => this.limited(path, weight, () => this.attemptOnce(path, attempt))),
      );
      this.stats.succeeded++;
      return value;
    } catch (error) {
      this.stats.failed++;
      if (error instanceof BrokenCircuitError) {
        this.stats.shortCircuited++;
        const last = this.breaker.lastFailure;
        const reason = last && 'error' in last ? last.error.message : 'repeated failures';
        throw new VenueUnavailableError(this.venue, path, reason);
      }
      throw error;
    }
  }

  private disposed = false;

  /** Stops the limiters: queued requests are dropped, none is accepted any more. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.slots.stop({ dropWaitingJobs: true }), this.weightBudget?.stop({ dropWaitingJobs: true })]);
  }

  private limited<T>(path: string, weight: number, task: () => Promise<T>): Promise<T> {
    const fleet = this.fleetBudget;
    // Inside the slot: this process's pacing first, then the fleet's token; the timeout starts after both.
    const inFleet = fleet ? async () => (await fleet.take(this.venue, path, this.limit, weight, this.options.maxFleetBudgetWaitMs), task()) : task;
    const inSlot = () => this.slots.schedule(inFleet);
    return this.weightBudget ? this.weightBudget.schedule({ weight }, inSlot) : inSlot();
  }

  private async attemptOnce<T>(path: string, attempt: (signal: AbortSignal) => Promise<T>): Promise<T> {
    // The venue asked for a longer wait than we honour: refuse at once, without a request, until it is over.
    const refusedForMs = this.refusedUntilMs - this.now();
    if (refusedForMs > 0) throw new VenueHttpStatusError(this.venue, path, 429, refusedForMs, 'not sent: the venue asked for a wait beyond maxRetryAfterMs');
    const waitMs = this.pausedUntilMs - this.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    this.stats.attempts++;
    try {
      return await this.timeoutPolicy.execute((_context, signal) => attempt(signal));
    } catch (error) {
      if (error instanceof TaskCancelledError) {
        this.stats.timeouts++;
        throw new VenueTimeoutError(this.venue, path, this.options.timeoutMs);
      }
      const retryAfter = retryAfterOf(error);
      if ((error as { status?: unknown }).status === 429) {
        this.stats.rateLimited++;
        // A wait we honour pauses the whole venue; a longer one refuses its requests until then, so it never
        // stalls the cycle (the request that met it fails at once, and so do the others).
        if (retryAfter !== null && retryAfter <= this.options.maxRetryAfterMs) this.pausedUntilMs = Math.max(this.pausedUntilMs, this.now() + retryAfter);
        else if (retryAfter !== null) this.refusedUntilMs = Math.max(this.refusedUntilMs, this.now() + retryAfter);
      }
      throw error;
    }
  }
}
