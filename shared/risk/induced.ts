import { bpsToFraction } from '../util/units.js';

/**
 * issue 16, part 4: the positions an LT cut would make liquidatable, and the debt at risk. A position
 * holds collateral in several assets and one debt (USD); Aave liquidates it when its health factor
 * sum(LT_i x collateral_i) / debt falls below 1. Cutting one asset's LT lowers that sum; the positions
 * that were at or above 1 and fall below it are the induced liquidations. An LTV cut liquidates nobody on
 * Aave (it stops new borrowing), so only LT cuts count. A cut whose induced debt is above the limit is
 * split into smaller cuts each within it, or flagged when a single bps of cut already crosses it.
 * Pure: positions and LTs are data.
 */

export interface HeldPosition {
  account: string;
  /** Collateral per asset symbol, USD. */
  collateralUsd: Readonly<Record<string, number>>;
  debtUsd: number;
}

export interface InducedCut {
  asset: string;
  fromBps: number;
  toBps: number;
  accounts: { account: string; debtUsd: number; healthBefore: number; healthAfter: number }[];
  debtAtRiskUsd: number;
}

export interface InducedResult extends InducedCut {
  /** Within the limit: one step. Above: the smaller steps, each within it (null when it cannot be split). */
  steps: InducedCut[] | null;
  verdict: 'within-limit' | 'split' | 'flagged';
}

function health(p: HeldPosition, lts: Readonly<Record<string, number>>): number {
  if (p.debtUsd <= 0) return Infinity;
  let weighted = 0;
  for (const [asset, usd] of Object.entries(p.collateralUsd)) weighted += bpsToFraction(lts[asset] ?? 0) * usd;
  return weighted / p.debtUsd;
}

/** The positions one LT cut of `asset` from `fromBps` to `toBps` makes liquidatable (health >= 1 before, < 1 after). */
export function inducedBy(positions: readonly HeldPosition[], lts: Readonly<Record<string, number>>, asset: string, fromBps: number, toBps: number): InducedCut {
  const before = { ...lts, [asset]: fromBps };
  const after = { ...lts, [asset]: toBps };
  const accounts = positions
    .filter((p) => (p.collateralUsd[asset] ?? 0) > 0)
    .map((p) => ({ account: p.account, debtUsd: p.debtUsd, healthBefore: health(p, before), healthAfter: health(p, after) }))
    .filter((a) => a.healthBefore >= 1 && a.healthAfter < 1)
    .sort((a, b) => b.debtUsd - a.debtUsd || a.account.localeCompare(b.account));
  return { asset, fromBps, toBps, accounts, debtAtRiskUsd: accounts.reduce((s, a) => s + a.debtUsd, 0) };
}

/**
 * The cut's induced liquidations against `maxUsd`; above it, the cut split greedily from the current value
 * into the deepest sub-cuts (1 bps resolution) each inducing at most `maxUsd`. A sub-cut that cannot stay
 * within the limit even at 1 bps (one large position) makes the cut `flagged`, steps null.
 */
export function inducedLiquidations(positions: readonly HeldPosition[], lts: Readonly<Record<string, number>>, asset: string, fromBps: number, toBps: number, maxUsd: number): InducedResult {
  const whole = inducedBy(positions, lts, asset, fromBps, toBps);
  if (whole.debtAtRiskUsd <= maxUsd) return { ...whole, steps: [whole], verdict: 'within-limit' };
  const steps: InducedCut[] = [];
  let at = fromBps;
  while (at > toBps) {
    let next = at - 1;
    if (inducedBy(positions, lts, asset, at, next).debtAtRiskUsd > maxUsd) return { ...whole, steps: null, verdict: 'flagged' };
    // Deepest next value still within the limit (induced debt grows as the cut deepens).
    let lo = toBps;
    let hi = next;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (inducedBy(positions, lts, asset, at, mid).debtAtRiskUsd <= maxUsd) hi = mid;
      else lo = mid + 1;
    }
    next = lo;
    steps.push(inducedBy(positions, lts, asset, at, next));
    at = next;
  }
  return { ...whole, steps, verdict: 'split' };
}
