import { DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT, DEFAULT_MONTE_CARLO_POSITIONS } from '../config/defaults.js';
import { AdvisorError } from '../util/errors.js';
import { quantileSorted, sortUpperTail, upperTailMeanSorted } from '../numerics/statistics.js';

/**
 * Monte Carlo check of a lending market's parameters (docs/methodology.md#monte-carlo): given simulated
 * worst drops of the collateral price over the liquidation horizon (e.g. fhsDrawdownTail's paths) and a
 * book of positions, the distribution of bad debt.
 *
 * Model of one path with worst drop d (fraction) and one position (collateral value V in USD at the
 * window open, debt D in USD, stable-valued):
 * - everything happens at the worst price of the path: the collateral is worth V(1 - d) (conservative:
 *   the keeper fills at the bottom, one liquidation per position);
 * - the position is liquidated when D >= LT * V(1 - d), i.e. health factor LT * V(1 - d) / D <= 1 (Aave
 *   needs < 1; the boundary has no weight);
 * - a liquidator repays debt and takes collateral at the bonus B, and sells it with slippage s, so each
 *   USD of collateral value clears k = (1 - s) / (1 + B) USD of debt. The liquidator is assumed to insist
 *   on the bonus *net of slippage*, the same solvency condition as the LT formula
 *   LT = (1 - D_alpha)(1 - s) / (1 + B): a position opened at LT is exactly covered at a drop of D_alpha;
 * - bad debt = max(0, D - k * V(1 - d)) if liquidated, else 0 (an unliquidated position still has
 *   D < LT * V(1 - d) and, for any LT <= k, is fully covered).
 * No close factor: the whole position is liquidated. With every liquidation at the same price, Aave's
 * 50 % close factor would only split one liquidation into several with the same total; it matters when
 * the price moves between rounds, which this one-price model does not represent. Liquidations do not move
 * the price (no feedback from the book's own sales).
 */

/** One borrower: collateral value at the window open and stable-valued debt, in USD. */
export interface Position {
  collateralUsd: number;
  debtUsd: number;
}

/** A set of positions on one collateral asset (synthetic, or a real positions snapshot). */
export type SyntheticBook = readonly Position[];

/**
 * Default LTV range of a synthetic book, as shares of LT, and its size: the lending profile's
 * monteCarloMinLtvShareOfLt / monteCarloMaxLtvShareOfLt / monteCarloPositions defaults (shared/config/defaults.ts).
 */
export const DEFAULT_MIN_LTV_SHARE_OF_LT = DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT.min;
export const DEFAULT_MAX_LTV_SHARE_OF_LT = DEFAULT_MONTE_CARLO_LTV_SHARE_OF_LT.max;
export const DEFAULT_SYNTHETIC_POSITIONS = DEFAULT_MONTE_CARLO_POSITIONS;

/** An input of the bad-debt simulation is out of its domain (named field, offending value). */
export class BadDebtInputError extends AdvisorError {
  constructor(field: string, reason: string, value: unknown) {
    super('BAD_DEBT_INPUT_INVALID', `${field}: ${reason}`, { field, reason, value });
  }
}

export interface SyntheticBookInput {
  totalCollateralUsd: number;
  /** Number of positions (default DEFAULT_SYNTHETIC_POSITIONS). */
  positions?: number;
  liquidationThreshold: number;
  /** Lowest LTV as a share of LT (default DEFAULT_MIN_LTV_SHARE_OF_LT). */
  minLtvShareOfLt?: number;
  /** Highest LTV as a share of LT (default DEFAULT_MAX_LTV_SHARE_OF_LT); must be < 1 for a healthy book. */
  maxLtvShareOfLt?: number;
}

/**
 * A book of `positions` equal-collateral positions whose LTVs are evenly spaced from minLtvShareOfLt * LT
 * to maxLtvShareOfLt * LT, both ends included (one position sits at the top, the riskier end). Evenly
 * spaced rather than drawn: the uniform spread without sampling noise, reproducible without a seed. Equal
 * collateral: each LTV band carries the same USD, so bad debt reads as a share of the book.
 */
