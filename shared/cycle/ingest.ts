import { INTERVAL_MS, type AdvisorConfig, type AssetConfig, type CandleInterval, type VenueId } from '../config/schema.js';
import { aggregateCandles } from '../market/aggregate.js';
import type { Candle, MarketSource, OrderBook } from '../market/types.js';
import type { BookSummary, DataQuality, MarketSnapshot, QualityIssue, SeriesRef } from '../model/snapshot.js';
import { midPrice, spreadBps } from '../risk/liquidity.js';
import type { Store } from '../store/index.js';
import { MS_PER_DAY, floorTo } from '../util/time.js';

/** Books are kept down to this fraction below mid: the widest depth band the engine reports. */
function bookFloorFraction(config: AdvisorConfig): number {
  return Math.max(...config.policy.depthBands);
}

/** Candle intervals and lookbacks the configured profiles need. */
export function seriesNeeds(config: AdvisorConfig): Map<CandleInterval, number> {
  const needs = new Map<CandleInterval, number>();
  for (const profile of config.profiles) {
    needs.set(profile.candleInterval, Math.max(needs.get(profile.candleInterval) ?? 0, profile.lookbackDays));
  }
  return needs;
}

export function summarizeBook(book: OrderBook, floorFraction: number): BookSummary | null {
  const mid = midPrice(book);
  if (!(mid > 0) || book.bids[0]!.price >= book.asks[0]!.price) return null;
  const floor = mid * (1 - floorFraction);
  return {
    venue: book.venue,
    pair: book.pair,
    fetchedAtMs: book.fetchedAtMs,
    midUsd: mid,
    spreadBps: spreadBps(book),
    bids: book.bids.filter((l) => l.price >= floor && l.quantity > 0).map((l) => [l.price, l.quantity] as [number, number]),
  };
}

interface VenueResult {
  venue: VenueId;
  pair: string;
  candles: Map<CandleInterval, Candle[]> | null;
  book: BookSummary | null;
  error?: string;
}

async function fetchVenue(
  source: MarketSource,
  asset: AssetConfig,
  venue: VenueId,
  needs: Map<CandleInterval, number>,
  nowMs: number,
  floorFraction: number,
): Promise<VenueResult> {
  const pair = asset.venuePairs[venue]!;
  const result: VenueResult = { venue, pair, candles: null, book: null };
  const errors: string[] = [];
  try {
    const candles = new Map<CandleInterval, Candle[]>();
    for (const [interval, lookbackDays] of needs) {
      const endMs = floorTo(nowMs, INTERVAL_MS[interval]);
      candles.set(interval, await source.getCandles({ asset, venue, interval, startMs: endMs - lookbackDays * MS_PER_DAY, endMs }));
    }
    result.candles = candles;
  } catch (error) {
    errors.push(`candles: ${(error as Error).message}`);
  }
  try {
    result.book = summarizeBook(await source.getOrderBook({ asset, venue, atMs: nowMs }), floorFraction);
    if (!result.book) errors.push('book: empty or crossed');
  } catch (error) {
    errors.push(`book: ${(error as Error).message}`);
  }
  if (errors.length > 0) result.error = errors.join('; ');
  return result;
}

