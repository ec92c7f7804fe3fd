import { MS_PER_HOUR } from '../util/time.js';
import { SimulatorCalibrationMissingError } from './errors.js';
import type { AdvisorConfigInput, LendingProfile, PerpProfile } from './schema.js';
import { SIMULATOR_CALIBRATION } from './calibration.js';
import { PERP_THROUGH_THE_CYCLE_TAIL } from './perp-tail-calibration.generated.js';
import { AAVE_V3_ETHEREUM_STEWARD } from './steward.js';
import { AAVE_V3_ETHEREUM_CHAIN } from './chain.js';
import { THROUGH_THE_CYCLE_TAIL } from './tail-calibration.generated.js';
import { UNIVERSE } from './universe.js';

/**
 * The embedded default configuration. Every methodology constant has its default here, with the
 * source it follows; a config file (see load.ts) merges into it field by field (arrays replace whole).
 */

// ---------------------------------------------------------------------------------------------------
// Methodology constants. Each is the default of a config field (schema.ts); the pure functions that keep a
// default for calls without a config (unit tests) import it from here, never re-type it.

/** policy.aggregation: the cross-venue outlier rule of shared/market/aggregate.ts. */
export const DEFAULT_AGGREGATION = {
  // k = 5 robust scales: about 3.4 standard deviations of a normal (MAD x 1.4826), far out in any venue spread.
  outlierMads: 5,
  // The scale floor: 0.2 % of the close, so venues agreeing to the tick do not make every wick an outlier (k x 0.2 % = 1 %).
  minScaleFraction: 0.002,
  // Three venues: the fewest where a majority can out-vote one (with two, neither side is the consensus).
  minVenuesToVote: 3,
} as const;

/** policy.quality: thresholds of the data-quality report (shared/market/quality.ts assessQuality). */
export const DEFAULT_QUALITY_THRESHOLDS = {
  // One missing bar in a row is common on a quiet venue: two or more is a gap.
  gapMinBars: 2,
  // 30 min: the aggregated series may end this long before the expected end before STALE_LAST_BAR (an advisor choice).
  staleLastBarAfterMs: 1_800_000,
  // 1 h: a quiet pair may print no 5m candle for a few minutes; an hour without one is a stopped feed (an advisor choice).
  venueStaleAfterMs: MS_PER_HOUR,
  // An hour of zero-volume bars, and at least three bars (on hourly bars one zero bar is not a run).
  zeroVolumeRunMs: MS_PER_HOUR,
  zeroVolumeRunMinBars: 3,
  // 1 % off par: USDT/USDC trade within a few bps; a 1 % gap is a depeg worth a warning.
  maxQuoteDepegFraction: 0.01,
  // The stored report keeps the 20 most recent entries per list (an item stays far under DynamoDB's 400 KB).
  maxReportEntries: 20,
  // One stored bar fetched again at the head: the last bar may have been stored before it closed.
  overlapBars: 1,
} as const;

/** policy.refill: bounds on fetching gaps behind the stored head again (shared/cycle/refill.ts). */
export const DEFAULT_REFILL_LIMITS = {
  // As gapMinBars: one missing bar is common on a quiet venue.
  minGapBars: 2,
  // Four gaps per cycle: each is one more request per venue, inside the venues' rate budgets.
  maxRanges: 4,
  // 2,000 bars per cycle (two 1,000-bar Binance kline pages); a longer gap is refilled from its recent end over cycles.
  maxBars: 2_000,
} as const;

/** policy.garchMinReturns: fewer returns than 500 and GARCH gives way to EWMA (a fit on little data is noise). */
export const DEFAULT_GARCH_MIN_RETURNS = 500;

/** policy.garch: when the GARCH(1,1)-t fit is rejected for the EWMA fallback (shared/risk/garch.ts). */
export const DEFAULT_GARCH_LIMITS = {
  // alpha + beta at or above 0.999 is the integrated (IGARCH) bound: no mean reversion to estimate.
  maxPersistence: 0.999,
  // alpha below 0.005 is the no-ARCH bound: beta is then not identified.
  minAlpha: 0.005,
  // 6: about the 5 % point of a chi-square with 2 degrees of freedom (LR test against constant variance).
  minLikelihoodRatio: 6,
  // The EWMA (fallback, score and conditional sigmas) starts from the mean square of the first 30 returns.
  ewmaSeedBars: 30,
} as const;

