import { INTERVAL_MS, type AdvisorConfig, type AssetConfig, type CandleInterval, type VenueId } from '../config/schema.js';
import { aggregateVenueCandles } from '../market/aggregate.js';
import { assessQuality, qualityThresholdsOf, type BookStatus, type SeriesAssessment, type VenueResult } from '../market/quality.js';
import type { Candle, MarketSource, OrderBook } from '../market/types.js';
import { isQuoteAware } from '../market/venues/types.js';
import type { BookSummary, MarketSnapshot } from '../model/snapshot.js';
import { midPrice, spreadBps } from '../risk/liquidity.js';
import type { Store } from '../store/index.js';
import { MS_PER_DAY, floorTo } from '../util/time.js';
import { refillRanges, type RefillLimits, type TimeRange } from './refill.js';
import { NoMarketDataError } from './errors.js';

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

/** Empty: a side has no level. Crossed: best bid at or above best ask (a broken or stale snapshot). */
export function classifyBook(book: Pick<OrderBook, 'bids' | 'asks'>): BookStatus {
  const bid = book.bids[0]?.price;
  const ask = book.asks[0]?.price;
  if (bid === undefined || ask === undefined) return 'empty';
  return bid >= ask ? 'crossed' : 'ok';
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

interface FetchPlan {
  interval: CandleInterval;
  intervalMs: number;
  lookbackDays: number;
  lookbackStartMs: number;
  endMs: number;
  stored: Candle[];
  fetchStartMs: number;
  /** Gaps behind the head fetched again (see refillRanges), oldest first. */
  refills: TimeRange[];
}

/**
 * One venue's bars of one interval this cycle: the gaps behind the head, then the head. A failed head
 * fails the venue; a failed refill does not (the gap stays, is reported as GAP, and is asked for again).
 */
async function fetchIntervalBars(source: MarketSource, asset: AssetConfig, venue: VenueId, plan: FetchPlan): Promise<Candle[]> {
  const get = (r: TimeRange) => source.getCandles({ asset, venue, interval: plan.interval, startMs: r.startMs, endMs: r.endMs });
  const head = plan.fetchStartMs < plan.endMs ? get({ startMs: plan.fetchStartMs, endMs: plan.endMs }) : Promise.resolve([]);
  const refills = plan.refills.map((r) => get(r).catch((): Candle[] => []));
  const [headBars, ...refilled] = await Promise.all([head, ...refills]);
  return [...refilled.flat(), ...headBars];
}

async function fetchVenue(source: MarketSource, asset: AssetConfig, venue: VenueId, plans: readonly FetchPlan[], nowMs: number, floorFraction: number): Promise<VenueResult> {
  const pair = asset.venuePairs[venue]!;
  const result: VenueResult = { venue, pair, candles: null, book: null, bookStatus: 'failed' };
  const errors: string[] = [];
  // Each interval on its own: a venue (or a replay) lacking 5m bars must not lose its hourly ones.
  const candles = Promise.allSettled(
    plans.map(async (plan): Promise<[CandleInterval, Candle[]]> => [plan.interval, await fetchIntervalBars(source, asset, venue, plan)]),
  );
  const book = source.getOrderBook({ asset, venue, atMs: nowMs });
  const [candlesResult, bookResult] = await Promise.all([candles, book.then((value) => ({ status: 'fulfilled' as const, value }), (reason: unknown) => ({ status: 'rejected' as const, reason }))]);
  const fetched = candlesResult.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  for (const [i, r] of candlesResult.entries()) if (r.status === 'rejected') errors.push(`candles ${plans[i]!.interval}: ${(r.reason as Error).message}`);
  if (fetched.length > 0) result.candles = new Map(fetched);
  if (bookResult.status === 'fulfilled') {
    const status = classifyBook(bookResult.value);
    result.bookStatus = status;
    result.book = status === 'ok' ? summarizeBook(bookResult.value, floorFraction) : null;
    if (!result.book) errors.push(`book: ${status === 'ok' ? 'no usable level' : status}`);
  } else {
    errors.push(`book: ${(bookResult.reason as Error).message}`);
  }
  result.quote = isQuoteAware(source) ? source.quoteConversion(venue) : null;
  if (errors.length > 0) result.error = errors.join('; ');
  return result;
}

export interface IngestDeps {
  config: AdvisorConfig;
  source: MarketSource;
  store: Store;
  /**
   * `incremental` (default): fetch the bars after the stored head of each series (plus a small overlap)
   * and the gaps behind it (bounded, see refill.ts); the full lookback only when nothing is stored yet.
   * `full`: fetch the whole lookback again.
   */
  history?: 'incremental' | 'full';
}

/**
 * Pulls candles and books for one asset from every configured venue, aggregates across venues,
 * judges data quality, stores the new aggregated bars and the snapshot. Only bars after the stored
 * head, and gaps behind it, are fetched (the history is read back from the series store). A failed venue is reported in
 * the snapshot and left out of the aggregate; it never corrupts it.
 */
export async function ingestAsset(deps: IngestDeps, asset: AssetConfig, nowMs: number): Promise<MarketSnapshot> {
  const { config, source, store } = deps;
  // Quality thresholds, aggregation and refill bounds come from the config (policy.quality, .aggregation, .refill).
  const thresholds = qualityThresholdsOf(config);
  const needs = seriesNeeds(config);
  const enabledVenues = new Set(config.venues.filter((v) => v.enabled).map((v) => v.id));
  const venueIds = (Object.keys(asset.venuePairs) as VenueId[]).filter((v) => enabledVenues.has(v));
  const floorFraction = bookFloorFraction(config);
  const refillLimits: RefillLimits = config.policy.refill;

  const plans: FetchPlan[] = await Promise.all(
    [...needs].map(async ([interval, lookbackDays]) => {
      const intervalMs = INTERVAL_MS[interval];
      const endMs = floorTo(nowMs, intervalMs);
      const lookbackStartMs = endMs - lookbackDays * MS_PER_DAY;
      const stored = deps.history === 'full' ? [] : await store.series.getBars(asset.symbol, interval, lookbackStartMs, endMs);
      const head = stored[stored.length - 1];
      const fetchStartMs = head ? Math.max(lookbackStartMs, head.openTimeMs + intervalMs * (1 - thresholds.overlapBars)) : lookbackStartMs;
      const refills = refillRanges(stored, intervalMs, lookbackStartMs, fetchStartMs, refillLimits).reverse();
      return { interval, intervalMs, lookbackDays, lookbackStartMs, endMs, stored, fetchStartMs, refills };
    }),
  );
  const venues = await Promise.all(venueIds.map((venue) => fetchVenue(source, asset, venue, plans, nowMs, floorFraction)));

  const series: SeriesAssessment[] = [];
  let lastPriceUsd = 0;
  for (const plan of plans) {
    const { interval, intervalMs, endMs } = plan;
    const aggregation = aggregateVenueCandles(
      // Only venues that delivered this interval vote on its bars (one may have failed 5m and delivered 1h).
      venues.flatMap((v) => {
        const bars = v.candles?.get(interval);
        return bars ? [{ venue: v.venue, candles: bars }] : [];
      }),
      thresholds.aggregation,
    );
    await store.series.putBars(asset.symbol, interval, aggregation.candles);
    const merged = new Map<number, Candle>();
    for (const bar of plan.stored) merged.set(bar.openTimeMs, bar);
    for (const bar of aggregation.candles) merged.set(bar.openTimeMs, bar);
    const bars = [...merged.values()].sort((a, b) => a.openTimeMs - b.openTimeMs);
    const last = bars[bars.length - 1];
    const storedTimes = new Set(plan.stored.map((b) => b.openTimeMs));
    series.push({
      ref: {
        interval,
        startMs: bars[0]?.openTimeMs ?? endMs,
        endMs: last ? last.openTimeMs + intervalMs : endMs,
        bars: bars.length,
      },
      expectedBars: (plan.lookbackDays * MS_PER_DAY) / intervalMs,
      intervalMs,
      merged: bars,
      expectedEndMs: endMs,
      fetched: { fromMs: plan.fetchStartMs, toMs: endMs, incremental: plan.stored.length > 0, newBars: aggregation.candles.filter((c) => !storedTimes.has(c.openTimeMs)).length },
      aggregation,
    });
    if (last && (interval === '5m' || lastPriceUsd === 0)) lastPriceUsd = last.close;
  }
  const books = venues.flatMap((v) => (v.book ? [v.book] : []));
  if (!(lastPriceUsd > 0)) lastPriceUsd = books[0]?.midUsd ?? 0;
  if (!(lastPriceUsd > 0)) {
    // Nothing to price the asset with: fail with every venue's error rather than store a made-up price.
    throw new NoMarketDataError(
      asset.symbol,
      venues.map((v) => ({ venue: v.venue, error: v.error ?? 'returned no bars and no book' })),
    );
  }
  const snapshot: MarketSnapshot = {
    asset: asset.symbol,
    takenAtMs: nowMs,
    source: source.kind,
    simulated: source.simulated,
    historical: source.historical === true,
    lastPriceUsd,
    series: series.map((s) => s.ref),
    venues: venues.map((v) => ({
      venue: v.venue,
      pair: v.pair,
      candles: v.candles ? 'ok' : 'failed',
      book: v.book ? 'ok' : 'failed',
      ...(v.error ? { error: v.error } : {}),
      ...(v.quote ? { quote: { currency: v.quote.currency, usdPerQuote: v.quote.usdPerQuote, source: v.quote.source } } : {}),
    })),
    books,
    quality: assessQuality(config, venues, series, nowMs, thresholds),
  };
  await store.snapshots.put(snapshot);
  return snapshot;
}
