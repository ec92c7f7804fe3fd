import * as z from 'zod';
import { MS_PER_HOUR, MS_PER_MINUTE } from '../util/time.js';
import {
  DEFAULT_MAX_POSITION_MULTIPLE,
  DEFAULT_CAP_VOLUME_PARTICIPATION_SHARE,
  DEFAULT_MONITOR,
  DEFAULT_STRESSED_SHORTFALL_CONFIDENCE,
  DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT,
  GUARD_RAIL_DEFAULTS,
  PROPOSALS_DEFAULTS,
} from './defaults.js';
import { monitorSchema } from './monitor.js';
import { policySchema } from './policy.js';
import { stewardSchema } from './steward.js';
import { lendingChainSchema } from './chain.js';
import { throughTheCycleTailSchema } from './tail.js';

/**
 * The advisor's configuration: asset universe, venues, protocol profiles and policy knobs.
 * Every constant of the methodology lives here, with its default in defaults.ts, never as a literal in the
 * maths (the backtest's own constants are CLI options or named in docs/backtest.md). Fields added after v1.0
 * to a profile default with zod (profiles are replaced whole by a user config, so older configs stay valid).
 * Config objects are strict: an unknown key (a typo) is an error naming its path, not silently ignored.
 */

export const assetSymbol = z
  .string()
  .regex(/^[A-Z0-9]{2,12}$/, 'asset symbols are 2-12 upper-case letters or digits');

export const venueId = z.enum(['binance', 'coinbase', 'kraken']);
export type VenueId = z.infer<typeof venueId>;

export const candleInterval = z.enum(['5m', '1h']);
export type CandleInterval = z.infer<typeof candleInterval>;

export const INTERVAL_MS: Record<CandleInterval, number> = { '5m': 5 * MS_PER_MINUTE, '1h': MS_PER_HOUR };

/** Parameters of the seeded simulator for one asset; see shared/config/calibration.ts for their origin. */
export const simulatorCalibrationSchema = z.object({
  /** Price the simulated path starts from at the simulator origin, in USD. */
  startPriceUsd: z.number().positive(),
  /** Long-run annualized volatility of log returns (diffusive part), e.g. 0.55 = 55 %. */
  annualVolatility: z.number().positive().max(5),
  /** Degrees of freedom of the Student-t innovations: lower = fatter tails. */
  tailDegreesOfFreedom: z.number().gt(2.05).max(100),
  /** Expected jumps per year (a jump is a sudden move on one 5-minute bar). */
  jumpsPerYear: z.number().min(0).max(365),
  /** Mean absolute size of a jump, as a log return (0.05 = about 5 %). */
  jumpMeanAbsLogReturn: z.number().min(0).max(1),
  /** Share of jumps that are down moves. */
  jumpDownShare: z.number().min(0).max(1),
  /** Bid depth within 2 % of mid summed over the asset's venues, in USD (the simulator splits it by venue share). */
  depth2PctUsd: z.number().positive(),
  /** Quoted spread, in bps. */
  spreadBps: z.number().positive().max(500),
}).strict();
export type SimulatorCalibration = z.infer<typeof simulatorCalibrationSchema>;

export const assetSchema = z.object({
  symbol: assetSymbol,
  name: z.string().min(1),
  /** Pair name on each venue that lists the asset (e.g. binance: BTCUSDT, coinbase: BTC-USD, kraken: XBTUSD). */
  venuePairs: z.partialRecord(venueId, z.string().min(1)).refine((pairs) => Object.keys(pairs).length > 0, {
    message: 'an asset needs at least one venue pair',
  }),
  simulator: simulatorCalibrationSchema,
  /** A frozen asset is never changed automatically (manual override). */
  frozen: z.boolean().default(false),
}).strict();
export type AssetConfig = z.infer<typeof assetSchema>;

export const venueSchema = z.object({
  id: venueId,
  name: z.string(),
  quoteCurrency: z.enum(['USD', 'USDT', 'USDC']),
  baseUrl: z.url(),
  enabled: z.boolean().default(true),
  /**
   * Overrides of the venue's rate budget (defaults: DEFAULT_VENUE_RATE_LIMITS in shared/market/resilience.ts).
   * The budget is the fleet's: every worker calling the venue takes from one token bucket in the table.
   */
  rateLimit: z
    .object({
      requestsPerSecond: z.number().positive(),
      weightPerMinute: z.number().positive().nullable(),
      budgetShare: z.number().gt(0).max(1),
      maxConcurrent: z.number().int().positive(),
      burstSeconds: z.number().positive(),
    })
    .strict()
    .partial()
    .optional(),
}).strict();
export type VenueConfig = z.infer<typeof venueSchema>;

