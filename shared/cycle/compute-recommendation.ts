import { INTERVAL_MS, type AdvisorConfig, type Policy, type ProtocolProfile } from '../config/schema.js';
import { applyChainReading } from '../chain/apply.js';
import type { ChainReading, CurrentSource } from '../model/chain.js';
import type { Recommendation, RecommendationDraft } from '../model/recommendation.js';
import { blockStartMs, storedInputsOf } from '../reproduce/inputs.js';
import type { BookSummary, DataQuality, MarketSnapshot } from '../model/snapshot.js';
import { chooseBooks } from '../risk/book-window.js';
import { computeParameters } from '../risk/engine/recommend.js';
import type { ComputedParameters, ParameterInputs } from '../risk/engine/types.js';
import { isStaleBookSet, lastBarEndMs, newestBookMs } from '../risk/freshness.js';
import { assertContinuousTiers } from '../risk/tier-continuity.js';
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

/** What a stored version says beside the engine's output: where and when it was computed, from what. */
export interface VersionMeta {
  runId: string;
  nowMs: number;
  methodologyVersion: string;
  inputsDigest: string;
  snapshot: Pick<MarketSnapshot, 'simulated' | 'historical' | 'source' | 'takenAtMs'>;
  /** Lending: where the current values came from (config or chain, issue 16); provenance, not an engine output. */
  currentSource?: CurrentSource;
}

/** The stored record of an engine run (before its version number): the one shape compute and `npm run reproduce` build. */
export function recommendationDraftOf(inputs: ParameterInputs, computed: ComputedParameters, meta: VersionMeta): RecommendationDraft {
  const { asset, profile } = inputs;
  const draft = {
    asset,
    profileId: profile.id,
    createdAtMs: meta.nowMs,
    runId: meta.runId,
    methodologyVersion: meta.methodologyVersion,
    simulated: meta.snapshot.simulated,
    // Snapshots stored before the field existed: a replay source is history all the same.
    historical: meta.snapshot.historical ?? meta.snapshot.source === 'replay',
    snapshotTakenAtMs: meta.snapshot.takenAtMs,
    inputsDigest: meta.inputsDigest,
    status: computed.status,
    unfitReasons: computed.unfitReasons,
    alerts: computed.alerts,
    volatility: computed.volatility,
    liquidity: computed.liquidity,
    quality: inputs.quality,
    figures: finiteFigures(computed.figures),
    rationale: computed.rationale,
    steps: computed.steps,
    needsGovernanceVote: computed.needsGovernanceVote,
  };
  if (computed.profileKind === 'lending' && profile.kind === 'lending') {
    const { parameters, target, crossCheck, monteCarlo } = computed;
    return { ...draft, profileKind: 'lending', parameters, target, crossCheck, monteCarlo, current: profile.current[asset] ?? null, ...(meta.currentSource ? { currentSource: meta.currentSource } : {}) };
  }
  if (computed.profileKind === 'perp' && profile.kind === 'perp') {
    const { parameters, target, tiers, openInterest, liquidationPenaltyBps, insuranceFundTargetUsd } = computed;
    // A schedule whose margin jumps at a boundary is never stored (nor published from the store).
    assertContinuousTiers(tiers, `${asset} ${profile.id}`);
    return { ...draft, profileKind: 'perp', parameters, target, tiers, openInterest, liquidationPenaltyBps, insuranceFundTargetUsd, current: profile.current[asset] ?? null };
  }
  throw new ProfileKindMismatchError(profile.id, profile.kind, computed.profileKind);
}

/**
 * Computes and stores a new recommendation version for (asset, profile) from the latest snapshot, its exact
 * inputs first (content-addressed, store/inputs.ts; `previousInputsDigest`, the previous version's, saves
 * rewriting the parts it already stored).
 */
export async function computeRecommendation(
  deps: RecommendationDeps,
  snapshot: MarketSnapshot,
  configured: ProtocolProfile,
  runId: string,
  nowMs: number,
  previousInputsDigest?: string,
  chain?: ChainReading,
): Promise<Recommendation> {
  const { config, store } = deps;
  const intervalMs = INTERVAL_MS[configured.candleInterval];
  const endMs = floorTo(snapshot.takenAtMs, intervalMs);
  const startMs = endMs - configured.lookbackDays * MS_PER_DAY;
  // From the start of the first input block (same chunks read): the block is stored whole, so it is shared by later versions.
  const blockBars = await store.series.getBars(snapshot.asset, configured.candleInterval, blockStartMs(startMs, configured.candleInterval), endMs);
  const candles = blockBars.filter((c) => c.openTimeMs >= startMs);
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
    candles: candles.length > 0 ? null : await lastStoredBarEndMs(store, snapshot.asset, profile, startMs),
  };
  const inputs: ParameterInputs = { asset: snapshot.asset, profile, policy: config.policy, candles, books, bookWindow, quality, nowMs, frozen, lastGoodMs };
  const computed = computeParameters(inputs);
  const { manifest, parts } = storedInputsOf({ inputs, methodologyVersion: config.methodologyVersion, blockBars, startMs, endMs });
  // Inputs before the version: a stored version always has its inputs.
  await store.inputs.save(manifest, parts, await store.inputs.partsOf(previousInputsDigest));
  const draft = recommendationDraftOf(inputs, computed, { runId, nowMs, methodologyVersion: config.methodologyVersion, inputsDigest: manifest.digest, snapshot, ...(applied ? { currentSource: applied.source } : {}) });
  return store.recommendations.append(draft);
}
