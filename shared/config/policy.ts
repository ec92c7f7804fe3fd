import * as z from 'zod';

/** The policy knobs every profile shares (data quality, liquidity bands, volatility models): the `policy` block of the config. */
export const policySchema = z.object({
  /** Market data older than this is stale (weak evidence). */
  staleAfterMs: z.number().int().positive(),
  /**
   * A book older than this (every snapshot in the book window) is a missing input: what depends on it is
   * held (`no-data`). Absent: staleAfterMs, the same one-day limit SmartLTV puts on risk data, and the
   * book window (bookWindowHours) is a day too: a book a day old no longer describes today's depth.
   */
  maxBookAgeMs: z.number().int().positive().optional(),
  /** Bars per venue missing above this share fail the data-quality check. */
  maxMissingBarShare: z.number().min(0).max(1),
  /** Minimum venues with data for an asset's snapshot to count as complete. */
  minVenues: z.number().int().positive(),
  /** EWMA half-life in days; RiskMetrics' daily lambda 0.94 has a half-life of 11.2 days. */
  ewmaHalfLifeDays: z.number().positive(),
  /** Depth is reported within these fractions of mid (0.02 = 2 %). */
  depthBands: z.array(z.number().gt(0).lt(1)).min(1),
  /** Books are snapshots: liquidity is taken at a low percentile of the snapshots in this window, not the latest. */
  bookWindowHours: z.number().positive(),
  bookSnapshotsMax: z.number().int().positive(),
  /** Percentile of merged 2 % depth the parameters use (0.1 = p10: a thin moment, not an average one). */
  bookPercentile: z.number().min(0).max(1),
  /** Filtered historical simulation and Monte Carlo: paths and seed (same seed, same numbers). */
  simulationPaths: z.number().int().min(100),
  simulationSeed: z.number().int(),
  /** GARCH needs at least this many returns, else EWMA with a flag. */
  garchMinReturns: z.number().int().positive(),
  /**
   * The adverse move used is max(filtered, floor x unconditional): the forecast can tighten parameters
   * ahead of the realized window, and (with floor 1) never loosen them below the unconditional tail.
   */
  unconditionalFloorShare: z.number().min(0).max(1),
  /** Forecast volatility over its long-run level above this is a stressed regime, below the inverse a calm one. */
  stressedRegimeRatio: z.number().gt(1),
  /** Cross-venue candles: the outlier rule for a venue's wick (shared/market/aggregate.ts). */
  aggregation: z.object({
    /** k: a wick further than k scales (MADs, floored) from the cross-venue median is not taken. */
    outlierMads: z.number().positive(),
    /** Floor of the scale as a fraction of the bar's median close. */
    minScaleFraction: z.number().min(0).lt(1),
    /** Venues a bar needs before one can be out-voted. */
    minVenuesToVote: z.number().int().min(2),
  }).strict(),
  /** Thresholds of the data-quality report (shared/market/quality.ts). */
  quality: z.object({
    /** Missing bars in a row inside a series reported as a gap. */
    gapMinBars: z.number().int().min(1),
    /** The aggregated series may end this long before the expected end before STALE_LAST_BAR. */
    staleLastBarAfterMs: z.number().int().min(0),
    /** A venue whose last bar ends more than this before the expected end is stale (its feed stopped). */
    venueStaleAfterMs: z.number().int().min(0),
    /** Zero-volume bars in a row reported as a run: at least this span and at least zeroVolumeRunMinBars. */
    zeroVolumeRunMs: z.number().int().min(0),
    zeroVolumeRunMinBars: z.number().int().min(1),
    /** |USD per stablecoin - 1| above this is a depeg warning. */
    maxQuoteDepegFraction: z.number().min(0).lt(1),
    /** Entries kept per list of the stored report (the most recent ones). */
    maxReportEntries: z.number().int().min(1),
    /** Stored bars fetched again at the head on an incremental cycle. */
    overlapBars: z.number().int().min(0),
  }).strict(),
  /** Bounds on fetching gaps behind the stored head again, per interval and cycle (shared/cycle/refill.ts). */
  refill: z.object({
    minGapBars: z.number().int().min(1),
    maxRanges: z.number().int().min(0),
    maxBars: z.number().int().min(0),
  }).strict(),
  /** When the GARCH fit is rejected for the EWMA fallback, and the EWMA's seed (shared/risk/garch.ts). */
  garch: z.object({
    maxPersistence: z.number().gt(0).max(1),
    minAlpha: z.number().min(0).lt(1),
    /** Smallest likelihood-ratio statistic against constant variance for clustering to count as real. */
    minLikelihoodRatio: z.number().min(0),
    /** The EWMA starts from the mean square of this many first returns. */
    ewmaSeedBars: z.number().int().positive(),
  }).strict(),
  /** Windows of the realized-volatility scores, in days (the keys are the names in the API). */
  realizedWindowsDays: z.object({
    d7: z.number().positive(),
    d30: z.number().positive(),
    d90: z.number().positive(),
    d365: z.number().positive(),
  }).strict(),
  /** A realized window is reported only when at least this share of its returns exists. */
  realizedMinCoverageShare: z.number().gt(0).max(1),
  /** Window of the range estimators (Parkinson, Garman-Klass, the SmartLTV sigma), in days. */
  rangeWindowDays: z.number().positive(),
  /** The book window ranks snapshots by merged bid depth within this fraction of mid. */
  bookDepthBand: z.number().gt(0).lt(1),
}).strict();
export type Policy = z.infer<typeof policySchema>;