const bps = z.number().int().min(0).max(10_000);

export const lendingParametersSchema = z.object({
  ltvBps: bps,
  liquidationThresholdBps: bps,
  liquidationBonusBps: bps,
  supplyCapUsd: z.number().min(0),
  borrowCapUsd: z.number().min(0),
});
export type LendingParameters = z.infer<typeof lendingParametersSchema>;

export const perpParametersSchema = z.object({
  maintenanceMarginBps: bps,
  initialMarginBps: bps,
  /** 0 means "do not list / reduce-only". */
  maxLeverage: z.number().min(0),
});
export type PerpParameters = z.infer<typeof perpParametersSchema>;

const profileCommon = {
  id: z.string().regex(/^[a-z0-9-]{3,40}$/, 'profile ids are 3-40 lower-case letters, digits or dashes'),
  name: z.string().min(1),
  /** Time from a breach to the liquidation being filled (oracle delay + keeper + congestion), in minutes. */
  horizonMinutes: z.number().int().positive(),
  /** Confidence of the adverse-move quantile (alpha). */
  confidence: z.number().gt(0.5).lt(1),
  /** Candle interval the horizon is measured on; must divide the horizon. */
  candleInterval,
  /** Trailing window of history used for scores, in days. */
  lookbackDays: z.number().int().positive(),
  /** Less history than this makes the asset unfit (not collateral / not listed). */
  minHistoryDays: z.number().int().positive(),
  /** Liquidation size Q used for slippage, in USD. */
  liquidationSizeUsd: z.number().positive(),
  /** Moves smaller than this (in bps of any bps parameter) are not proposed. */
  hysteresisBps: z.number().int().min(0),
  /** Assets this profile covers; empty = the whole universe. */
  assets: z.array(assetSymbol).default([]),
  /**
   * When each asset's current parameters last changed (ISO time), for the minimum delay between updates.
   * Absent: no delay applies (the advisor does not know).
   */
  currentUpdatedAt: z.record(assetSymbol, z.iso.datetime()).default({}),
  /** Guard-rail knobs: minimum days between updates of a parameter, and the stress line of the fast tighten path (bps). */
  minDelayDays: z.number().min(0),
  stressTightenBps: z.number().int().positive().nullable(),
  /** Overrides policy.unconditionalFloorShare for this profile (see docs/backtest.md for the calibration). */
  unconditionalFloorShare: z.number().min(0).max(1).optional(),
};

export const lendingProfileSchema = z.object({
  ...profileCommon,
  kind: z.literal('lending'),
  /** beta: confidence of the "ordinary day" move that separates LTV from LT. */
  ltvConfidence: z.number().gt(0.5).lt(1),
  liquidatorCostBps: bps,
  minLiquidationBonusBps: bps,
  maxLiquidationBonusBps: bps,
  /** LTV and LT are rounded down to this step. */
  roundingStepBps: z.number().int().positive(),
  /** k: share of the supply cap that must be liquidatable for at most half the bonus in slippage. */
  capLiquidationShare: z.number().gt(0).max(1),
  /** Borrow cap as a share of the supply cap. */
  borrowCapShare: z.number().gt(0).max(1),
  /** issue 14: share of the traded volume over one liquidation horizon a liquidator may take (the cap's flow measure, risk/engine/cap-evidence.ts). */
  capVolumeParticipationShare: z.number().gt(0).max(1).default(DEFAULT_CAP_VOLUME_PARTICIPATION_SHARE),
  /** Steward bounds per update (Aave v3.1: 50 bps for LTV/LT/bonus, 100 % for caps). */
  maxStepBps: z.number().int().positive(),
  capMaxChangeShare: z.number().positive(),
  /** Caps are not re-proposed for relative moves smaller than this. */
  capHysteresisShare: z.number().min(0),
  /** A cap cut of at least this share skips hysteresis and the delay (the fast path); null = no fast path for caps. */
  capStressCutShare: z.number().gt(0).max(1).nullable().default(GUARD_RAIL_DEFAULTS.capStressCutShare),
  /** Risk DAO SmartLTV cross-check: risk appetite c and the gap (pp) that is flagged. */
  smartLtvConfidence: z.number().positive(),
  smartLtvGapFlagPp: z.number().positive(),
  /** Monte Carlo: positions in the synthetic book spread up to LT. */
  monteCarloPositions: z.number().int().positive(),
  /** Monte Carlo: the synthetic positions' LTVs are evenly spread from min to max x LT. */
  monteCarloMinLtvShareOfLt: z.number().min(0).lt(1).default(DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT.min),
  monteCarloMaxLtvShareOfLt: z.number().gt(0).lt(1).default(DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT.max),
  /** Parameters currently live on the protocol, per asset (the "current" column of a proposal). */
  current: z.record(assetSymbol, lendingParametersSchema.strict()).default({}),
  /**
   * issue 14: the through-the-cycle tail floor (shared/risk/tail/ttc.ts) and its constants from
   * `npm run calibrate:risk`. Absent (or fitted for another bar/horizon/confidence): the adverse move is
   * floored by unconditionalFloorShare x the trailing unconditional tail instead.
   */
  throughTheCycleTail: throughTheCycleTailSchema.optional(),
  /** issue 16: the risk steward the bounded steps are encoded for (shared/config/steward.ts); absent: no payload. */
  steward: stewardSchema.optional(),
  /** issue 16: where the live parameters are on chain (read when ADVISOR_RPC_URL is set; shared/config/chain.ts). */
  chain: lendingChainSchema.optional(),
}).strict();
export type LendingProfile = z.infer<typeof lendingProfileSchema>;

