import type { LendingProfile, Policy } from '../shared/config/schema.js';
import { median, quantileSorted, sortUpperTail, tailMeanSorted } from '../shared/numerics/statistics.js';
import { TAIL_HISTORY_RECORDS } from '../shared/config/tail-calibration.generated.js';
import { floorToSignificant } from '../shared/risk/engine/lending-target.js';
import { conditionalSigmas, fitGarchOrEwma, forecastVariance } from '../shared/risk/garch.js';
import { ltvCeilingBps } from '../shared/risk/lending.js';
import { badDebtByPath, badDebtTail, DEFAULT_MAX_LTV_SHARE_OF_LT, DEFAULT_MIN_LTV_SHARE_OF_LT } from '../shared/risk/montecarlo.js';
import { exactBlockBootstrapTail } from '../shared/risk/tail/fhs-exact.js';
import { emptyTailHistory } from '../shared/risk/tail/history.js';
import { throughTheCycleTail } from '../shared/risk/tail/ttc.js';
import { MS_PER_HOUR } from '../shared/util/time.js';
import { bpsToFraction, fractionToBps } from '../shared/util/units.js';
import { BenchAssetOnFileError } from './errors.js';

/**
 * The compute bench's floor (bench/compute.ts): the engine's maths on one asset as hand-tight
 * Float64Array loops, to price the engine's structure. Where the engine's own kernel is already that
 * loop (the GARCH fit, the exact block bootstrap, the bad debt per path), the floor calls it.
 */

/** One asset's bars and books, in typed arrays. */
export interface AssetData {
  openTimeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Per venue: mid, and bid prices / quantities (best first). */
  books: { venue: string; midUsd: number; prices: Float64Array; quantities: Float64Array }[];
}

/** What the floor returns per asset, in this order, for the equality check against the engine. */
export const FLOOR_OUTPUTS = [
  'liquidationThresholdBps',
  'ltvBps',
  'liquidationBonusBps',
  'supplyCapUsd',
  'borrowCapUsd',
  'smartLtv',
  'expectedBadDebtUsd',
  'valueAtRiskUsd',
  'expectedShortfallUsd',
  'probabilityOfBadDebt',
] as const;

/**
 * The floor: the engine's maths and algorithms, hand-tight. Same outputs as computeParameters on these
 * inputs (every target parameter incl. the caps, SmartLTV, the Monte Carlo bad debt, and the scores the
 * engine reports: realized / EWMA / Parkinson / Garman-Klass volatility, unconditional and filtered
 * tails with their expected shortfalls, depth bands, best-venue slippage), by the same algorithms: the
 * engine's GARCH fit, exact block bootstrap, through-the-cycle floor and bad debt per path, partial sorts (sortUpperTail) where the
 * engine uses them, a k-way book merge. Left out, as the engine's structure rather than its maths: input
 * validation, objects per bar and level, rationale text, guard rails (no current parameters here: every
 * step is a new listing), and support for gaps (the bench's series have none).
 * Writes FLOOR_OUTPUTS into `out`; returns a checksum of the scores so nothing is optimized away.
 */
