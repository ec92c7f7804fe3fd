import { INTERVAL_MS, type AdvisorConfig, type CandleInterval, type VenueId } from '../config/schema.js';
import type { BookSummary, DataQuality, QualityIssue, QualityReport, SeriesRef } from '../model/snapshot.js';
import { isoOf, MS_PER_HOUR } from '../util/time.js';
import type { AggregationOptions, CandleAggregation } from './aggregate.js';
import type { Candle } from './types.js';
import type { QuoteConversion } from './venues/types.js';

/**
 * The data-quality verdict of one asset's market data (the report stored with each snapshot): pure,
 * from what the ingest fetched per venue and the aggregated series (shared/cycle/ingest-asset.ts).
 */

/** A venue's book as fetched: usable, empty (a side has no level) or crossed (best bid at or above best ask). */
export type BookStatus = 'ok' | 'empty' | 'crossed';

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

const hours = (ms: number) => `${(ms / MS_PER_HOUR).toFixed(1)} h`;
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
        const longest = largestBy(gaps, (gap) => gap.bars);
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
        const worst = largestBy(outliers, (outlier) => outlier.deviationMads);
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
      message: `last bar closed ${hours(lastBarAgeMs)} ago (limit ${(config.policy.staleAfterMs / MS_PER_HOUR).toFixed(0)} h)`,
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

/** The item with the largest score (the first of ties) of a non-empty list: the longest gap, the worst wick. */
function largestBy<T>(items: readonly T[], score: (item: T) => number): T {
  return items.reduce((a, b) => (score(b) > score(a) ? b : a));
}