export function syntheticBook(input: SyntheticBookInput): Position[] {
  const count = input.positions ?? DEFAULT_SYNTHETIC_POSITIONS;
  const lo = input.minLtvShareOfLt ?? DEFAULT_MIN_LTV_SHARE_OF_LT;
  const hi = input.maxLtvShareOfLt ?? DEFAULT_MAX_LTV_SHARE_OF_LT;
  const lt = input.liquidationThreshold;
  if (!(input.totalCollateralUsd > 0 && input.totalCollateralUsd < Infinity)) {
    throw new BadDebtInputError('totalCollateralUsd', 'must be a positive finite number', input.totalCollateralUsd);
  }
  if (!Number.isInteger(count) || count < 1) throw new BadDebtInputError('positions', 'must be a positive integer', count);
  if (!(lt > 0 && lt <= 1)) throw new BadDebtInputError('liquidationThreshold', 'must be in (0, 1]', lt);
  if (!(lo >= 0 && lo <= hi)) throw new BadDebtInputError('minLtvShareOfLt', 'must be in [0, maxLtvShareOfLt]', lo);
  if (!(hi < Infinity)) throw new BadDebtInputError('maxLtvShareOfLt', 'must be finite', hi);

  const collateralUsd = input.totalCollateralUsd / count;
  const book: Position[] = [];
  for (let i = 0; i < count; i++) {
    const share = count === 1 ? hi : lo + ((hi - lo) * i) / (count - 1);
    book.push({ collateralUsd, debtUsd: collateralUsd * share * lt });
  }
  return book;
}

export interface BadDebtInput {
  /** Per path, the worst drop of the collateral price over the horizon (fraction in [0, 1]). */
  pathsWorstDrawdown: Float64Array;
  positions: SyntheticBook;
  liquidationThreshold: number;
  /** Liquidation bonus B (fraction, 0.05 = 5 %). */
  liquidationBonus: number;
  /** Slippage s when the seized collateral is sold (fraction). */
  slippage: number;
  /** Confidence alpha of VaR and ES (e.g. 0.999). */
  confidence: number;
}

export interface BadDebtDistribution {
  /** Mean bad debt over the paths. */
  expectedBadDebtUsd: number;
  /** alpha-quantile of bad debt (type 7, as quantileSorted). */
  varUsd: number;
  /**
   * Mean bad debt of the worst (1 - alpha) share of paths (Acerbi-Tasche; the boundary path gets a
   * fractional weight when (1 - alpha) * N is not whole). Unlike "mean of the values >= VaR", it stays a
   * tail measure when most paths have no bad debt and VaR is 0. Always >= varUsd.
   */
  expectedShortfallUsd: number;
  /** Share of paths with bad debt > 0. */
  probabilityOfBadDebt: number;
  /** Bad debt per path, in the order of pathsWorstDrawdown. */
  paths: Float64Array;
  totalDebtUsd: number;
  totalCollateralUsd: number;
}

/** Bad debt of one position after a drop d, by the rules in the module comment (the reference). */
export function positionBadDebtUsd(
  position: Position,
  drop: number,
  liquidationThreshold: number,
  liquidationBonus: number,
  slippage: number,
): number {
  const valueUsd = position.collateralUsd * (1 - drop);
  if (position.debtUsd < liquidationThreshold * valueUsd) return 0;
  return Math.max(0, position.debtUsd - ((1 - slippage) / (1 + liquidationBonus)) * valueUsd);
}

/**
 * Bad debt per path for the whole book, and its mean, VaR and ES.
 *
 * Fast path: position i contributes only once d >= t_i = max(dLiq_i, dBad_i), where
 * dLiq_i = 1 - D_i / (LT V_i) (liquidation) and dBad_i = 1 - D_i / (k V_i) (collateral no longer covers
 * the debt), and then contributes (D_i - k V_i) + k V_i d, linear in d. With positions sorted by t_i and
 * prefix sums of both coefficients, a path costs one binary search: O((N + m) log m) for N paths and m
 * positions, instead of O(N m).
 */
export function simulateBadDebt(input: BadDebtInput): BadDebtDistribution {
  const { pathsWorstDrawdown: drops, positions, liquidationThreshold: lt, liquidationBonus: bonus, slippage, confidence } = input;
  if (drops.length === 0) throw new BadDebtInputError('pathsWorstDrawdown', 'no paths', 0);
  if (!(lt > 0 && lt <= 1)) throw new BadDebtInputError('liquidationThreshold', 'must be in (0, 1]', lt);
  if (!(bonus >= 0 && bonus < Infinity)) throw new BadDebtInputError('liquidationBonus', 'must be a finite number >= 0', bonus);
  if (!(slippage >= 0 && slippage < 1)) throw new BadDebtInputError('slippage', 'must be in [0, 1)', slippage);
  if (!(confidence > 0 && confidence < 1)) throw new BadDebtInputError('confidence', 'must be in (0, 1)', confidence);

  const curve = badDebtCurve(positions, lt, (1 - slippage) / (1 + bonus));
  const { badDebt, sum, withBadDebt } = badDebtByPath(drops, curve);
  const pathCount = drops.length;
  return {
    expectedBadDebtUsd: sum / pathCount,
    ...badDebtTail(badDebt, confidence),
    probabilityOfBadDebt: withBadDebt / pathCount,
    paths: badDebt,
    totalDebtUsd: curve.totalDebtUsd,
    totalCollateralUsd: curve.totalCollateralUsd,
  };
}