/** policy.realizedWindowsDays: the realized-volatility scores (keys are the stable names in the API). */
export const DEFAULT_REALIZED_WINDOWS_DAYS = { d7: 7, d30: 30, d90: 90, d365: 365 } as const;
/** policy.realizedMinCoverageShare: a realized window is reported only when 90 % of its returns exist. */
export const DEFAULT_REALIZED_MIN_COVERAGE_SHARE = 0.9;
/** policy.rangeWindowDays: Parkinson, Garman-Klass and the SmartLTV sigma use 30 days (SmartLTV's middle span). */
export const DEFAULT_RANGE_WINDOW_DAYS = 30;
/** policy.bookDepthBand: the book window ranks snapshots by merged depth within 2 % of mid (the simulator's calibrated band). */
export const DEFAULT_BOOK_DEPTH_BAND = 0.02;

/** Guard-rail knobs of the profiles (shared/risk/guardrails.ts), and the rule factories' defaults. */
export const GUARD_RAIL_DEFAULTS = {
  // Aave v3.1 Risk Stewards (docs/methodology.md#ref-aave-stewards): LTV, LT and bonus +-0.5 pp per update, caps +-100 %,
  // every parameter at least 3 days apart. The lending profile's defaults and guardrails.ts read these.
  maxStepBps: 50,
  capMaxChangeShare: 1,
  minDelayDays: 3,
  // Lending caps move only by at least 10 %: caps are orders of magnitude, not precise figures.
  capHysteresisShare: 0.1,
  // LTV/LT/bonus (and a perp's maintenance margin) fast path at 200 bps: four steward steps, 12 days at the
  // 3-day cadence.
  stressTightenBps: 200,
  // A cap cut of at least 50 % (the live cap is at least twice the target) takes the fast path.
  capStressCutShare: 0.5,
  // Perp maintenance margin: +-50 bps per update, as Aave's steward moves 1 - LT (its analogue) by 0.5 pp.
  maintenanceMarginMaxStepBps: 50,
  // Max leverage halves or doubles at most: one tier per update on 10/20/25/40/50 (docs/methodology.md#guard-rails).
  leverageMaxFactor: 2,
  // Leverage moves under 10 % are not proposed (every tier move is at least 25 %).
  leverageHysteresisShare: 0.1,
  // A leverage cut of at least 50 % (halving or more) takes the fast path.
  leverageStressCutShare: 0.5,
} as const;

/** Lending Monte Carlo: 200 synthetic positions (a 0.5 % LTV grid between the two shares below). */
export const DEFAULT_MONTE_CARLO_POSITIONS = 200;
/** Lending Monte Carlo: the synthetic book's LTVs spread from 50 % of LT (comfortable) to 99 % (just under liquidation). */
export const DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT = { min: 0.5, max: 0.99 } as const;
/**
 * Lending caps (issue 14, shared/risk/engine/cap-evidence.ts): a liquidator selling into the traded flow takes at
 * most 10 % of it over the liquidation horizon. An advisor choice, not fitted (no liquidation outcomes to fit it
 * on): the same "a tenth" as capLiquidationShare, and a seller above about a tenth of the flow sets the price
 * rather than taking it (the usual ceiling of participation-of-volume execution).
 */
export const DEFAULT_CAP_VOLUME_PARTICIPATION_SHARE = 0.1;

/**
 * proposals: how proposals are cut and how often a market gets one (shared/governance/cadence.ts).
 * - maxAssetsPerProposal 10: a lending asset renders to about 2.6 KB, so a part stays under Discourse's
 *   32,000-character default max_post_length.
 * - minIntervalHours 24: at most one routine proposal per market a day (issue 16: an hourly cycle posting
 *   every run gave 24 forum replies per market per day); an emergency cut goes at once regardless.
 * - maxInducedLiquidationUsd 25,000: a bounded LT step liquidating more debt than this is split or flagged
 *   (shared/risk/induced.ts; the issue's default, after professional stewards' practice).
 */
