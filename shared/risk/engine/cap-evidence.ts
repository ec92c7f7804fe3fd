import { INTERVAL_MS, type LendingProfile, type Policy } from '../../config/schema.js';
import { formatPct, formatUsd } from '../../format/numbers.js';
import type { BookSummary } from '../../model/snapshot.js';
import { quantileSorted } from '../../numerics/statistics.js';
import { maxBookAgeMsOf } from '../freshness.js';
import type { Evidence } from '../guardrails.js';
import type { CandleLike } from '../series.js';
import { MS_PER_DAY, MS_PER_MINUTE } from '../../util/time.js';
import { horizonLabel } from './rationale.js';

/**
 * The supply cap from the whole evidence (issue 14, docs/methodology.md#caps): what can be sold for at most
 * half the bonus in slippage, measured two ways, and whether that evidence may move a cap at all.
 *
 * - Depth: the bids of every venue's book merged, sellable within B / 2 of mid (the standing book).
 * - Flow: the USD traded over one liquidation horizon (the p-th percentile of the horizons in the last
 *   `policy.rangeWindowDays`, p = policy.bookPercentile as for the book window), times the participation
 *   share a liquidator may take of it (profile.capVolumeParticipationShare).
 * The cap is the larger of the two over capLiquidationShare: each is an amount a liquidator can sell within
 * the horizon on its own, so the larger is still one.
 *
 * Both are measured on the venues we observe, a subset of the market, so they are lower bounds on the
 * market's liquidity: they can show a cap is covered, but a cut needs evidence that covers the market.
 * "Missing is not risky": when the evidence is thin (books or volume from fewer than policy.minVenues
 * venues, no traded volume, a book older than the policy's book age) the cap steps are held
 * (`held-weak-evidence`), and the reason carries what the method gives and on what evidence.
 */

export interface CapEvidence {
  /** USD sellable within B / 2 on the merged book of every venue with a book. */
  bookSellableUsd: number;
  /** Distinct venues with a book. */
  bookVenues: string[];
  /** Age of the oldest book used at the clock (ms), null without books. */
  oldestBookAgeMs: number | null;
  /** USD traded per liquidation horizon (the window's percentile), null when the candles carry no volume. */
  horizonVolumeUsd: number | null;
  /** Venues whose candles make up the volume (the quality report's venues with data). */
  volumeVenues: number;
  /** participation x horizon volume: what a liquidator can sell into the flow over one horizon. */
  flowSellableUsd: number;
  /** The larger of the two: what the cap is computed from. */
  sellableUsd: number;
  /** Empty when the evidence may move a cap; else why it is thin, one phrase each. */
  thinReasons: string[];
}

/** A candle that may carry its volume (base-asset units, as shared/market/types.ts). */
type VolumeCandle = CandleLike & { volume?: number };

/**
 * USD traded per liquidation horizon: non-overlapping horizon blocks of the last rangeWindowDays, each the
 * sum of close x volume over its bars; the policy's book percentile of them. Null when no bar carries a volume.
 */
export function horizonVolumeUsd(candles: readonly VolumeCandle[], profile: LendingProfile, policy: Policy): number | null {
  const intervalMs = INTERVAL_MS[profile.candleInterval];
  const barsPerHorizon = Math.max(1, Math.round((profile.horizonMinutes * MS_PER_MINUTE) / intervalMs));
  const last = candles[candles.length - 1];
  if (!last) return null;
  const fromMs = last.openTimeMs + intervalMs - policy.rangeWindowDays * MS_PER_DAY;
  const blockMs = barsPerHorizon * intervalMs;
  const sums = new Float64Array(Math.ceil((last.openTimeMs + intervalMs - fromMs) / blockMs));
  const seen = new Uint8Array(sums.length);
  let withVolume = 0;
  for (let i = candles.length - 1; i >= 0 && candles[i]!.openTimeMs >= fromMs; i--) {
    const c = candles[i]!;
    if (c.volume === undefined || !Number.isFinite(c.volume)) continue;
    withVolume++;
    const block = Math.floor((c.openTimeMs - fromMs) / blockMs);
    sums[block]! += c.volume * c.close;
    seen[block] = 1;
  }
  if (withVolume === 0) return null;
  // Horizons without any bar (a gap) are not horizons with no trading: only those with bars count.
  return quantileSorted(sums.filter((_, b) => seen[b] === 1).sort(), policy.bookPercentile);
}

