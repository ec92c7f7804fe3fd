import { TableRepository } from './repository.js';
import { keys } from './table.js';

/**
 * A venue's rate budget shared by every process of the fleet (issue 12, defect 16): one token bucket
 * item per venue (pk VENUE#<venue>, sk BUDGET) holding request tokens, weight tokens where the venue
 * counts weight, the time they were last refilled and a version. A take reads the item, refills it for
 * the time elapsed, and writes it back only if nobody wrote in between (conditional on the version):
 * ten workers then share Kraken's ~1 request/s instead of each spending it. The waiting and the rule
 * from a venue's limits are the market's (shared/market/venues/fleet-budget.ts).
 */

/** A venue's budget as buckets: refill rate and capacity (the burst) of requests, and of weight. */
export interface BucketRule {
  requestsPerSecond: number;
  requestCapacity: number;
  /** Null when the venue counts requests only. */
  weightPerSecond: number | null;
  weightCapacity: number | null;
}

/** The stored state of one venue's buckets. */
export interface BucketState {
  tokens: number;
  weightTokens: number | null;
  refilledAtMs: number;
  version: number;
  /** Requests taken since the item was created (observability; tests count by it). */
  taken: number;
}

export type TakeDecision = { taken: true; next: BucketState } | { taken: false; waitMs: number };

/**
 * Pure: refills `state` (null: a full bucket) up to `nowMs` and takes one request and `weight` when
 * both are there; else says how long until they will be. A clock behind the stored one refills nothing.
 */
export function decideTake(state: BucketState | null, rule: BucketRule, weight: number, nowMs: number): TakeDecision {
  const elapsedMs = state ? Math.max(0, nowMs - state.refilledAtMs) : 0;
  const tokens = state ? Math.min(rule.requestCapacity, state.tokens + (elapsedMs * rule.requestsPerSecond) / 1000) : rule.requestCapacity;
  const weighted = rule.weightPerSecond !== null && rule.weightCapacity !== null;
  const weightTokens = !weighted
    ? null
    : state?.weightTokens != null
      ? Math.min(rule.weightCapacity!, state.weightTokens + (elapsedMs * rule.weightPerSecond!) / 1000)
      : rule.weightCapacity!;
  const requestShortMs = tokens >= 1 ? 0 : ((1 - tokens) / rule.requestsPerSecond) * 1000;
  const weightShortMs = weightTokens === null || weightTokens >= weight ? 0 : ((weight - weightTokens) / rule.weightPerSecond!) * 1000;
  if (requestShortMs > 0 || weightShortMs > 0) return { taken: false, waitMs: Math.ceil(Math.max(requestShortMs, weightShortMs)) };
  return {
    taken: true,
    next: {
      tokens: tokens - 1,
      weightTokens: weightTokens === null ? null : weightTokens - weight,
      refilledAtMs: Math.max(nowMs, state?.refilledAtMs ?? nowMs),
      version: (state?.version ?? 0) + 1,
      taken: (state?.taken ?? 0) + 1,
    },
  };
}

/** `state`: the bucket as this try left it (taken) or found it (waiting), for the next try to start from. */
export type TakeOutcome = { taken: true; state: BucketState } | { taken: false; waitMs: number; state: BucketState | null } | { taken: false; contended: true };

export class VenueBudgetRepository extends TableRepository {
  async get(venue: string): Promise<BucketState | null> {
    const item = await this.getItem({ pk: keys.venueBudget(venue), sk: keys.venueBudgetSort });
    if (!item) return null;
    return {
      tokens: Number(item.tokens),
      weightTokens: item.weightTokens === undefined || item.weightTokens === null ? null : Number(item.weightTokens),
      refilledAtMs: Number(item.refilledAtMs),
      version: Number(item.version),
      taken: Number(item.taken ?? 0),
    };
  }

  /**
   * One try: takes a request (and `weight`) if the bucket has them and nobody wrote since it was read.
   * `known`: the state this process last wrote or read, to skip the read (a stale one only costs a
   * failed condition, `contended`, and the next try reads).
   */
  async tryTake(venue: string, rule: BucketRule, weight: number, nowMs: number, known?: BucketState): Promise<TakeOutcome> {
    const state = known ?? (await this.get(venue));
    const decision = decideTake(state, rule, weight, nowMs);
    if (!decision.taken) return { ...decision, state };
    const { next } = decision;
    const written = await this.conditionalUpdate({
      Key: { pk: keys.venueBudget(venue), sk: keys.venueBudgetSort },
      UpdateExpression: 'SET tokens = :tokens, weightTokens = :weightTokens, refilledAtMs = :at, version = :next, taken = :taken',
      ConditionExpression: state ? 'version = :previous' : 'attribute_not_exists(pk)',
      ExpressionAttributeValues: {
        ':tokens': next.tokens,
        ':weightTokens': next.weightTokens,
        ':at': next.refilledAtMs,
        ':next': next.version,
        ':taken': next.taken,
        ...(state ? { ':previous': state.version } : {}),
      },
    });
    return written ? { taken: true, state: next } : { taken: false, contended: true };
  }
}
