import { createHash } from 'node:crypto';
import { INTERVAL_MS, type AdvisorConfig, type Policy, type ProtocolProfile } from '../config/schema.js';
import { applyChainReading } from '../chain/apply.js';
import type { ChainReading } from '../model/chain.js';
import type { Recommendation, RecommendationDraft } from '../model/recommendation.js';
import type { BookSummary, DataQuality, MarketSnapshot } from '../model/snapshot.js';
import { chooseBooks } from '../risk/book-window.js';
import { computeParameters } from '../risk/engine/recommend.js';
import { isStaleBookSet, lastBarEndMs, newestBookMs } from '../risk/freshness.js';
import type { Store } from '../store/index.js';
import { floorTo, MS_PER_DAY, MS_PER_HOUR } from '../util/time.js';
import { ProfileKindMismatchError } from './errors.js';

export { profilesFor } from '../config/profiles.js';

/** A snapshot older than the policy allows is weak evidence, whatever it said when it was taken. */
export function qualityAt(snapshot: MarketSnapshot, staleAfterMs: number, nowMs: number): DataQuality {
  const ageMs = nowMs - snapshot.takenAtMs;
  if (ageMs <= staleAfterMs) return snapshot.quality;
  return {
    ...snapshot.quality,
    passed: false,
    issues: [
      ...snapshot.quality.issues,
      { code: 'STALE', severity: 'failure', message: `snapshot taken ${(ageMs / MS_PER_HOUR).toFixed(1)} h before compute` },
    ],
  };
}

