import { AdvisorError } from '../util/errors.js';
import { bpsToFraction } from '../util/units.js';

/**
 * The check every published perp schedule passes (docs/methodology.md#perps): read the way a venue reads
 * it, `MM(x) = x * mmr_n - deduction_n` for the tier whose lower bound is the largest <= x, maintenance
 * margin must not jump at a tier boundary by a cent or more. Applied where a recommendation is stored
 * (cycle/compute-recommendation.ts) and to every perp step of the backtest.
 */

/** A tier as published: the rate in whole bps and the deduction in USD. */
export interface PublishedTier {
  lowerBoundUsd: number;
  maintenanceMarginBps: number;
  deductionUsd: number;
}

/** The largest jump allowed, USD: below one cent (half a cent, so a rounding either way cannot reach it). */
export const TIER_CONTINUITY_TOLERANCE_USD = 0.005;

/** A published tier schedule whose maintenance margin jumps at a boundary. */
export class DiscontinuousMarginTiersError extends AdvisorError {
  constructor(readonly where: string, readonly boundaryUsd: number, readonly jumpUsd: number, readonly tierIndex: number) {
    super(
      'DISCONTINUOUS_MARGIN_TIERS',
      `${where}: maintenance margin jumps by $${jumpUsd.toFixed(4)} at the $${boundaryUsd} boundary (tier ${tierIndex}); published deductions must come from the published rates`,
      { where, boundaryUsd, jumpUsd, tierIndex },
    );
  }
}

/** Maintenance margin at notional x by tier n's published rate and deduction, USD. */
export function tierMaintenanceUsd(tier: PublishedTier, notionalUsd: number): number {
  return bpsToFraction(notionalUsd * tier.maintenanceMarginBps) - tier.deductionUsd;
}

/** The jump of MM at each boundary (at minus from below), USD; one entry per tier after the first. */
export function boundaryJumpsUsd(tiers: readonly PublishedTier[]): number[] {
  const jumps: number[] = [];
  for (let n = 1; n < tiers.length; n++) {
    const bound = tiers[n]!.lowerBoundUsd;
    jumps.push(tierMaintenanceUsd(tiers[n]!, bound) - tierMaintenanceUsd(tiers[n - 1]!, bound));
  }
  return jumps;
}

/** Throws DiscontinuousMarginTiersError at the first boundary where MM jumps by the tolerance or more. */
export function assertContinuousTiers(tiers: readonly PublishedTier[], where: string, toleranceUsd = TIER_CONTINUITY_TOLERANCE_USD): void {
  boundaryJumpsUsd(tiers).forEach((jump, k) => {
    if (!(Math.abs(jump) < toleranceUsd)) throw new DiscontinuousMarginTiersError(where, tiers[k + 1]!.lowerBoundUsd, jump, k + 1);
  });
}
