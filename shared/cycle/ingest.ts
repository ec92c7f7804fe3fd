import { INTERVAL_MS, type AdvisorConfig, type AssetConfig, type CandleInterval, type VenueId } from '../config/schema.js';
import { aggregateVenueCandles, type AggregationOptions, type CandleAggregation } from '../market/aggregate.js';
import type { Candle, MarketSource, OrderBook } from '../market/types.js';
import { isQuoteAware, type QuoteConversion } from '../market/venues/types.js';
import type { BookSummary, DataQuality, MarketSnapshot, QualityIssue, QualityReport, SeriesRef } from '../model/snapshot.js';
import { midPrice, spreadBps } from '../risk/liquidity.js';
import type { Store } from '../store/index.js';
import { MS_PER_DAY, floorTo, isoOf } from '../util/time.js';
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

export type BookStatus = 'ok' | 'empty' | 'crossed';

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

/** Thresholds of the data-quality report: the config's policy.quality and policy.aggregation (defaults and reasons in shared/config/defaults.ts). */
export interface QualityThresholds {
  /** Missing bars in a row inside the series reported as a gap (one missing bar is common on a quiet venue). */
  gapMinBars: number;
  /** The aggregated series may end this long before the expected end (floor of now) before STALE_LAST_BAR. */
  staleLastBarAfterMs: number;
  /**
   * A venue whose last bar ends more than this long before the expected end is stale (its feed stopped).
   * In time, not bars: a quiet pair may print no 5m candle for a few minutes without being broken.
   */
  venueStaleAfterMs: number;
  /** Zero-volume bars in a row reported as a run: at least this span, and at least `zeroVolumeRunMinBars`. */
  zeroVolumeRunMs: number;
  zeroVolumeRunMinBars: number;
  /** |USD per stablecoin - 1| above this is a depeg warning. */
  maxQuoteDepegFraction: number;
  /** Entries kept per list of the stored report (the most recent ones). */
  maxReportEntries: number;
  /** Stored bars fetched again at the head on an incremental cycle (continuity across cycles). */
  overlapBars: number;
  aggregation: AggregationOptions;
}

/** The configured thresholds of the quality report and of the cross-venue aggregation. */
export function qualityThresholdsOf(config: AdvisorConfig): QualityThresholds {
  return { ...config.policy.quality, aggregation: config.policy.aggregation };
}

/** One venue's part of a cycle for one asset. */
export interface VenueResult {
  venue: VenueId;
  pair: string;
  /** Bars fetched this cycle per interval (USD), or null when the venue failed: then none of its bars is used. */
  candles: Map<CandleInterval, Candle[]> | null;
  book: BookSummary | null;
  bookStatus?: BookStatus | 'failed';
  quote?: QuoteConversion | null;
  error?: string;
}