export const perpProfileSchema = z.object({
  ...profileCommon,
  kind: z.literal('perp'),
  feeBufferBps: bps,
  /** m: initial margin = maintenance margin x m. */
  initialToMaintenanceRatio: z.number().min(1),
  /** Max leverage is snapped down to one of these. */
  leverageTiers: z.array(z.number().positive()).min(1),
  /** Lower notional bounds of the maintenance-margin tiers, USD, ascending from 0. */
  tierNotionalsUsd: z.array(z.number().min(0)).min(1),
  /** Insurance contribution added to the slippage in the liquidation penalty. */
  insuranceContributionBps: bps,
  /** Share of OI liquidated at once for the open-interest caps; upper cap as a multiple of the lower one. */
  liquidatedShareOfOi: z.number().gt(0).max(1),
  upperOpenInterestCapMultiple: z.number().min(1),
  /** The largest position the last tier is priced at, as a multiple of that tier's lower bound. */
  maxPositionMultiple: z.number().gt(1).default(DEFAULT_MAX_POSITION_MULTIPLE),
  /** Steward bounds per update for margins (bps) and leverage (factor). */
  maintenanceMarginMaxStepBps: z.number().int().positive(),
  leverageMaxFactor: z.number().min(1),
  /** Leverage moves smaller than this share are not proposed. */
  leverageHysteresisShare: z.number().min(0).default(GUARD_RAIL_DEFAULTS.leverageHysteresisShare),
  /** A leverage cut of at least this share takes the fast path; null = none. */
  leverageStressCutShare: z.number().gt(0).max(1).nullable().default(GUARD_RAIL_DEFAULTS.leverageStressCutShare),
  current: z.record(assetSymbol, perpParametersSchema.strict()).default({}),
  // --- perp: issue 15, the tail that remembers past stress -------------------------------------------------
  /**
   * The through-the-cycle tail of the perp horizon (5-minute bars, 1 bar, alpha) from
   * `npm run calibrate:risk` (shared/config/perp-tail-calibration.generated.ts). The adverse move is floored by
   * its expected shortfall (tail/floor.ts): a margin that holds in the stressed regime. Absent (or fitted for
   * another shape): unconditionalFloorShare x the trailing unconditional tail.
   */
  throughTheCycleTail: throughTheCycleTailSchema.optional(),
  /**
   * Confidence of that expected shortfall: 0.975, the Basel FRTB's replacement for a 99 % VaR (the same alpha
   * under a normal tail, more under a fat one). The calibration is fitted at it and applies only when it matches.
   */
  stressedShortfallConfidence: z.number().gt(0.5).lt(1).default(DEFAULT_STRESSED_SHORTFALL_CONFIDENCE),
}).strict();
export type PerpProfile = z.infer<typeof perpProfileSchema>;

export const profileSchema = z.discriminatedUnion('kind', [lendingProfileSchema, perpProfileSchema]);
export type ProtocolProfile = z.infer<typeof profileSchema>;

export { policySchema, type Policy } from './policy.js';

export const simulatorSchema = z.object({
  seed: z.number().int(),
  /** The simulated path starts here; every candle is a function of (seed, asset, venue, time) only. */
  originIso: z.iso.datetime(),
}).strict();

