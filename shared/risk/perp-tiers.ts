import { DEFAULT_MAX_POSITION_MULTIPLE } from '../config/defaults.js';
import { AdvisorError } from '../util/errors.js';
import { BPS_PER_UNIT, bpsToFraction } from '../util/units.js';
import { roundUpBps } from './lending.js';
import { sellableWithinSlippage, sellSlippage, type Level } from './liquidity.js';
import { maintenanceMargin, maxLeverage } from './perp.js';

/**
 * Perpetual-market margin tiers, open-interest caps, liquidation penalty and insurance-fund target
 * (docs/methodology.md#perps and #ref-perp-margins). Pure maths: fractions in and out
 * (0.01 = 1 %), notionals in USD at mid.
 */

/** A margin input outside its domain (negative fraction, unsorted tier bounds, m < 1, ...). */
export class InvalidMarginInputError extends AdvisorError {
  constructor(parameter: string, value: unknown, rule: string) {
    super('INVALID_MARGIN_INPUT', `${parameter} ${rule} (got ${JSON.stringify(value)})`, { parameter, value, rule });
  }
}

function requireFraction(parameter: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new InvalidMarginInputError(parameter, value, 'must be a fraction in [0, 1]');
}

function requireNonNegative(parameter: string, value: number): void {
  if (!(value >= 0 && Number.isFinite(value))) throw new InvalidMarginInputError(parameter, value, 'must be a finite number >= 0');
}

// ---------------------------------------------------------------------------------------------------
// Tiers by position notional
// ---------------------------------------------------------------------------------------------------

/** One bracket in the exchange convention `MM = notional * mmr - deduction` (Binance, Hyperliquid). */
export interface MarginTier {
  /** Inclusive lower bound of the position notional, USD. */
  lowerBoundUsd: number;
  /** Exclusive upper bound, USD; the last tier's is the largest position the market accepts. */
  upperBoundUsd: number;
  /** MMR as published: forced (never below the previous tier's), rounded up to a whole bp. */
  maintenanceMarginFraction: number;
  /** The same rate in bps, the number a venue publishes. */
  maintenanceMarginBps: number;
  /** Snapped down to the allowed tiers from 1 / (MMR * m); 0 = reduce-only (no new exposure). */
  maxLeverage: number;
  /** 1 / maxLeverage; 1 (100 %) for a reduce-only tier, so the value stays finite in JSON. */
  initialMarginFraction: number;
  /**
   * `deduction_n = deduction_{n-1} + lowerBound_n * (mmr_n - mmr_{n-1})`, USD, from the rates AS PUBLISHED
   * (whole bps): keeps MM continuous at every boundary (Binance's "maintenance amount").
   */
  maintenanceDeductionUsd: number;
  reduceOnly: boolean;
}

export interface TierScheduleInputs {
  /** Ascending, strictly increasing, first = 0. */
  lowerBoundsUsd: readonly number[];
  /** Upper bound of the last (open) tier: the largest position the market accepts, USD. */
  maxPositionUsd: number;
  /** Unforced MMR per tier, fractions; a value >= 1 makes the tier reduce-only. */
  maintenanceFractions: readonly number[];
  /** m: IMR = MMR * m (>= 1). */
  initialToMaintenanceRatio: number;
  leverageTiers: readonly number[];
}

function validateSchedule(lowerBoundsUsd: readonly number[], maxPositionUsd: number, initialToMaintenanceRatio: number, leverageTiers: readonly number[]): void {
  if (lowerBoundsUsd.length === 0 || lowerBoundsUsd[0] !== 0) {
    throw new InvalidMarginInputError('tierNotionalsUsd', lowerBoundsUsd, 'must be non-empty and start at 0');
  }
  for (let n = 1; n < lowerBoundsUsd.length; n++) {
    if (!(lowerBoundsUsd[n]! > lowerBoundsUsd[n - 1]!) || !Number.isFinite(lowerBoundsUsd[n]!)) {
      throw new InvalidMarginInputError('tierNotionalsUsd', lowerBoundsUsd, 'must be finite and strictly increasing');
    }
  }
  const lastLower = lowerBoundsUsd[lowerBoundsUsd.length - 1]!;
  if (!(maxPositionUsd > lastLower) || !Number.isFinite(maxPositionUsd)) {
    throw new InvalidMarginInputError('maxPositionUsd', maxPositionUsd, `must be finite and above the last tier's lower bound (${lastLower})`);
  }
  if (!(initialToMaintenanceRatio >= 1) || !Number.isFinite(initialToMaintenanceRatio)) {
    throw new InvalidMarginInputError('initialToMaintenanceRatio', initialToMaintenanceRatio, 'must be >= 1 (initial margin is never below maintenance)');
  }
  if (leverageTiers.length === 0 || leverageTiers.some((tier) => !(tier > 0))) {
    throw new InvalidMarginInputError('leverageTiers', leverageTiers, 'must be a non-empty list of positive leverages');
  }
}