/** The book's bad debt as a function of the drop d: piecewise linear, one breakpoint per position. */
export interface BadDebtCurve {
  /** The drops t_i from which each position contributes, ascending. */
  sortedThresholds: Float64Array;
  /** Sums of D_i - k V_i and of k V_i over the first j positions in that order (length m + 1, from 0). */
  constantPrefix: Float64Array;
  slopePrefix: Float64Array;
}

/** The {@link BadDebtCurve} of `positions`, for k = `recoveryPerCollateralUsd` USD of debt cleared per USD of collateral. */
function badDebtCurve(
  positions: SyntheticBook,
  lt: number,
  recoveryPerCollateralUsd: number,
): BadDebtCurve & { totalDebtUsd: number; totalCollateralUsd: number } {
  const m = positions.length;
  const thresholds = new Float64Array(m);
  const constantTerm = new Float64Array(m); // D - kV
  const slopeTerm = new Float64Array(m); // kV
  let totalDebtUsd = 0;
  let totalCollateralUsd = 0;
  for (let i = 0; i < m; i++) {
    const { collateralUsd, debtUsd } = positions[i]!;
    if (!(collateralUsd > 0 && collateralUsd < Infinity)) {
      throw new BadDebtInputError(`positions[${i}].collateralUsd`, 'must be a positive finite number', collateralUsd);
    }
    if (!(debtUsd >= 0 && debtUsd < Infinity)) {
      throw new BadDebtInputError(`positions[${i}].debtUsd`, 'must be a finite number >= 0', debtUsd);
    }
    totalDebtUsd += debtUsd;
    totalCollateralUsd += collateralUsd;
    const liquidationDrop = 1 - debtUsd / (lt * collateralUsd);
    const shortfallDrop = 1 - debtUsd / (recoveryPerCollateralUsd * collateralUsd);
    // Debt-free positions never contribute: put them beyond any drop.
    thresholds[i] = debtUsd > 0 ? Math.max(liquidationDrop, shortfallDrop) : Infinity;
    constantTerm[i] = debtUsd - recoveryPerCollateralUsd * collateralUsd;
    slopeTerm[i] = recoveryPerCollateralUsd * collateralUsd;
  }

  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => thresholds[a]! - thresholds[b]! || a - b);
  const sortedThresholds = new Float64Array(m);
  const constantPrefix = new Float64Array(m + 1); // sum over the first j positions by threshold
  const slopePrefix = new Float64Array(m + 1);
  for (let j = 0; j < m; j++) {
    const i = order[j]!;
    sortedThresholds[j] = thresholds[i]!;
    constantPrefix[j + 1] = constantPrefix[j]! + constantTerm[i]!;
    slopePrefix[j + 1] = slopePrefix[j]! + slopeTerm[i]!;
  }
  return { sortedThresholds, constantPrefix, slopePrefix, totalDebtUsd, totalCollateralUsd };
}

/** Bad debt of the book on each path (one binary search per path), their sum and how many are > 0. */
export function badDebtByPath(drops: Float64Array, curve: BadDebtCurve): { badDebt: Float64Array; sum: number; withBadDebt: number } {
  const { sortedThresholds, constantPrefix, slopePrefix } = curve;
  const m = sortedThresholds.length;
  const pathCount = drops.length;
  const badDebt = new Float64Array(pathCount);
  let sum = 0;
  let withBadDebt = 0;
  for (let p = 0; p < pathCount; p++) {
    const d = drops[p]!;
    if (!(d >= 0 && d <= 1)) throw new BadDebtInputError(`pathsWorstDrawdown[${p}]`, 'must be in [0, 1]', d);
    // Number of positions with threshold <= d (upper bound).
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortedThresholds[mid]! <= d) lo = mid + 1;
      else hi = mid;
    }
    // Each included term is >= 0; the max only removes rounding below zero.
    const value = lo === 0 ? 0 : Math.max(0, constantPrefix[lo]! + slopePrefix[lo]! * d);
    badDebt[p] = value;
    sum += value;
    if (value > 0) withBadDebt++;
  }
  return { badDebt, sum, withBadDebt };
}

/** VaR (type-7 alpha-quantile) and Acerbi-Tasche ES of the bad debt per path; `badDebt` is left as it is. */
export function badDebtTail(badDebt: Float64Array, confidence: number): { varUsd: number; expectedShortfallUsd: number } {
  // Sort only what VaR and ES read: the order statistics from the VaR index and the worst ceil(tail) paths.
  const pathCount = badDebt.length;
  const tailPaths = (1 - confidence) * pathCount;
  const work = badDebt.slice();
  const firstNeeded = Math.max(0, Math.min(Math.floor((pathCount - 1) * confidence), pathCount - Math.ceil(tailPaths)));
  sortUpperTail(work, firstNeeded);
  return { varUsd: quantileSorted(work, confidence), expectedShortfallUsd: upperTailMeanSorted(work, tailPaths) };
}