export const PROPOSALS_DEFAULTS = { maxAssetsPerProposal: 10, minIntervalHours: 24, maxInducedLiquidationUsd: 25_000 } as const;
/** Perp tiers: the largest position priced is 2x the last tier's lower bound (20M -> 40M USD by default). */
export const DEFAULT_MAX_POSITION_MULTIPLE = 2;
/** Perp floor (issue 15): the stressed expected shortfall at 97.5 %, the Basel FRTB's replacement for a 99 % VaR. */
export const DEFAULT_STRESSED_SHORTFALL_CONFIDENCE = 0.975;

/**
 * Aave v3 Ethereum live parameters (docs/methodology.md#ref-aave-v3-parameters: on-chain snapshot Oct-2023 and
 * governance diffs up to Aug-2026). Caps there are in tokens; here they are converted to USD at round
 * prices of the snapshot date (ETH 3,000, BTC 60,000, LINK 15, AAVE 150, UNI 8, CRV 0.5), so they are
 * orders of magnitude, not live values. SOL and DOGE are not listed on that market.
 */
const AAVE_V3_ETHEREUM_CURRENT: LendingProfile['current'] = {
  ETH: { ltvBps: 8050, liquidationThresholdBps: 8300, liquidationBonusBps: 500, supplyCapUsd: 5.4e9, borrowCapUsd: 4.2e9 },
  BTC: { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 },
  LINK: { ltvBps: 0, liquidationThresholdBps: 7100, liquidationBonusBps: 700, supplyCapUsd: 3.0e8, borrowCapUsd: 1.5e7 },
  AAVE: { ltvBps: 6900, liquidationThresholdBps: 7600, liquidationBonusBps: 750, supplyCapUsd: 2.775e8, borrowCapUsd: 0 },
  UNI: { ltvBps: 0, liquidationThresholdBps: 7400, liquidationBonusBps: 1000, supplyCapUsd: 4.8e7, borrowCapUsd: 0 },
  CRV: { ltvBps: 0, liquidationThresholdBps: 4100, liquidationBonusBps: 830, supplyCapUsd: 8.6e6, borrowCapUsd: 0 },
};

/** Hyperliquid margin tiers for the smallest notional (docs/methodology.md#ref-perp-margins): MM = IM / 2 at max leverage. */
const HYPERLIQUID_CURRENT: PerpProfile['current'] = {
  BTC: { maintenanceMarginBps: 125, initialMarginBps: 250, maxLeverage: 40 },
  ETH: { maintenanceMarginBps: 200, initialMarginBps: 400, maxLeverage: 25 },
  SOL: { maintenanceMarginBps: 250, initialMarginBps: 500, maxLeverage: 20 },
};

/**
 * monitor: the stress monitor (shared/risk/monitor/core.ts, issue 15; docs/backtest.md "Stress monitor"). Reasons:
 * - everyMinutes 5: the cadence; the finest bar any profile reads (5-minute perps).
 * - alertBufferShare 0.5: half the buffer gone, the buffer scaled to the time since the reference by
 *   sqrt(t / h) (the alpha-quantile of a t-move under iid returns), the point where a steward wants to look.
 * - windowAlertBufferShare 0.75: a move inside one horizon window against the unscaled buffer; 0.5 there
 *   alerts on ordinary 4 h swings (BTC hourly: 4.7 emergencies per asset-year outside the named crashes).
 * - criticalBufferShare 0.8: four fifths gone leaves less than an ordinary move before insolvency.
 * - stressedVolatilityRatio 3: the per-bar GARCH sigma at 3 x its long-run level. An emergency needs both
 *   a move and this ratio (two pieces of evidence: the price moved and the regime changed). Not fitted
 *   before the scored crashes: on BTC and ETH hourly before 2020-03-01 the smallest ratio of {2, 2.5, 3}
 *   with at most one emergency per asset-year is 2, which over the whole data gives 1.50 (BTC) and 1.26
 *   (ETH); 3 gives 0.75 and 0.54 and still catches both acceptance crashes (docs/backtest.md).
 * - clearBufferShare 0.25, clearAfterMinutes 1 day: an episode ends after a full day back under a quarter
 *   of the buffer and the ratio (half the alert line: hysteresis, so one crash is one episode).
 * - mandateDays 14: the backtest's emergency vote mandate (walkforward-types.ts emergencyMandateDays).
 */
