import { z } from 'zod';
import { candleInterval, venueId } from '../config/schema.js';

export const marketSourceKind = z.enum(['sim', 'live', 'replay']);

export const qualityIssueSchema = z.object({
  code: z.enum(['VENUE_FAILED', 'TOO_FEW_VENUES', 'MISSING_BARS', 'STALE', 'EMPTY_BOOK']),
  /** A failure makes the evidence weak (the snapshot does not pass); a warning is only reported. */
  severity: z.enum(['warning', 'failure']),
  message: z.string(),
});
export type QualityIssue = z.infer<typeof qualityIssueSchema>;

/** Data-quality verdict of one snapshot. Weak evidence (not passed) may only tighten parameters. */
export const dataQualitySchema = z.object({
  passed: z.boolean(),
  issues: z.array(qualityIssueSchema),
  venuesWithData: z.number().int().min(0),
  /** Share of expected bars missing in the aggregated series over the lookback. */
  missingBarShare: z.number().min(0).max(1),
  /** Age of the last aggregated bar's close when the snapshot was taken. */
  lastBarAgeMs: z.number().min(0),
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
});

/** What ingest stores per asset and cycle; the aggregated candles themselves live in series chunks. */
export const marketSnapshotSchema = z.object({
  asset: z.string(),
  takenAtMs: z.number(),
  source: marketSourceKind,
  simulated: z.boolean(),
  lastPriceUsd: z.number().positive(),
  series: z.array(seriesRefSchema),
  venues: z.array(venueStatusSchema),
  books: z.array(bookSummarySchema),
  quality: dataQualitySchema,
});
export type MarketSnapshot = z.infer<typeof marketSnapshotSchema>;