/** One interval of the cycle: the stored-plus-new aggregated series and what this cycle fetched. */
export interface SeriesAssessment {
  ref: SeriesRef;
  expectedBars: number;
  intervalMs?: number;
  /** The aggregated bars over the lookback (stored history merged with this cycle's). */
  merged?: readonly Candle[];
  /** The bar open time the series should reach (exclusive end: floor(now) on the interval grid). */
  expectedEndMs?: number;
  fetched?: { fromMs: number; toMs: number; incremental: boolean; newBars: number };
  aggregation?: CandleAggregation;
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

/** Runs of missing bars inside a series (not before its first bar, not after its last). */
export function findGaps(bars: readonly Candle[], intervalMs: number, minBars: number): { startMs: number; endMs: number; bars: number }[] {
  const gaps: { startMs: number; endMs: number; bars: number }[] = [];
  for (let i = 1; i < bars.length; i++) {
    const missing = Math.round((bars[i]!.openTimeMs - bars[i - 1]!.openTimeMs) / intervalMs) - 1;
    if (missing >= minBars) gaps.push({ startMs: bars[i - 1]!.openTimeMs + intervalMs, endMs: bars[i]!.openTimeMs, bars: missing });
  }
  return gaps;
}

/** Runs of consecutive zero-volume bars of at least `minBars`. */
export function findZeroVolumeRuns(bars: readonly Candle[], intervalMs: number, minBars: number): { startMs: number; bars: number }[] {
  const runs: { startMs: number; bars: number }[] = [];
  let start = -1;
  let length = 0;
  const close = () => {
    if (length >= minBars) runs.push({ startMs: start, bars: length });
    length = 0;
  };
  for (let i = 0; i < bars.length; i++) {
    const bar = bars[i]!;
    const contiguous = i > 0 && bar.openTimeMs - bars[i - 1]!.openTimeMs === intervalMs;
    if (bar.volume === 0) {
      if (length > 0 && !contiguous) close();
      if (length === 0) start = bar.openTimeMs;
      length++;
    } else {
      close();
    }
  }
  close();
  return runs;
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(1)} h`;
const pct = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

/**
 * The data-quality verdict of one asset's cycle. Failures (weak evidence: the engine may then only
 * tighten) are kept to what makes the series itself untrustworthy: too few venues, too many missing
 * bars, stale data, no usable book. Bad data the cycle already left out, or merely worth knowing,
 * is a warning; the report holds the details.
 */
export function assessQuality(
  config: AdvisorConfig,
  venues: readonly VenueResult[],
  series: readonly SeriesAssessment[],
  nowMs: number,
  thresholds: QualityThresholds = qualityThresholdsOf(config),
): DataQuality {
  const issues: QualityIssue[] = [];
  const keep = <T>(list: T[]): T[] => list.slice(-thresholds.maxReportEntries);
  const report: QualityReport = {
    fetched: [],
    venuesMissing: [],
    staleVenues: [],
    gaps: [],
    outliers: [],
    unconfirmedWicks: [],
    zeroVolumeRuns: [],
    books: venues.map((v) => ({ venue: v.venue, status: v.bookStatus ?? (v.book ? 'ok' : 'failed') })),
  };
  for (const v of venues) {
    if (v.error) issues.push({ code: 'VENUE_FAILED', severity: 'warning', venue: v.venue, message: `${v.venue} (${v.pair}) failed: ${v.error}` });
    if (v.bookStatus === 'empty') issues.push({ code: 'VENUE_BOOK_EMPTY', severity: 'warning', venue: v.venue, message: `${v.venue} book has an empty side: not used` });
    if (v.bookStatus === 'crossed') issues.push({ code: 'VENUE_BOOK_CROSSED', severity: 'warning', venue: v.venue, message: `${v.venue} book is crossed (best bid >= best ask): not used` });
    const q = v.quote;
    if (q && q.currency !== 'USD' && q.source === 'assumed-par') {
      issues.push({ code: 'QUOTE_RATE_ASSUMED', severity: 'warning', venue: v.venue, message: `${v.venue} prices in ${q.currency} taken at par: no reference rate` });
    } else if (q && Math.abs(q.usdPerQuote - 1) > thresholds.maxQuoteDepegFraction) {
      issues.push({
        code: 'QUOTE_DEPEG',
        severity: 'warning',
        venue: v.venue,
        message: `${q.currency} at ${q.usdPerQuote.toFixed(4)} USD (${q.source}), more than ${pct(thresholds.maxQuoteDepegFraction)} off par; ${v.venue} prices converted at that rate`,
      });
    }
  }

  // Venues with data: candles fetched, and bars in every window that had any to fetch, reaching close to now.
  const missing = new Set<string>();
  for (const v of venues) if (!v.candles) missing.add(v.venue);
  for (const s of series) {
    const { interval } = s.ref;
    const intervalMs = s.intervalMs ?? INTERVAL_MS[interval];
    if (!s.fetched || s.fetched.fromMs >= s.fetched.toMs) continue;
    for (const v of venues) {
      if (!v.candles) continue;
      const bars = v.candles.get(interval);
      // This interval failed on the venue (VENUE_FAILED says why): no data from it.
      if (!bars) {
        missing.add(v.venue);
        continue;
      }
      const last = bars[bars.length - 1];
      if (!last) {
        missing.add(v.venue);
        issues.push({ code: 'VENUE_MISSING', severity: 'warning', venue: v.venue, interval, message: `${v.venue} returned no ${interval} bars for ${isoOf(s.fetched.fromMs)} .. ${isoOf(s.fetched.toMs)}` });
        continue;
      }
      const lagMs = (s.expectedEndMs ?? s.fetched.toMs) - (last.openTimeMs + intervalMs);
      if (lagMs > thresholds.venueStaleAfterMs) {
        missing.add(v.venue);
        report.staleVenues.push({ venue: v.venue, interval, lastBarOpenMs: last.openTimeMs });
        issues.push({ code: 'VENUE_STALE', severity: 'warning', venue: v.venue, interval, message: `${v.venue} ${interval} feed stopped: last bar ${isoOf(last.openTimeMs)}, ${hours(lagMs)} behind` });
      }
      const runBars = Math.max(thresholds.zeroVolumeRunMinBars, Math.ceil(thresholds.zeroVolumeRunMs / intervalMs));
      for (const run of findZeroVolumeRuns(bars, intervalMs, runBars)) report.zeroVolumeRuns.push({ interval, venue: v.venue, ...run });
    }
  }
  report.venuesMissing = venues.filter((v) => missing.has(v.venue)).map((v) => v.venue);
  const venuesWithData = venues.filter((v) => !missing.has(v.venue)).length;
  if (venuesWithData < config.policy.minVenues) {
    issues.push({
      code: 'TOO_FEW_VENUES',
      severity: 'failure',
      message: `${venuesWithData} venue(s) with data; at least ${config.policy.minVenues} are required`,
    });
  }

  let missingBarShare = 0;
  let lastBarAgeMs = 0;
  let anyBars = false;
  for (const s of series) {
    const { ref, expectedBars } = s;
    const { interval } = ref;
    const intervalMs = s.intervalMs ?? INTERVAL_MS[interval];
    const missingShare = expectedBars > 0 ? Math.max(0, 1 - ref.bars / expectedBars) : 1;
    missingBarShare = Math.max(missingBarShare, missingShare);
    // An interval with no bar is a missing input of what uses it (MISSING_BARS below), not the age of the others.
    if (ref.bars > 0) {
      anyBars = true;
      lastBarAgeMs = Math.max(lastBarAgeMs, nowMs - ref.endMs);
    }
    const age = ref.bars > 0 ? nowMs - ref.endMs : 0;
    if (missingShare > config.policy.maxMissingBarShare) {
      issues.push({
        code: 'MISSING_BARS',
        severity: 'failure',
        interval,
        message: `${pct(missingShare)} of ${interval} bars missing over the lookback (limit ${pct(config.policy.maxMissingBarShare)})`,
      });
    }
    if (s.fetched) report.fetched.push({ interval, ...s.fetched });
    if (ref.bars > 0 && s.expectedEndMs !== undefined) {
      const lagMs = s.expectedEndMs - ref.endMs;
      if (lagMs > thresholds.staleLastBarAfterMs && age <= config.policy.staleAfterMs) {
        issues.push({ code: 'STALE_LAST_BAR', severity: 'warning', interval, message: `last ${interval} bar closed ${hours(s.expectedEndMs - ref.endMs)} before the expected one` });
      }
    }
    if (s.merged) {
      const gaps = findGaps(s.merged, intervalMs, thresholds.gapMinBars);
      for (const gap of gaps) report.gaps.push({ interval, ...gap });
      if (gaps.length > 0) {
        const longest = gaps.reduce((a, b) => (b.bars > a.bars ? b : a));
        issues.push({
          code: 'GAP',
          severity: 'warning',
          interval,
          message: `${gaps.length} gap(s) in the ${interval} series, longest ${hours(longest.endMs - longest.startMs)} from ${isoOf(longest.startMs)} (not filled)`,
        });
      }
    }
    if (s.aggregation) {
      const { outliers, disputedBars } = s.aggregation;
      for (const o of outliers) report.outliers.push({ interval, ...o });
      for (const t of disputedBars) report.unconfirmedWicks.push({ interval, openTimeMs: t });
      if (outliers.length > 0) {
        const worst = outliers.reduce((a, b) => (b.deviationMads > a.deviationMads ? b : a));
        issues.push({
          code: 'OUTLIER_BARS',
          severity: 'warning',
          interval,
          venue: worst.venue,
          message: `${outliers.length} ${interval} wick(s) more than ${thresholds.aggregation.outlierMads} MADs from the cross-venue median not taken; worst ${worst.venue} ${worst.side} ${worst.valueUsd.toPrecision(6)} vs ${worst.medianUsd.toPrecision(6)} at ${isoOf(worst.openTimeMs)}`,
        });
      }
      if (disputedBars.length > 0) {
        issues.push({
          code: 'UNCONFIRMED_WICKS',
          severity: 'warning',
          interval,
          message: `${disputedBars.length} ${interval} bar(s) where the venues disagree on a wick and are too few to out-vote one: the deeper wick was kept`,
        });
      }
      const aggregateRuns = findZeroVolumeRuns(
        s.aggregation.candles,
        intervalMs,
        Math.max(thresholds.zeroVolumeRunMinBars, Math.ceil(thresholds.zeroVolumeRunMs / intervalMs)),
      );
      for (const run of aggregateRuns) report.zeroVolumeRuns.push({ interval, venue: 'aggregate', ...run });
    }
  }
  for (const run of report.zeroVolumeRuns) {
    issues.push({
      code: 'ZERO_VOLUME_RUN',
      severity: 'warning',
      interval: run.interval,
      ...(run.venue !== 'aggregate' ? { venue: run.venue } : {}),
      message: `${run.venue} ${run.interval}: ${run.bars} zero-volume bars in a row from ${isoOf(run.startMs)}`,
    });
  }
  if (!anyBars && series.length > 0) {
    issues.push({ code: 'STALE', severity: 'failure', message: 'no bars at all' });
  } else if (lastBarAgeMs > config.policy.staleAfterMs) {
    issues.push({
      code: 'STALE',
      severity: 'failure',
      message: `last bar closed ${hours(lastBarAgeMs)} ago (limit ${(config.policy.staleAfterMs / 3_600_000).toFixed(0)} h)`,
    });
  }
  if (!venues.some((v) => v.book)) issues.push({ code: 'EMPTY_BOOK', severity: 'failure', message: 'no usable order book on any venue' });
  return {
    passed: !issues.some((i) => i.severity === 'failure'),
    issues,
    venuesWithData,
    missingBarShare: Math.min(1, missingBarShare),
    lastBarAgeMs,
    report: {
      ...report,
      staleVenues: keep(report.staleVenues),
      gaps: keep(report.gaps),
      outliers: keep(report.outliers),
      unconfirmedWicks: keep(report.unconfirmedWicks),
      zeroVolumeRuns: keep(report.zeroVolumeRuns),
    },
  };
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