/**
 * From per-tier maintenance fractions to brackets: forces the MMR non-decreasing in notional (a
 * bigger position never gets a lower rate), rounds it up to the whole bp it is published at, snaps
 * leverage from that published rate, and accumulates the deductions from the published rates (a
 * deduction computed from the unrounded rate next to a rounded rate makes MM jump at the boundary:
 * BTC on 2022-05-28 +$38.75 at $1M, -$1,574 at $20M). Exposed separately so a published bracket table
 * (Binance's) can be checked against the deduction rule.
 */
export function buildMarginTiers(inputs: TierScheduleInputs): MarginTier[] {
  const { lowerBoundsUsd, maxPositionUsd, maintenanceFractions, initialToMaintenanceRatio, leverageTiers } = inputs;
  validateSchedule(lowerBoundsUsd, maxPositionUsd, initialToMaintenanceRatio, leverageTiers);
  if (maintenanceFractions.length !== lowerBoundsUsd.length) {
    throw new InvalidMarginInputError('maintenanceFractions', maintenanceFractions.length, `must have one value per tier (${lowerBoundsUsd.length})`);
  }
  const tiers: MarginTier[] = [];
  let previousBps = 0;
  let deduction = 0;
  for (let n = 0; n < lowerBoundsUsd.length; n++) {
    const raw = maintenanceFractions[n]!;
    if (!(raw >= 0)) throw new InvalidMarginInputError(`maintenanceFractions[${n}]`, raw, 'must be >= 0');
    // Rounded up to the published bp, forced non-decreasing, and capped at 100 %: a margin above the notional has no meaning.
    const mmrBps = Math.min(BPS_PER_UNIT, Math.max(roundUpBps(raw), previousBps));
    const mmr = bpsToFraction(mmrBps);
    const lowerBoundUsd = lowerBoundsUsd[n]!;
    if (n > 0) deduction += bpsToFraction(lowerBoundUsd * (mmrBps - previousBps));
    // At MMR 100 % a position is liquidatable at its first tick of loss: no leverage is offered.
    const leverage = mmr >= 1 ? 0 : maxLeverage(mmr, initialToMaintenanceRatio, leverageTiers);
    tiers.push({
      lowerBoundUsd,
      upperBoundUsd: lowerBoundsUsd[n + 1] ?? maxPositionUsd,
      maintenanceMarginFraction: mmr,
      maintenanceMarginBps: mmrBps,
      maxLeverage: leverage,
      initialMarginFraction: leverage > 0 ? 1 / leverage : 1,
      maintenanceDeductionUsd: deduction,
      reduceOnly: leverage === 0,
    });
    previousBps = mmrBps;
  }
  return tiers;
}

export interface MarginTierInputs {
  /** D_alpha(h): the horizon's adverse-move quantile, fraction. */
  adverseMove: number;
  /** Merged USD bid ladder, best first. */
  bids: readonly Level[];
  midUsd: number;
  /** Fees and funding a liquidation pays, fraction of notional. */
  feeBuffer: number;
  /** m: IMR = MMR * m (default in config: 2, Hyperliquid's ratio). */
  initialToMaintenanceRatio: number;
  /** Leverages the market may offer (e.g. 1, 2, 3, 5, 10, 20, 25, 40, 50). */
  leverageTiers: readonly number[];
  /** Lower bounds of the tiers, USD, first = 0 (e.g. 0, 100k, 1M, 5M, 20M, 50M). */
  tierNotionalsUsd: readonly number[];
  /**
   * Upper bound of the last tier: the largest position the market accepts, where the last tier's
   * slippage is measured. Default: twice the last lower bound (Binance's BTCUSDT table closes with
   * 300M-500M, 1.67x; doubling is slightly more conservative). Required when there is a single tier.
   */
  maxPositionUsd?: number;
  /** Without maxPositionUsd: this multiple of the last lower bound (the profile's maxPositionMultiple). */
  maxPositionMultiple?: number;
}

export interface BookMarginTier extends MarginTier {
  /** Notional whose close-out was walked through the book: the tier's upper bound. */
  sizedAtUsd: number;
  /** 1 - VWAP/mid of closing `sizedAtUsd` (of the part that filled, when the book ran out). */
  slippage: number;
  /** False when the book cannot absorb `sizedAtUsd`: the tier is then MMR 100 %, reduce-only. */
  fillable: boolean;
  /** adverseMove + slippage + feeBuffer before forcing and capping (1 when not fillable). */
  unforcedMaintenanceFraction: number;
}

