import * as z from 'zod';
import { candleInterval, venueId } from '../config/schema.js';

export const marketSourceKind = z.enum(['sim', 'live', 'replay']);

/**
 * Data-quality findings (docs/market-data.md has the table of codes and outcomes). Failures: TOO_FEW_VENUES,
 * MISSING_BARS, STALE, EMPTY_BOOK. Everything else is a warning: the bad data was already left out
 * (a failed venue, a dropped wick, a crossed book) or is only worth knowing (a gap, a lagging venue).
 */
export const qualityIssueCode = z.enum([
  'VENUE_FAILED',
  'TOO_FEW_VENUES',
  'MISSING_BARS',
  'STALE',
  'EMPTY_BOOK',
  /** A venue answered but had no bars in the window fetched. */
  'VENUE_MISSING',
  /** A venue's last bar lags the expected last bar (its feed stopped). */
  'VENUE_STALE',
  /** The aggregated series' last bar lags the expected one by more than the tolerance (short of STALE). */
  'STALE_LAST_BAR',
  /** Runs of missing bars inside the aggregated series. */
  'GAP',
  /** Wicks more than k MADs from the cross-venue median, not taken into the aggregate. */
  'OUTLIER_BARS',
  /** Bars where too few venues disagreed widely to out-vote one (the wick was kept). */
  'UNCONFIRMED_WICKS',
  /** Runs of zero-volume bars on a venue or in the aggregate. */
  'ZERO_VOLUME_RUN',
  'VENUE_BOOK_EMPTY',
  'VENUE_BOOK_CROSSED',
  /** A stablecoin quote was taken at par because its reference rate was unavailable. */
  'QUOTE_RATE_ASSUMED',
  /** A stablecoin quote's USD rate is off par by more than the tolerance. */
  'QUOTE_DEPEG',
]);
export type QualityIssueCode = z.infer<typeof qualityIssueCode>;

export const qualityIssueSchema = z.object({
  code: qualityIssueCode,
  /** A failure makes the evidence weak (the snapshot does not pass); a warning is only reported. */
  severity: z.enum(['warning', 'failure']),
  message: z.string(),
  venue: z.string().optional(),
  interval: candleInterval.optional(),
});
export type QualityIssue = z.infer<typeof qualityIssueSchema>;

/** The details behind the issues, capped per list so a snapshot stays far below DynamoDB's 400 KB item limit. */
export const qualityReportSchema = z.object({
  /** What this cycle fetched per interval: [fromMs, toMs), and whether it continued the stored history. */
  fetched: z.array(z.object({ interval: candleInterval, fromMs: z.number(), toMs: z.number(), incremental: z.boolean(), newBars: z.number().int().min(0) })),
  /** Venues without usable candles this cycle (failed, empty or stale). */
  venuesMissing: z.array(z.string()),
  staleVenues: z.array(z.object({ venue: z.string(), interval: candleInterval, lastBarOpenMs: z.number().nullable() })),
  /** Interior gaps: [startMs, endMs) = first missing bar's open to the next present bar's open. */
  gaps: z.array(z.object({ interval: candleInterval, startMs: z.number(), endMs: z.number(), bars: z.number().int().positive() })),
  outliers: z.array(
    z.object({
      interval: candleInterval,
      venue: z.string(),
      openTimeMs: z.number(),
      side: z.enum(['high', 'low']),
      valueUsd: z.number(),
      medianUsd: z.number(),
      deviationMads: z.number(),
    }),
  ),
  unconfirmedWicks: z.array(z.object({ interval: candleInterval, openTimeMs: z.number() })),
  zeroVolumeRuns: z.array(z.object({ interval: candleInterval, venue: z.string(), startMs: z.number(), bars: z.number().int().positive() })),
  books: z.array(z.object({ venue: z.string(), status: z.enum(['ok', 'empty', 'crossed', 'failed']) })),
});
export type QualityReport = z.infer<typeof qualityReportSchema>;

/** Data-quality verdict of one snapshot. Weak evidence (not passed) may only tighten parameters. */
export const dataQualitySchema = z.object({
  passed: z.boolean(),
  issues: z.array(qualityIssueSchema),
  venuesWithData: z.number().int().min(0),
  /** Share of expected bars missing in the aggregated series over the lookback. */
  missingBarShare: z.number().min(0).max(1),
  /** Age of the last aggregated bar's close when the snapshot was taken. */
  lastBarAgeMs: z.number().min(0),
  /** The details of this cycle's checks (absent on snapshots written before the report existed). */
  report: qualityReportSchema.optional(),
});
export type DataQuality = z.infer<typeof dataQualitySchema>;

/** A venue's book near mid, in USD, kept compact as [price, quantity] pairs (bids only: we sell). */
export const bookSummarySchema = z.object({
  /** A configured venue, or another exchange's name for recorded (replayed) books. */
  venue: z.string().min(1),
  pair: z.string(),
  fetchedAtMs: z.number(),
  midUsd: z.number().positive(),
  spreadBps: z.number().min(0),
  bids: z.array(z.tuple([z.number().positive(), z.number().positive()])),
});
export type BookSummary = z.infer<typeof bookSummarySchema>;

export const seriesRefSchema = z.object({
  interval: candleInterval,
  startMs: z.number(),
  endMs: z.number(),
  bars: z.number().int().min(0),
});
export type SeriesRef = z.infer<typeof seriesRefSchema>;

export const venueStatusSchema = z.object({
  venue: venueId,
  pair: z.string(),
  candles: z.enum(['ok', 'failed']),
  book: z.enum(['ok', 'failed']),
  error: z.string().optional(),
  /** The rate that turned the venue's quote currency into USD (live and replay sources). */
  quote: z.object({ currency: z.enum(['USD', 'USDT', 'USDC']), usdPerQuote: z.number().positive(), source: z.string() }).optional(),
});

/** What ingest stores per asset and cycle; the aggregated candles themselves live in series chunks. */
export const marketSnapshotSchema = z.object({
  asset: z.string(),
  takenAtMs: z.number(),
  source: marketSourceKind,
  simulated: z.boolean(),
  /** Replayed recorded history (`--source replay`), not the live market; absent on items stored before it existed = false. */
  historical: z.boolean().optional(),
  lastPriceUsd: z.number().positive(),
  series: z.array(seriesRefSchema),
  venues: z.array(venueStatusSchema),
  books: z.array(bookSummarySchema),
  quality: dataQualitySchema,
});
export type MarketSnapshot = z.infer<typeof marketSnapshotSchema>;