export function assessQuality(
  config: AdvisorConfig,
  venues: readonly VenueResult[],
  series: readonly { ref: SeriesRef; expectedBars: number }[],
  nowMs: number,
): DataQuality {
  const issues: QualityIssue[] = [];
  for (const v of venues) {
    if (v.error) issues.push({ code: 'VENUE_FAILED', severity: 'warning', message: `${v.venue} (${v.pair}) failed: ${v.error}` });
  }
  const venuesWithData = venues.filter((v) => v.candles !== null).length;
  if (venuesWithData < config.policy.minVenues) {
    issues.push({
      code: 'TOO_FEW_VENUES',
      severity: 'failure',
      message: `${venuesWithData} venue(s) with data; at least ${config.policy.minVenues} are required`,
    });
  }
  let missingBarShare = 0;
  let lastBarAgeMs = 0;
  for (const { ref, expectedBars } of series) {
    const missing = expectedBars > 0 ? Math.max(0, 1 - ref.bars / expectedBars) : 1;
    missingBarShare = Math.max(missingBarShare, missing);
    const age = ref.bars > 0 ? nowMs - ref.endMs : Number.POSITIVE_INFINITY;
    lastBarAgeMs = Math.max(lastBarAgeMs, age);
    if (missing > config.policy.maxMissingBarShare) {
      issues.push({
        code: 'MISSING_BARS',
        severity: 'failure',
        message: `${(missing * 100).toFixed(1)} % of ${ref.interval} bars missing over the lookback (limit ${(config.policy.maxMissingBarShare * 100).toFixed(1)} %)`,
      });
    }
  }
  if (lastBarAgeMs > config.policy.staleAfterMs) {
    issues.push({
      code: 'STALE',
      severity: 'failure',
      message: Number.isFinite(lastBarAgeMs)
        ? `last bar closed ${(lastBarAgeMs / 3_600_000).toFixed(1)} h ago (limit ${(config.policy.staleAfterMs / 3_600_000).toFixed(0)} h)`
        : 'no bars at all',
    });
  }
  if (!venues.some((v) => v.book)) issues.push({ code: 'EMPTY_BOOK', severity: 'failure', message: 'no usable order book on any venue' });
  return {
    passed: !issues.some((i) => i.severity === 'failure'),
    issues,
    venuesWithData,
    missingBarShare: Math.min(1, missingBarShare),
    lastBarAgeMs: Number.isFinite(lastBarAgeMs) ? lastBarAgeMs : 0,
  };
}

export interface IngestDeps {
  config: AdvisorConfig;
  source: MarketSource;
  store: Store;
}

/**
 * Pulls candles and books for one asset from every configured venue, aggregates across venues,
 * judges data quality, stores the aggregated series and the snapshot. A failed venue is reported in
 * the snapshot and left out of the aggregate; it never corrupts it.
 */
export async function ingestAsset(deps: IngestDeps, asset: AssetConfig, nowMs: number): Promise<MarketSnapshot> {
  const { config, source, store } = deps;
  const needs = seriesNeeds(config);
  const enabledVenues = new Set(config.venues.filter((v) => v.enabled).map((v) => v.id));
  const venueIds = (Object.keys(asset.venuePairs) as VenueId[]).filter((v) => enabledVenues.has(v));
  const floorFraction = bookFloorFraction(config);
  const venues = await Promise.all(venueIds.map((venue) => fetchVenue(source, asset, venue, needs, nowMs, floorFraction)));

  const series: { ref: SeriesRef; expectedBars: number }[] = [];
  let lastPriceUsd = 0;
  for (const [interval, lookbackDays] of needs) {
    const aggregated = aggregateCandles(venues.flatMap((v) => (v.candles ? [v.candles.get(interval) ?? []] : [])));
    await store.series.putBars(asset.symbol, interval, aggregated);
    const intervalMs = INTERVAL_MS[interval];
    const endMs = floorTo(nowMs, intervalMs);
    const last = aggregated[aggregated.length - 1];
    series.push({
      ref: {
        interval,
        startMs: aggregated[0]?.openTimeMs ?? endMs,
        endMs: last ? last.openTimeMs + intervalMs : endMs,
        bars: aggregated.length,
      },
      expectedBars: (lookbackDays * MS_PER_DAY) / intervalMs,
    });
    if (last && (interval === '5m' || lastPriceUsd === 0)) lastPriceUsd = last.close;
  }
  const books = venues.flatMap((v) => (v.book ? [v.book] : []));
  if (!(lastPriceUsd > 0)) lastPriceUsd = books[0]?.midUsd ?? 0;
  const snapshot: MarketSnapshot = {
    asset: asset.symbol,
    takenAtMs: nowMs,
    source: source.kind,
    simulated: source.simulated,
    lastPriceUsd: lastPriceUsd > 0 ? lastPriceUsd : Number.MIN_VALUE,
    series: series.map((s) => s.ref),
    venues: venues.map((v) => ({
      venue: v.venue,
      pair: v.pair,
      candles: v.candles ? 'ok' : 'failed',
      book: v.book ? 'ok' : 'failed',
      ...(v.error ? { error: v.error } : {}),
    })),
    books,
    quality: assessQuality(config, venues, series, nowMs),
  };
  await store.snapshots.put(snapshot);
  return snapshot;
}