/**
 * Tiered maintenance margins from the book: `MMR_n = adverseMove + slippage(U_n) + feeBuffer`.
 *
 * Slippage is measured at the tier's **upper bound** U_n (the last tier: `maxPositionUsd`). On a
 * best-first book slippage never falls with size, so every position in the tier closes at no worse
 * than the rate it is charged; a representative (mid-tier) size would under-margin the top of each
 * tier. A tier whose upper bound the book cannot absorb in full (the sell walks off the last level)
 * has no price for the remainder: its MMR is set to 100 % and it is reduce-only (leverage 0, IMF 100 %);
 * forcing then carries 100 % to every larger tier.
 */
export function marginTiers(inputs: MarginTierInputs): BookMarginTier[] {
  const { adverseMove, bids, midUsd, feeBuffer, initialToMaintenanceRatio, leverageTiers, tierNotionalsUsd } = inputs;
  requireFraction('adverseMove', adverseMove);
  requireFraction('feeBuffer', feeBuffer);
  if (!(midUsd > 0) || !Number.isFinite(midUsd)) throw new InvalidMarginInputError('midUsd', midUsd, 'must be a finite price > 0');
  const lastLower = tierNotionalsUsd[tierNotionalsUsd.length - 1] ?? 0;
  const maxPositionUsd = inputs.maxPositionUsd ?? lastLower * (inputs.maxPositionMultiple ?? DEFAULT_MAX_POSITION_MULTIPLE);
  validateSchedule(tierNotionalsUsd, maxPositionUsd, initialToMaintenanceRatio, leverageTiers);

  const measured = tierNotionalsUsd.map((_, n) => {
    const sizedAtUsd = tierNotionalsUsd[n + 1] ?? maxPositionUsd;
    const fill = sellSlippage(bids, midUsd, sizedAtUsd);
    const unforced = fill.complete ? maintenanceMargin(adverseMove, fill.slippage, feeBuffer) : 1;
    return { sizedAtUsd, slippage: fill.slippage, fillable: fill.complete, unforced };
  });
  const tiers = buildMarginTiers({
    lowerBoundsUsd: tierNotionalsUsd,
    maxPositionUsd,
    maintenanceFractions: measured.map((m) => m.unforced),
    initialToMaintenanceRatio,
    leverageTiers,
  });
  return tiers.map((tier, n) => {
    const m = measured[n]!;
    return { ...tier, sizedAtUsd: m.sizedAtUsd, slippage: m.slippage, fillable: m.fillable, unforcedMaintenanceFraction: m.unforced };
  });
}

// ---------------------------------------------------------------------------------------------------
// Open interest
// ---------------------------------------------------------------------------------------------------

/** Default share of open interest assumed liquidated at once (same k as the lending supply cap). */
export const DEFAULT_LIQUIDATED_SHARE_OF_OI = 0.1;
/** Default upper/lower cap ratio (the dYdX v4-chain test liquidity tier: lower 25M, upper 50M USDC). */
export const DEFAULT_UPPER_CAP_MULTIPLE = 2;

export interface OpenInterestCapInputs {
  /** Merged USD bid ladder, best first: long liquidations sell into it. */
  bids: readonly Level[];
  midUsd: number;
  /** Slippage budget for liquidating `liquidatedShareOfOi` of OI: the liquidation penalty, fraction. */
  liquidationPenalty: number;
  /** k: share of OI liquidated at once in a stress move. Default 0.1. */
  liquidatedShareOfOi?: number;
  /** Upper cap = lower cap x this (>= 1). Default 2. */
  upperCapMultiple?: number;
}

export interface OpenInterestCaps {
  lowerCapUsd: number;
  upperCapUsd: number;
  /** Notional sellable with slippage <= the penalty: k x lower cap. */
  sellableWithinPenaltyUsd: number;
  /** Slippage of liquidating k x upper cap (of the part that fills). */
  slippageAtUpperCap: number;
  /** Whether the book can absorb k x upper cap at all. */
  upperCapFillable: boolean;
}

/**
 * OI caps from depth. There is no published rule; ours, in a forum post's words:
 *  - Lower cap: the OI at which liquidating k of it (default 10 %) in one go costs at most the
 *    liquidation penalty in slippage, i.e. `slippage(k * lo) = penalty`, `lo = sellable(penalty) / k`.
 *    Below it the penalty pays for the close-out and full leverage is safe.
 *  - Upper cap: `hi = multiple * lo` (default 2x). Between the caps the dYdX OIMF ramp raises the
 *    initial margin linearly to 100 %, so new leverage fades out as the liquidations it implies start
 *    to cost more than the penalty. `slippageAtUpperCap` and `upperCapFillable` show how far past the
 *    budget the upper cap sits on today's book.
 * Same k as the lending supply cap; the budget is the full penalty (not half the bonus) because a perp
 * liquidation's slippage is paid out of the penalty, not by a third-party liquidator's margin.
 */
