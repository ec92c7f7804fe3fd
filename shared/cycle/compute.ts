import { createHash } from 'node:crypto';
import { INTERVAL_MS, type AdvisorConfig, type ProtocolProfile } from '../config/schema.js';
import type { Recommendation } from '../model/recommendation.js';
import type { DataQuality, MarketSnapshot } from '../model/snapshot.js';
import { computeParameters } from '../risk/recommend.js';
import type { Store } from '../store/index.js';
import { AdvisorError } from '../util/errors.js';
import { MS_PER_DAY, floorTo } from '../util/time.js';

export class NoSnapshotError extends AdvisorError {
  constructor(asset: string) {
    super('NO_SNAPSHOT', `no market snapshot stored for ${asset}: ingest has not run for it`, { asset });
  }
}

/** Profiles that cover an asset. */
export function profilesFor(config: AdvisorConfig, asset: string): ProtocolProfile[] {
  return config.profiles.filter((p) => p.assets.length === 0 || p.assets.includes(asset));
}

/** A snapshot older than the policy allows is weak evidence, whatever it said when it was taken. */
export function qualityAt(snapshot: MarketSnapshot, staleAfterMs: number, nowMs: number): DataQuality {
  const ageMs = nowMs - snapshot.takenAtMs;
  if (ageMs <= staleAfterMs) return snapshot.quality;
  return {
    ...snapshot.quality,
    passed: false,
    issues: [
      ...snapshot.quality.issues,
      { code: 'STALE', severity: 'failure', message: `snapshot taken ${(ageMs / 3_600_000).toFixed(1)} h before compute` },
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

export interface ComputeDeps {
  config: AdvisorConfig;
  store: Store;
}

/** Computes and stores a new recommendation version for (asset, profile) from the latest snapshot. */
export async function computeRecommendation(
  deps: ComputeDeps,
  snapshot: MarketSnapshot,
  profile: ProtocolProfile,
  runId: string,
  nowMs: number,
): Promise<Recommendation> {
  const { config, store } = deps;
  const intervalMs = INTERVAL_MS[profile.candleInterval];
  const endMs = floorTo(snapshot.takenAtMs, intervalMs);
  const candles = await store.series.getBars(snapshot.asset, profile.candleInterval, endMs - profile.lookbackDays * MS_PER_DAY, endMs);
  const quality = qualityAt(snapshot, config.policy.staleAfterMs, nowMs);
  const computed = computeParameters({ profile, policy: config.policy, candles, books: snapshot.books, quality });
  const inputsDigest = digestOf({
    methodologyVersion: config.methodologyVersion,
    profile,
    policy: config.policy,
    candles: candles.map((c) => [c.openTimeMs, c.open, c.high, c.low, c.close]),
    books: snapshot.books,
    quality,
  });
  const draft = {
    asset: snapshot.asset,
    profileId: profile.id,
    createdAtMs: nowMs,
    runId,
    methodologyVersion: config.methodologyVersion,
    simulated: snapshot.simulated,
    snapshotTakenAtMs: snapshot.takenAtMs,
    inputsDigest,
    status: computed.status,
    unfitReasons: computed.unfitReasons,
    volatility: computed.volatility,
    liquidity: computed.liquidity,
    quality,
    figures: finiteFigures(computed.figures),
    rationale: computed.rationale,
  };
  let versioned: Omit<Recommendation, 'version'>;
  if (computed.profileKind === 'lending' && profile.kind === 'lending') {
    versioned = { ...draft, profileKind: 'lending', parameters: computed.parameters, current: profile.current[snapshot.asset] ?? null };
  } else if (computed.profileKind === 'perp' && profile.kind === 'perp') {
    versioned = { ...draft, profileKind: 'perp', parameters: computed.parameters, current: profile.current[snapshot.asset] ?? null };
  } else {
    throw new Error(`profile ${profile.id} is ${profile.kind} but parameters came out ${computed.profileKind}`);
  }
  return store.recommendations.append(versioned);
}

export async function latestSnapshotOrThrow(store: Store, asset: string): Promise<MarketSnapshot> {
  const snapshot = await store.snapshots.latest(asset);
  if (!snapshot) throw new NoSnapshotError(asset);
  return snapshot;
}