export function floorRecompute(a: AssetData, asset: string, profile: LendingProfile, policy: Policy, out: Float64Array): number {
  const n = a.close.length;
  const barsPerDay = 24;
  const barsPerYear = barsPerDay * 365;
  const h = profile.horizonMinutes / 60;
  const returns = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) returns[i - 1] = Math.log(a.close[i]! / a.close[i - 1]!);
  const r = returns.length;
  let checksum = 0;
  // Realized 7/30/90/365 d (sample standard deviation), EWMA (30-bar seed).
  for (const days of [7, 30, 90, 365]) {
    const w = days * barsPerDay;
    if (r < w * 0.9) continue;
    const from = Math.max(0, r - w);
    let mean = 0;
    for (let i = from; i < r; i++) mean += returns[i]!;
    mean /= r - from;
    let ss = 0;
    for (let i = from; i < r; i++) ss += (returns[i]! - mean) ** 2;
    checksum += Math.sqrt((ss / (r - from - 1)) * barsPerYear);
  }
  const lambda = Math.pow(0.5, 1 / (policy.ewmaHalfLifeDays * barsPerDay));
  let ewma = 0;
  const seedBars = Math.min(30, r);
  for (let i = 0; i < seedBars; i++) ewma += returns[i]! ** 2;
  ewma /= seedBars;
  for (let i = 0; i < r; i++) ewma = lambda * ewma + (1 - lambda) * returns[i]! ** 2;
  // Parkinson and Garman-Klass over the last 30 days; the daily Parkinson sigma is SmartLTV's input.
  const rangeBars = Math.min(n, policy.rangeWindowDays * barsPerDay);
  let pk = 0;
  let gk = 0;
  for (let i = n - rangeBars; i < n; i++) {
    const hl = Math.log(a.high[i]! / a.low[i]!);
    const co = Math.log(a.close[i]! / a.open[i]!);
    pk += hl * hl;
    gk += 0.5 * hl * hl - (2 * Math.LN2 - 1) * co * co;
  }
  const parkinsonVariance = pk / (4 * Math.LN2 * rangeBars);
  const dailySigma = Math.sqrt(parkinsonVariance * barsPerDay);
  checksum += Math.sqrt(ewma * barsPerYear) + Math.sqrt(parkinsonVariance * barsPerYear) + Math.sqrt(Math.max(0, gk / rangeBars) * barsPerYear);

  // Unconditional h-bar drawdowns (window open to lowest low): partial sort from the lower quantile.
  const alpha = profile.confidence;
  const beta = profile.ltvConfidence;
  const lowest = Math.min(alpha, beta);
  const top = Math.max(alpha, beta);
  const windows = new Float64Array(n - h + 1);
  for (let s = 0; s + h <= n; s++) {
    let minLow = a.low[s]!;
    for (let k = 1; k < h; k++) if (a.low[s + k]! < minLow) minLow = a.low[s + k]!;
    windows[s] = Math.max(0, 1 - minLow / a.open[s]!);
  }
  sortUpperTail(windows, Math.floor((windows.length - 1) * lowest));
  const uncAlpha = quantileSorted(windows, alpha);
  const uncBeta = quantileSorted(windows, beta);
  checksum += tailMeanSorted(windows, top) + windows[windows.length - 1]!;

  // GARCH (the same fit), conditional sigmas, standardized shapes (no gaps here: bar t + 1 has return t).
  const fit = fitGarchOrEwma(returns, { ewmaHalfLifeBars: policy.ewmaHalfLifeDays * barsPerDay, minReturns: policy.garchMinReturns, includeResiduals: false });
  const sigmas = conditionalSigmas(returns, fit, policy.garch.ewmaSeedBars);
  const z = new Float64Array(r);
  const w = new Float64Array(r);
  for (let t = 0; t < r; t++) {
    const sigma = sigmas[t]!;
    const i = t + 1;
    z[t] = returns[t]! / sigma;
    w[t] = Math.max(0, Math.log(Math.min(a.open[i]!, a.close[i]!) / a.low[i]!) / sigma);
  }

  // FHS: the exact one-block bootstrap (tail/fhs-exact.ts): every block of h bars at the forecast sigmas.
  const fhs = exactBlockBootstrapTail({
    residuals: z,
    lowExcursions: w,
    horizonSigmas: forecastVariance(fit, h).map(Math.sqrt),
    confidences: [alpha, beta],
  });
  const paths = fhs.paths.length;
  const filAlpha = fhs.quantiles[String(alpha)]!;
  const filBeta = fhs.quantiles[String(beta)]!;
  checksum += fhs.expectedShortfall;
  // The through-the-cycle floor (tail/ttc.ts) on the record of every return (no record on file for these names).
  const floor = throughTheCycleFloor(returns, asset, profile, policy, uncAlpha, uncBeta);
  const adverse = Math.max(filAlpha, floor.adverse);
  const ordinary = Math.max(filBeta, floor.ordinary);

  // Books: median mid, k-way merge of the best-first ladders, merged and per-venue slippage, depth bands.
  const venues = a.books.length;
  const mid = median(a.books.map((b) => b.midUsd));
  let total = 0;
  for (const b of a.books) total += b.prices.length;
  const prices = new Float64Array(total);
  const quantities = new Float64Array(total);
  const cursor = new Int32Array(venues);
  for (let k = 0; k < total; k++) {
    let best = 0;
    let bestPrice = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < venues; s++) {
      const book = a.books[s]!;
      if (cursor[s]! < book.prices.length && book.prices[cursor[s]!]! > bestPrice) {
        bestPrice = book.prices[cursor[s]!]!;
        best = s;
      }
    }
    prices[k] = bestPrice;
    quantities[k] = a.books[best]!.quantities[cursor[best]!++]!;
  }
  const sell = (px: Float64Array, qty: Float64Array, m: number, sizeUsd: number): number => {
    let remaining = sizeUsd / m;
    let proceeds = 0;
    let sold = 0;
    for (let i = 0; i < px.length && remaining > 0; i++) {
      const take = Math.min(qty[i]!, remaining);
      proceeds += take * px[i]!;
      sold += take;
      remaining -= take;
    }
    return remaining <= (sizeUsd / m) * 1e-12 && sold > 0 ? Math.max(0, 1 - proceeds / sold / m) : Number.POSITIVE_INFINITY;
  };
  const sellable = (maxSlippage: number): number => {
    const target = mid * (1 - maxSlippage);
    let proceeds = 0;
    let sold = 0;
    for (let i = 0; i < total; i++) {
      const price = prices[i]!;
      const q = quantities[i]!;
      if (price >= target) {
        proceeds += price * q;
        sold += q;
        continue;
      }
      const part = (proceeds - target * sold) / (target - price);
      sold += Math.min(part, q);
      if (part < q) break;
      proceeds += price * q;
    }
    return sold * mid;
  };
  const size = profile.liquidationSizeUsd;
  const merged = sell(prices, quantities, mid, size);
  let bestVenue = Number.POSITIVE_INFINITY;
  for (const b of a.books) bestVenue = Math.min(bestVenue, sell(b.prices, b.quantities, b.midUsd, size));
  for (const band of policy.depthBands) {
    const floorPrice = mid * (1 - band);
    let usd = 0;
    for (let i = 0; i < total && prices[i]! >= floorPrice; i++) usd += prices[i]! * quantities[i]!;
    checksum += usd * 1e-12;
  }
  const slippage = Number.isFinite(bestVenue) ? bestVenue : Number.isFinite(merged) ? merged : 1;

  // Lending targets, caps, SmartLTV.
  const bonus = Math.min(bpsToFraction(profile.maxLiquidationBonusBps), Math.max(bpsToFraction(profile.minLiquidationBonusBps), slippage + bpsToFraction(profile.liquidatorCostBps)));
  const lt = Math.max(0, ((1 - adverse) * (1 - slippage)) / (1 + bonus));
  const ltv = Math.max(0, lt * (1 - ordinary));
  const roundDown = (f: number) => Math.max(0, Math.floor(Math.floor(fractionToBps(f) + 1e-9) / profile.roundingStepBps) * profile.roundingStepBps);
  const supplyCap = floorToSignificant(sellable(bonus / 2) / profile.capLiquidationShare);
  const ltBps = roundDown(lt);
  // The engine's rule (its own pure function): LTV also stays under the buffer below the *rounded* LT.
  const ltvBps = Math.min(roundDown(ltv), ltvCeilingBps(ltBps, ordinary, profile.roundingStepBps));
  const liquidityAtBonus = sellable(bonus);
  const ratio = supplyCap === 0 ? 0 : liquidityAtBonus === 0 ? Number.POSITIVE_INFINITY : supplyCap / liquidityAtBonus;
  const exponent = profile.smartLtvConfidence * dailySigma === 0 ? 0 : profile.smartLtvConfidence * dailySigma * Math.sqrt(ratio);
  const smart = Math.max(0, Math.exp(-exponent) - bonus);

  // Monte Carlo bad debt over the FHS paths: thresholds sorted once, prefix sums, one binary search per path.
  const m = profile.monteCarloPositions;
  const ltFraction = bpsToFraction(ltBps);
  const collateral = (supplyCap > 0 ? supplyCap : size) / m;
  const kFactor = (1 - slippage) / (1 + bonus);
  // Evenly spaced LTVs: the liquidation drop falls as the debt grows, so the positions in reverse are in
  // ascending threshold order (the engine sorts them; here the order is known).
  const thresholds = new Float64Array(m);
  const constantPrefix = new Float64Array(m + 1);
  const slopePrefix = new Float64Array(m + 1);
  for (let j = 0; j < m; j++) {
    const i = m - 1 - j;
    const share = m === 1 ? DEFAULT_MAX_LTV_SHARE_OF_LT : DEFAULT_MIN_LTV_SHARE_OF_LT + ((DEFAULT_MAX_LTV_SHARE_OF_LT - DEFAULT_MIN_LTV_SHARE_OF_LT) * i) / (m - 1);
    const debt = collateral * share * ltFraction;
    thresholds[j] = debt > 0 ? Math.max(1 - debt / (ltFraction * collateral), 1 - debt / (kFactor * collateral)) : Number.POSITIVE_INFINITY;
    constantPrefix[j + 1] = constantPrefix[j]! + (debt - kFactor * collateral);
    slopePrefix[j + 1] = slopePrefix[j]! + kFactor * collateral;
  }
  const byPath = badDebtByPath(fhs.paths, { sortedThresholds: thresholds, constantPrefix, slopePrefix });
  const tail = badDebtTail(byPath.badDebt, alpha);

  out[0] = ltBps;
  out[1] = ltvBps;
  out[2] = Math.ceil(fractionToBps(bonus) - 1e-9);
  out[3] = supplyCap;
  out[4] = floorToSignificant(supplyCap * profile.borrowCapShare);
  out[5] = smart;
  out[6] = byPath.sum / paths;
  out[7] = tail.varUsd;
  out[8] = tail.expectedShortfallUsd;
  out[9] = byPath.withBadDebt / paths;
  return checksum;
}