export const scheduleSchema = z.object({
  /** Local runtime: minutes between cycles. Cloud: the EventBridge rate. */
  cycleEveryMinutes: z.number().int().positive(),
  /** Local runtime: minutes between outbox dispatches. */
  publishEveryMinutes: z.number().int().positive(),
  /**
   * A run still running this long after it started has lost an asset (its message parked in the
   * dead-letter queue): the next scheduled plan closes it with what it has, naming the missing assets.
   */
  runTimeoutMinutes: z.number().int().positive().default(60),
  /**
   * Recompute runs (POST /v1/recompute) queued or running at once, fleet-wide. A request covered by one
   * of them joins it; a request that would need another is refused with 503 and Retry-After.
   */
  maxRunsInFlight: z.number().int().min(1).default(2),
  /** New recompute runs one caller (principal) may start per fixed clock hour; joining a run in flight is free. */
  recomputesPerCallerPerHour: z.number().int().min(1).default(12),
  /** Retry-After of the 503 when maxRunsInFlight runs are in flight: about how long a recompute takes. */
  recomputeBusyRetryAfterSeconds: z.number().int().min(1).default(60),
}).strict();

export const proposalsSchema = z.object({
  /**
   * Assets per proposal: a profile's changes are split into parts of at most this many assets, so a post
   * stays under Discourse's default max_post_length (32,000 characters; a lending asset renders to about
   * 2.6 KB) and a stored proposal far under DynamoDB's 400 KB item limit.
   */
  maxAssetsPerProposal: z.number().int().min(1).max(50).default(PROPOSALS_DEFAULTS.maxAssetsPerProposal),
  /** Hours between two routine proposals of a market; an emergency goes at once (governance/cadence.ts). 0: no wait. */
  minIntervalHours: z.number().min(0).default(PROPOSALS_DEFAULTS.minIntervalHours),
  /** issue 16: a bounded LT/LTV step that would liquidate more debt than this (USD) is split or flagged (shared/risk/induced.ts). */
  maxInducedLiquidationUsd: z.number().positive().default(PROPOSALS_DEFAULTS.maxInducedLiquidationUsd),
  positionsFile: z.string().min(1).optional(), // issue 16: a positions snapshot (shared/governance/positions.ts); absent: simulated books
}).strict();

export const advisorConfigSchema = z
  .object({
    methodologyVersion: z.string().min(1),
    assets: z.array(assetSchema).min(1),
    venues: z.array(venueSchema).min(1),
    profiles: z.array(profileSchema).min(1),
    policy: policySchema,
    simulator: simulatorSchema,
    schedule: scheduleSchema,
    proposals: proposalsSchema.default({ ...PROPOSALS_DEFAULTS }),
    monitor: monitorSchema.default(DEFAULT_MONITOR),
  })
  .strict()
  .superRefine((config, ctx) => {
    const symbols = new Set<string>();
    config.assets.forEach((asset, i) => {
      if (symbols.has(asset.symbol)) {
        ctx.addIssue({ code: 'custom', path: ['assets', i, 'symbol'], message: `duplicate asset ${asset.symbol}` });
      }
      symbols.add(asset.symbol);
    });
    const profileIds = new Set<string>();
    config.profiles.forEach((profile, i) => {
      if (profileIds.has(profile.id)) {
        ctx.addIssue({ code: 'custom', path: ['profiles', i, 'id'], message: `duplicate profile ${profile.id}` });
      }
      profileIds.add(profile.id);
      const intervalMinutes = INTERVAL_MS[profile.candleInterval] / MS_PER_MINUTE;
      if (profile.horizonMinutes % intervalMinutes !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'horizonMinutes'],
          message: `horizon ${profile.horizonMinutes} min is not a multiple of the ${profile.candleInterval} candle`,
        });
      }
      profile.assets.forEach((symbol, j) => {
        if (!symbols.has(symbol)) {
          ctx.addIssue({ code: 'custom', path: ['profiles', i, 'assets', j], message: `unknown asset ${symbol}` });
        }
      });
      if (profile.kind === 'lending' && profile.monteCarloMinLtvShareOfLt > profile.monteCarloMaxLtvShareOfLt) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'monteCarloMinLtvShareOfLt'],
          message: 'monteCarloMinLtvShareOfLt exceeds monteCarloMaxLtvShareOfLt',
        });
      }
      if (profile.kind === 'lending' && profile.minLiquidationBonusBps > profile.maxLiquidationBonusBps) {
        ctx.addIssue({
          code: 'custom',
          path: ['profiles', i, 'minLiquidationBonusBps'],
          message: 'minLiquidationBonusBps exceeds maxLiquidationBonusBps',
        });
      }
    });
  });
export type AdvisorConfig = z.infer<typeof advisorConfigSchema>;
export type AdvisorConfigInput = z.input<typeof advisorConfigSchema>;