export function openInterestCaps(inputs: OpenInterestCapInputs): OpenInterestCaps {
  const { bids, midUsd, liquidationPenalty } = inputs;
  const share = inputs.liquidatedShareOfOi ?? DEFAULT_LIQUIDATED_SHARE_OF_OI;
  const multiple = inputs.upperCapMultiple ?? DEFAULT_UPPER_CAP_MULTIPLE;
  requireFraction('liquidationPenalty', liquidationPenalty);
  if (!(midUsd > 0) || !Number.isFinite(midUsd)) throw new InvalidMarginInputError('midUsd', midUsd, 'must be a finite price > 0');
  if (!(share > 0 && share <= 1)) throw new InvalidMarginInputError('liquidatedShareOfOi', share, 'must be in (0, 1]');
  if (!(multiple >= 1) || !Number.isFinite(multiple)) throw new InvalidMarginInputError('upperCapMultiple', multiple, 'must be finite and >= 1');
  const sellableWithinPenaltyUsd = sellableWithinSlippage(bids, midUsd, liquidationPenalty);
  const lowerCapUsd = sellableWithinPenaltyUsd / share;
  const upperCapUsd = lowerCapUsd * multiple;
  const atUpper = sellSlippage(bids, midUsd, upperCapUsd * share);
  return { lowerCapUsd, upperCapUsd, sellableWithinPenaltyUsd, slippageAtUpperCap: atUpper.slippage, upperCapFillable: atUpper.complete };
}

// ---------------------------------------------------------------------------------------------------
// Liquidation penalty and insurance fund
// ---------------------------------------------------------------------------------------------------

/**
 * Liquidation penalty (fraction of notional): the close-out slippage of the tier size plus a
 * contribution to the insurance fund. Call it per tier with that tier's slippage.
 */
export function liquidationPenalty(inputs: { slippageAtTierSize: number; insuranceContribution: number }): number {
  requireFraction('slippageAtTierSize', inputs.slippageAtTierSize);
  requireFraction('insuranceContribution', inputs.insuranceContribution);
  return inputs.slippageAtTierSize + inputs.insuranceContribution;
}

export interface InsuranceFundInputs {
  /** One side's open interest (longs = shorts), USD. */
  openInterestUsd: number;
  /** Stress move over the liquidation horizon, fraction: e.g. the expected shortfall of D(h). */
  stressDrawdown: number;
  /** MMR the positions hold when the gap hits (the lowest tier's is the conservative choice). */
  maintenanceMargin: number;
  /** Close-out slippage of the liquidated size, fraction. */
  slippage: number;
  /** Share of OI sitting at the maintenance boundary when the gap hits. Default 1 (all of it). */
  exposedShareOfOi?: number;
}

export interface InsuranceFundTarget {
  targetUsd: number;
  /** Bad debt per unit of exposed notional: max(0, stressDrawdown + slippage - maintenanceMargin). */
  shortfallFraction: number;
}

/**
 * Insurance-fund target: the bad debt left when the price gaps by the stress move through accounts
 * sitting at maintenance margin. Per unit of notional the account holds `MMR` of equity and loses
 * `D + slippage`; the rest is bad debt, so `target = OI * exposedShare * max(0, D + s - MMR)`.
 *
 * Simplifications, each on the conservative side unless noted: (1) every exposed position is exactly
 * at its maintenance boundary when the gap starts (default exposed share 100 %); (2) the gap is
 * instantaneous (no partial liquidation on the way down); (3) slippage is charged on the full
 * notional rather than on the post-gap value (`s * (1 - D)`); (4) the unpaid penalty is not counted
 * (it is income foregone, not a loss). Fed with the expected shortfall of D, the result is the
 * expected bad debt in the tail exactly when `MMR - s` is below the tail's threshold quantile (the
 * shortfall is then linear in D over the whole tail); otherwise it is a lower bound (Jensen).
 */
export function insuranceFundTarget(inputs: InsuranceFundInputs): InsuranceFundTarget {
  const { openInterestUsd, stressDrawdown, maintenanceMargin: mmr, slippage } = inputs;
  const exposedShare = inputs.exposedShareOfOi ?? 1;
  requireNonNegative('openInterestUsd', openInterestUsd);
  requireFraction('stressDrawdown', stressDrawdown);
  requireFraction('maintenanceMargin', mmr);
  requireFraction('slippage', slippage);
  requireFraction('exposedShareOfOi', exposedShare);
  const shortfallFraction = Math.max(0, stressDrawdown + slippage - mmr);
  return { targetUsd: openInterestUsd * exposedShare * shortfallFraction, shortfallFraction };
}
