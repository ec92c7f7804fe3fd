import type { LendingProfile } from '../../config/schema.js';
import type { StewardConfig } from '../../config/steward.js';
import type { ParameterChange } from '../../model/proposal.js';
import type { StewardRow } from '../../model/steward.js';
import { BPS_PER_UNIT } from '../../util/units.js';

/**
 * The step table of a lending proposal in the steward's units: one row per asset with a field per parameter the
 * steward may move now (null = KEEP_CURRENT). Pure. LTV, LT and bonus are the proposal's bps as they are (the bonus
 * is the bonus only, as in our catalogue). Caps are whole tokens at the price the recommendation used:
 *
 * - the current cap is the current USD cap / price, rounded to the nearest token (the estimate of the live cap the
 *   steward compares with, when the config gives the cap in USD);
 * - the proposed cap is the USD step / price rounded down (never looser than the USD step, a cut at least as deep),
 *   then kept inside both bounds on the token figures, so rounding cannot push a step outside them: the steward's
 *   relative bound (|new - current| <= maxPercentChange x current, integer division, as RiskSteward.sol) and the
 *   profile's cap factor (a cut to current / (1 + capMaxChangeShare) at most, issue 14); and never 0 (the steward
 *   refuses 0).
 */

export type StewardParameter = 'ltvBps' | 'liquidationThresholdBps' | 'liquidationBonusBps' | 'supplyCapUsd' | 'borrowCapUsd';
export const STEWARD_PARAMETERS: readonly StewardParameter[] = ['ltvBps', 'liquidationThresholdBps', 'liquidationBonusBps', 'supplyCapUsd', 'borrowCapUsd'];

/** Statuses whose proposed value is a step a steward may take now (the rest of a bounded step is left to a vote). */
const STEWARD_STATUSES: ReadonlySet<string> = new Set(['within-bounds', 'bounded-needs-vote']);

export interface RowsInput {
  profile: Pick<LendingProfile, 'capMaxChangeShare'>;
  steward: StewardConfig;
  changes: readonly ParameterChange[];
  /** USD per token of each asset, as the recommendation used it (its book's mid); absent: caps are not sent. */
  pricesUsd: Readonly<Record<string, number | undefined>>;
}

export interface Skipped {
  asset: string;
  parameter: string;
  reason: string;
}

/** Whole tokens of a USD amount at a price, rounded to the nearest token. */
export function tokensNearest(usd: number, priceUsd: number): number {
  return Math.round(usd / priceUsd);
}

/**
 * The proposed cap in whole tokens: the USD step at the price, rounded down, then kept within the steward's
 * relative bound and the profile's cut factor around the current token cap, and at least 1.
 */
export function proposedCapTokens(usd: number, priceUsd: number, currentTokens: number, maxPercentChange: number, capMaxChangeShare: number): number {
  const maxDiff = Math.floor((maxPercentChange * currentTokens) / BPS_PER_UNIT);
  const low = Math.max(1, currentTokens - maxDiff, Math.ceil(currentTokens / (1 + capMaxChangeShare)));
  const high = currentTokens + maxDiff;
  return Math.min(high, Math.max(low, Math.floor(usd / priceUsd)));
}

const CAP_TOKENS: Record<'supplyCapUsd' | 'borrowCapUsd', 'supplyCapTokens' | 'borrowCapTokens'> = { supplyCapUsd: 'supplyCapTokens', borrowCapUsd: 'borrowCapTokens' };

/** The rows (sorted by asset) and the changes the steward cannot take, with why. */
export function stewardRows(input: RowsInput): { rows: StewardRow[]; skipped: Skipped[] } {
  const rows = new Map<string, StewardRow>();
  const skipped: Skipped[] = [];
  for (const change of input.changes) {
    const parameter = change.parameter as StewardParameter;
    if (!STEWARD_PARAMETERS.includes(parameter)) continue;
    const token = input.steward.tokens[change.asset];
    const skip = (reason: string) => skipped.push({ asset: change.asset, parameter, reason });
    if (!token) {
      skip(`no ${change.asset} reserve is configured for the steward (profile steward.tokens)`);
      continue;
    }
    if (!STEWARD_STATUSES.has(change.status) || change.current === null || change.current === 0) {
      skip('a steward only adjusts a listed, non-zero value: this needs a governance vote');
      continue;
    }
    const price = input.pricesUsd[change.asset];
    const row = rows.get(change.asset) ?? emptyRow(change.asset, token, price ?? null);
    rows.set(change.asset, row);
    if (parameter === 'supplyCapUsd' || parameter === 'borrowCapUsd') {
      if (price === undefined || !(price > 0)) {
        skip('no price to convert the USD cap to tokens (no book)');
        continue;
      }
      const key = CAP_TOKENS[parameter];
      const current = tokensNearest(change.current, price);
      const bound = input.steward.riskConfig[parameter === 'supplyCapUsd' ? 'supplyCap' : 'borrowCap'].maxPercentChange;
      row.current[key] = current;
      row[key] = proposedCapTokens(change.recommended, price, current, bound, input.profile.capMaxChangeShare);
    } else {
      row.current[parameter] = change.current;
      row[parameter] = change.recommended;
    }
  }
  const kept = [...rows.values()].filter((r) => STEWARD_FIELDS.some((f) => r[f] !== null));
  return { rows: kept.sort((a, b) => a.asset.localeCompare(b.asset)), skipped };
}

export const STEWARD_FIELDS = ['ltvBps', 'liquidationThresholdBps', 'liquidationBonusBps', 'supplyCapTokens', 'borrowCapTokens'] as const;

function emptyRow(asset: string, token: StewardConfig['tokens'][string], priceUsd: number | null): StewardRow {
  return {
    asset,
    token: token.symbol,
    tokenAddress: token.address,
    priceUsd,
    ltvBps: null,
    liquidationThresholdBps: null,
    liquidationBonusBps: null,
    supplyCapTokens: null,
    borrowCapTokens: null,
    current: { ltvBps: null, liquidationThresholdBps: null, liquidationBonusBps: null, supplyCapTokens: null, borrowCapTokens: null },
  };
}