export const DEFAULT_MONITOR = {
  everyMinutes: 5,
  alertBufferShare: 0.5,
  windowAlertBufferShare: 0.75,
  criticalBufferShare: 0.8,
  stressedVolatilityRatio: 3,
  clearBufferShare: 0.25,
  clearAfterMinutes: 24 * 60,
  mandateDays: 14,
} as const;

export const DEFAULT_CONFIG: AdvisorConfigInput = {
  methodologyVersion: 'v1.0',
  assets: UNIVERSE.map((asset) => {
    const simulator = SIMULATOR_CALIBRATION[asset.symbol];
    if (!simulator) throw new SimulatorCalibrationMissingError(asset.symbol);
    return { ...asset, simulator };
  }),
  venues: [
    { id: 'binance', name: 'Binance spot', quoteCurrency: 'USDT', baseUrl: 'https://api.binance.com' },
    { id: 'coinbase', name: 'Coinbase Exchange', quoteCurrency: 'USD', baseUrl: 'https://api.exchange.coinbase.com' },
    { id: 'kraken', name: 'Kraken', quoteCurrency: 'USD', baseUrl: 'https://api.kraken.com' },
  ],
  profiles: [
    {
      id: 'aave-v3-ethereum',
      kind: 'lending',
      name: 'Aave v3 Ethereum (core market)',
      // Methodology defaults for lending (docs/methodology.md#notation): 4 h horizon, alpha 0.999, beta 0.95.
      horizonMinutes: 240,
      confidence: 0.999,
      ltvConfidence: 0.95,
      candleInterval: '1h',
      lookbackDays: 365,
      minHistoryDays: 90,
      liquidationSizeUsd: 1_000_000,
      hysteresisBps: 25,
      liquidatorCostBps: 300,
      minLiquidationBonusBps: 450,
      maxLiquidationBonusBps: 1500,
      roundingStepBps: 50,
      capLiquidationShare: 0.1,
      borrowCapShare: 0.5,
      capVolumeParticipationShare: DEFAULT_CAP_VOLUME_PARTICIPATION_SHARE,
      // Aave v3.1 Risk Stewards (docs/methodology.md#ref-aave-stewards): +-0.5 pp per update, caps x2 up (and /2 down at most, issue 14), 3 days apart.
      maxStepBps: GUARD_RAIL_DEFAULTS.maxStepBps,
      capMaxChangeShare: GUARD_RAIL_DEFAULTS.capMaxChangeShare,
      capHysteresisShare: GUARD_RAIL_DEFAULTS.capHysteresisShare,
      capStressCutShare: GUARD_RAIL_DEFAULTS.capStressCutShare,
      minDelayDays: GUARD_RAIL_DEFAULTS.minDelayDays,
      // Four steward steps: a gap that would take 12 days to close at the 3-day cadence takes the fast path.
      stressTightenBps: GUARD_RAIL_DEFAULTS.stressTightenBps,
      // issue 14: the filtered tail is floored by the through-the-cycle tail (shared/risk/tail/ttc.ts), its
      // constants fitted on data before 2022 by `npm run calibrate:risk -- --to 2022-01-01` (no tuned share).
      throughTheCycleTail: THROUGH_THE_CYCLE_TAIL,
      // SmartLTV: c = 3 as in Risk DAO's worked example; a gap over 10 pp is flagged (docs/methodology.md#smartltv).
      smartLtvConfidence: 3,
      smartLtvGapFlagPp: 10,
      monteCarloPositions: DEFAULT_MONTE_CARLO_POSITIONS,
      monteCarloMinLtvShareOfLt: DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT.min,
      monteCarloMaxLtvShareOfLt: DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT.max,
      current: AAVE_V3_ETHEREUM_CURRENT,
      // issue 16: the steward calls of every bounded step (shared/governance/steward/).
      steward: AAVE_V3_ETHEREUM_STEWARD,
      // issue 16: read live (ADVISOR_RPC_URL) from these addresses; `current` above is then the fallback.
      chain: AAVE_V3_ETHEREUM_CHAIN,
    },
    {
      id: 'perp-dex',
      kind: 'perp',
      name: 'Perpetual DEX (Hyperliquid-style tiers)',
      // Methodology defaults for perps (docs/methodology.md#perps): 5 min horizon, alpha 0.99, m = 2.
      horizonMinutes: 5,
      confidence: 0.99,
      candleInterval: '5m',
      lookbackDays: 30,
      minHistoryDays: 7,
      liquidationSizeUsd: 250_000,
      hysteresisBps: 25,
      feeBufferBps: 10,
      initialToMaintenanceRatio: 2,
      leverageTiers: [1, 2, 3, 5, 10, 20, 25, 40, 50],
      // Binance-style brackets by position notional (docs/methodology.md#ref-perp-margins).
      tierNotionalsUsd: [0, 100_000, 1_000_000, 5_000_000, 20_000_000],
      insuranceContributionBps: 50,
      liquidatedShareOfOi: 0.1,
      upperOpenInterestCapMultiple: 2,
      maxPositionMultiple: DEFAULT_MAX_POSITION_MULTIPLE,
      maintenanceMarginMaxStepBps: GUARD_RAIL_DEFAULTS.maintenanceMarginMaxStepBps,
      leverageMaxFactor: GUARD_RAIL_DEFAULTS.leverageMaxFactor,
      leverageHysteresisShare: GUARD_RAIL_DEFAULTS.leverageHysteresisShare,
      leverageStressCutShare: GUARD_RAIL_DEFAULTS.leverageStressCutShare,
      minDelayDays: GUARD_RAIL_DEFAULTS.minDelayDays,
      // Margins are about 1 %: a 200 bps line (four steps) never fires. At 25 bps the backtest's fast path
      // fires on 12 of 44 BTC crash days that wanted a tighter MMR, 512 breached windows instead of 529
      // (docs/backtest.md, finding 3). A tightening that clears hysteresis is then never delayed.
      stressTightenBps: 25,
      current: HYPERLIQUID_CURRENT,
      // issue 15: the floor under the 5-minute tail, fitted before its cutoff by `npm run calibrate:risk`.
      throughTheCycleTail: PERP_THROUGH_THE_CYCLE_TAIL,
    },
  ],
  policy: {
    // SmartLTV rejects risk data older than one day (docs/methodology.md#ref-smartltv).
    staleAfterMs: 24 * MS_PER_HOUR,
    maxMissingBarShare: 0.02,
    minVenues: 2,
    // RiskMetrics' daily lambda 0.94 as a half-life: ln 0.5 / ln 0.94 = 11.2 days.
    ewmaHalfLifeDays: 11.2,
    depthBands: [0.005, 0.01, 0.02, 0.05, 0.1],
    bookWindowHours: 24,
    bookSnapshotsMax: 24,
    bookPercentile: 0.1,
    simulationPaths: 10_000,
    simulationSeed: 1,
    garchMinReturns: DEFAULT_GARCH_MIN_RETURNS,
    unconditionalFloorShare: 1,
    stressedRegimeRatio: 1.25,
    aggregation: { ...DEFAULT_AGGREGATION },
    quality: { ...DEFAULT_QUALITY_THRESHOLDS },
    refill: { ...DEFAULT_REFILL_LIMITS },
    garch: { ...DEFAULT_GARCH_LIMITS },
    realizedWindowsDays: { ...DEFAULT_REALIZED_WINDOWS_DAYS },
    realizedMinCoverageShare: DEFAULT_REALIZED_MIN_COVERAGE_SHARE,
    rangeWindowDays: DEFAULT_RANGE_WINDOW_DAYS,
    bookDepthBand: DEFAULT_BOOK_DEPTH_BAND,
  },
  simulator: { seed: 42, originIso: '2025-01-01T00:00:00.000Z' },
  schedule: { cycleEveryMinutes: 60, publishEveryMinutes: 5 },
  monitor: { ...DEFAULT_MONITOR },
};