/** sha256 over the canonical JSON of everything the parameters were computed from. */
export function digestOf(value: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`;
}

function finiteFigures(figures: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).filter(([, v]) => Number.isFinite(v)));
}

/**
 * The book sets the window chooses from: a snapshot without a book (its fetch failed) is not a book of
 * zero depth, and a stale set is not today's depth (freshness.ts). With no fresh set at all, the newest
 * stale one is passed on so the engine holds what depends on it and says since when.
 */
export function booksInWindow(bookSets: readonly (readonly BookSummary[])[], nowMs: number, policy: Policy): (readonly BookSummary[])[] {
  const present = bookSets.filter((books) => books.length > 0);
  const fresh = present.filter((books) => !isStaleBookSet(books, nowMs, policy));
  if (fresh.length > 0 || present.length === 0) return fresh;
  const newest = present.reduce((a, b) => ((newestBookMs(b) ?? 0) > (newestBookMs(a) ?? 0) ? b : a));
  return [newest];
}

/** The newest book the store has for the asset: in the window, else in the snapshots just before it (one bounded read). */
async function lastGoodBookMs(store: Store, asset: string, windowSets: readonly (readonly BookSummary[])[], windowStartMs: number, limit: number): Promise<number | null> {
  const inWindow = newestBookMs(windowSets.flat());
  if (inWindow !== null) return inWindow;
  const before = await store.snapshots.recent(asset, 0, limit, windowStartMs);
  return newestBookMs(before.flatMap((s) => s.books));
}

/** Close time of the newest stored bar before the lookback (one more lookback back), when the lookback has none. */
async function lastStoredBarEndMs(store: Store, asset: string, profile: ProtocolProfile, lookbackStartMs: number): Promise<number | null> {
  const older = await store.series.getBars(asset, profile.candleInterval, lookbackStartMs - profile.lookbackDays * MS_PER_DAY, lookbackStartMs);
  return lastBarEndMs(older, profile.candleInterval);
}

export interface RecommendationDeps {
  config: AdvisorConfig;
  store: Store;
}

/** Computes and stores a new recommendation version for (asset, profile) from the latest snapshot. */
export async function computeRecommendation(
  deps: RecommendationDeps,
  snapshot: MarketSnapshot,
  configured: ProtocolProfile,
  runId: string,
  nowMs: number,
  chain?: ChainReading,
): Promise<Recommendation> {
  const { config, store } = deps;
  const intervalMs = INTERVAL_MS[configured.candleInterval];
  const endMs = floorTo(snapshot.takenAtMs, intervalMs);
  const candles = await store.series.getBars(snapshot.asset, configured.candleInterval, endMs - configured.lookbackDays * MS_PER_DAY, endMs);
  // issue 16: the live values (chain) replace the configured ones field by field; caps in tokens at the last close.
  const applied = configured.kind === 'lending' ? applyChainReading(configured, snapshot.asset, chain, candles.at(-1)?.close ?? null) : null;
  const profile: ProtocolProfile = applied?.profile ?? configured;
  const quality = qualityAt(snapshot, config.policy.staleAfterMs, nowMs);
  // Liquidity at a low percentile over the window's book snapshots, not the latest book alone.
  const windowStartMs = snapshot.takenAtMs - config.policy.bookWindowHours * MS_PER_HOUR;
  const recent = await store.snapshots.recent(snapshot.asset, windowStartMs, config.policy.bookSnapshotsMax);
  const bookSets = [snapshot, ...recent.filter((s) => s.takenAtMs !== snapshot.takenAtMs)].map((s) => s.books);
  const { books, ...bookWindow } = chooseBooks(booksInWindow(bookSets, nowMs, config.policy), config.policy.bookPercentile, config.policy.bookDepthBand);
  const frozen = config.assets.find((a) => a.symbol === snapshot.asset)?.frozen ?? false;
  const lastGoodMs = {
    book: await lastGoodBookMs(store, snapshot.asset, bookSets, windowStartMs, config.policy.bookSnapshotsMax),
    candles: candles.length > 0 ? null : await lastStoredBarEndMs(store, snapshot.asset, profile, endMs - profile.lookbackDays * MS_PER_DAY),
  };
  const computed = computeParameters({ asset: snapshot.asset, profile, policy: config.policy, candles, books, bookWindow, quality, nowMs, frozen, lastGoodMs });
  const inputsDigest = digestOf({
    methodologyVersion: config.methodologyVersion,
    profile,
    policy: config.policy,
    candles: candles.map((c) => [c.openTimeMs, c.open, c.high, c.low, c.close]),
    books,
    quality,
    nowMs: profile.currentUpdatedAt[snapshot.asset] ? nowMs : undefined,
  });
  const draft = {
    asset: snapshot.asset,
    profileId: profile.id,
    createdAtMs: nowMs,
    runId,
    methodologyVersion: config.methodologyVersion,
    simulated: snapshot.simulated,
    // Snapshots stored before the field existed: a replay source is history all the same.
    historical: snapshot.historical ?? snapshot.source === 'replay',
    snapshotTakenAtMs: snapshot.takenAtMs,
    inputsDigest,
    status: computed.status,
    unfitReasons: computed.unfitReasons,
    alerts: computed.alerts,
    volatility: computed.volatility,
    liquidity: computed.liquidity,
    quality,
    figures: finiteFigures(computed.figures),
    rationale: computed.rationale,
    steps: computed.steps,
    needsGovernanceVote: computed.needsGovernanceVote,
  };
  let versioned: RecommendationDraft;
  if (computed.profileKind === 'lending' && profile.kind === 'lending') {
    const { parameters, target, crossCheck, monteCarlo } = computed;
    versioned = { ...draft, profileKind: 'lending', parameters, target, crossCheck, monteCarlo, current: profile.current[snapshot.asset] ?? null, ...(applied ? { currentSource: applied.source } : {}) };
  } else if (computed.profileKind === 'perp' && profile.kind === 'perp') {
    const { parameters, target, tiers, openInterest, liquidationPenaltyBps, insuranceFundTargetUsd } = computed;
    versioned = {
      ...draft,
      profileKind: 'perp',
      parameters,
      target,
      tiers,
      openInterest,
      liquidationPenaltyBps,
      insuranceFundTargetUsd,
      current: profile.current[snapshot.asset] ?? null,
    };
  } else {
    throw new ProfileKindMismatchError(profile.id, profile.kind, computed.profileKind);
  }
  return store.recommendations.append(versioned);
}