/**
 * The floor under the filtered tail: the through-the-cycle tail when the profile is calibrated (the history
 * record built from the returns in one pass, the same sums in the same order as tail/history.ts), else the
 * share of the unconditional tail.
 */
function throughTheCycleFloor(returns: Float64Array, asset: string, profile: LendingProfile, policy: Policy, uncAlpha: number, uncBeta: number): { adverse: number; ordinary: number } {
  const cal = profile.throughTheCycleTail;
  if (cal) {
    const history = emptyTailHistory(MS_PER_HOUR, cal.blockBars);
    if (TAIL_HISTORY_RECORDS[asset]) throw new BenchAssetOnFileError(asset);
    const blockSums: number[] = [];
    let block = 0;
    let inBlock = 0;
    let sumSquares = 0;
    for (let i = 0; i < returns.length; i++) {
      const square = returns[i]! * returns[i]!;
      sumSquares += square;
      block += square;
      if (++inBlock === cal.blockBars) {
        blockSums.push(block);
        block = 0;
        inBlock = 0;
      }
    }
    const ttc = throughTheCycleTail({ ...history, firstOpenMs: 0, lastOpenMs: returns.length * MS_PER_HOUR, returns: returns.length, sumSquares, blockSums, openBlockSum: block, openBlockReturns: inBlock }, cal);
    if (ttc) return { adverse: ttc.adverseMove, ordinary: ttc.ordinaryMove };
  }
  const share = profile.unconditionalFloorShare ?? policy.unconditionalFloorShare;
  return { adverse: share * uncAlpha, ordinary: share * uncBeta };
}