export function capEvidenceOf(
  input: { books: readonly BookSummary[]; candles: readonly CandleLike[]; volumeVenues: number; nowMs: number; bookSellableUsd: number },
  profile: LendingProfile,
  policy: Policy,
): CapEvidence {
  const bookVenues = [...new Set(input.books.map((b) => b.venue))].sort();
  const oldestBookAgeMs = input.books.length > 0 ? input.nowMs - Math.min(...input.books.map((b) => b.fetchedAtMs)) : null;
  const volume = horizonVolumeUsd(input.candles, profile, policy);
  const flowSellableUsd = volume === null ? 0 : volume * profile.capVolumeParticipationShare;
  const thinReasons: string[] = [];
  const minVenues = policy.minVenues;
  if (bookVenues.length < minVenues) thinReasons.push(`books from ${bookVenues.length} venue(s), fewer than ${minVenues}`);
  if (volume === null) thinReasons.push('no traded volume in the candles');
  else if (input.volumeVenues < minVenues) thinReasons.push(`volume from ${input.volumeVenues} venue(s), fewer than ${minVenues}`);
  const maxAgeMs = maxBookAgeMsOf(policy);
  if (oldestBookAgeMs !== null && oldestBookAgeMs > maxAgeMs) {
    thinReasons.push(`the oldest book ${(oldestBookAgeMs / MS_PER_DAY).toFixed(0)} days old at the clock (at most ${(maxAgeMs / MS_PER_DAY).toFixed(0)} day(s))`);
  }
  return {
    bookSellableUsd: input.bookSellableUsd,
    bookVenues,
    oldestBookAgeMs,
    horizonVolumeUsd: volume,
    volumeVenues: input.volumeVenues,
    flowSellableUsd,
    sellableUsd: Math.max(input.bookSellableUsd, flowSellableUsd),
    thinReasons,
  };
}

/** What the cap is computed from, with the figures (the rationale; the held step's reason prefixes the cap). */
export function capEvidenceSentence(e: CapEvidence, profile: LendingProfile, halfBonus: number): string {
  const flow =
    e.horizonVolumeUsd === null
      ? 'no traded volume'
      : `${formatUsd(e.flowSellableUsd)} (${formatPct(profile.capVolumeParticipationShare, 0)} of ${formatUsd(e.horizonVolumeUsd)} traded per ${horizonLabel(profile)} on ${e.volumeVenues} venue(s))`;
  return (
    `${formatUsd(e.sellableUsd)} sellable within ${formatPct(halfBonus)}: ` +
    `${formatUsd(e.bookSellableUsd)} on the books of ${e.bookVenues.length} venue(s)${e.bookVenues.length > 0 ? ` (${e.bookVenues.join(', ')})` : ''}, ${flow}`
  );
}

/** The evidence the cap steps need (guard rails' evidenceByParameter): strong only when nothing makes it thin. */
export function capStepEvidence(e: CapEvidence, profile: LendingProfile, halfBonus: number, methodCapUsd: number): Evidence {
  if (e.thinReasons.length === 0) return { strong: true, reasons: [] };
  return {
    strong: false,
    reasons: [`the method gives ${formatUsd(methodCapUsd)} from ${capEvidenceSentence(e, profile, halfBonus)}; thin evidence for the whole market: ${e.thinReasons.join(', ')}`],
  };
}
