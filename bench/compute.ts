import { buildConfig } from '../shared/config/load.js';
import type { LendingProfile } from '../shared/config/schema.js';
import { SeededRandom } from '../shared/market/rng.js';
import type { BookSummary, DataQuality } from '../shared/model/snapshot.js';
import { fitGarchOrEwma } from '../shared/risk/garch.js';
import { computeParameters } from '../shared/risk/recommend.js';
import type { CandleLike } from '../shared/risk/series.js';
import { line } from './print.js';

/**
 * The risk engine on a large universe: 500 assets x 1 year of hourly bars, 3 venues x 1,000-level books,
 * 10,000 filtered paths and a 200-position Monte Carlo each. Runs the engine (computeParameters, every
 * figure a recommendation stores) and, in the same process, the same maths written as one plain
 * hand-tight Float64Array loop per asset, and prints the ratio: the price of the engine's structure.
 */

const ASSETS = Number(process.env.BENCH_ASSETS ?? 500);
const BARS = 365 * 24;
const LEVELS = 1000;
const VENUES = ['binance', 'coinbase', 'kraken'];
const H = 3_600_000;

interface AssetData {
  openTimeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Per venue: mid, and bid prices / quantities (best first). */
  books: { venue: string; midUsd: number; prices: Float64Array; quantities: Float64Array }[];
}

/** GARCH(1,1)-t hourly bars with wicks: the shape of crypto, not any asset in particular. */
function makeAsset(seed: number): AssetData {
  const rng = new SeededRandom(seed);
  const open = new Float64Array(BARS);
  const high = new Float64Array(BARS);
  const low = new Float64Array(BARS);
  const close = new Float64Array(BARS);
  const openTimeMs = new Float64Array(BARS);
  const longRun = (0.4 + rng.next() * 0.8) ** 2 / 8760;
  let variance = longRun;
  let price = 10 + rng.next() * 1000;
  for (let i = 0; i < BARS; i++) {
    const sigma = Math.sqrt(variance);
    const r = sigma * rng.standardizedStudentT(5);
    open[i] = price;
    price *= Math.exp(r);
    close[i] = price;
    high[i] = Math.max(open[i]!, price) * Math.exp(Math.abs(rng.normal()) * sigma * 0.6);
    low[i] = Math.min(open[i]!, price) * Math.exp(-Math.abs(rng.normal()) * sigma * 0.6);
    openTimeMs[i] = i * H;
    variance = longRun * 0.03 + 0.08 * r * r + 0.89 * variance;
  }
  const depth2PctUsd = 10 ** (5 + rng.next() * 3);
  const books = VENUES.map((venue) => {
    const mid = price * (1 + 2e-4 * rng.normal());
    const prices = new Float64Array(LEVELS);
    const quantities = new Float64Array(LEVELS);
    for (let i = 0; i < LEVELS; i++) {
      prices[i] = mid * (1 - ((i + 1) / LEVELS) * 0.1);
      quantities[i] = ((depth2PctUsd / 200) * (0.5 + rng.next())) / prices[i]!;
    }
    return { venue, midUsd: mid, prices, quantities };
  });
  return { openTimeMs, open, high, low, close, books };
}

/**
 * The same maths, hand-tight: one pass per quantity over Float64Arrays, no objects per bar, no
 * validation, no rationale, no guard rails. GARCH is the same fit (already a tight loop) so the ratio
 * measures the rest. Returns LT and a checksum so nothing is optimized away.
 */
function tightRecompute(a: AssetData, profile: LendingProfile, paths: number, seed: number): number {
  const n = a.close.length;
  const returns = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) returns[i - 1] = Math.log(a.close[i]! / a.close[i - 1]!);
  // Realized 7/30/90/365 d and EWMA.
  let checksum = 0;
  for (const days of [7, 30, 90, 365]) {
    const w = Math.min(returns.length, days * 24);
    let mean = 0;
    for (let i = returns.length - w; i < returns.length; i++) mean += returns[i]!;
    mean /= w;
    let ss = 0;
    for (let i = returns.length - w; i < returns.length; i++) ss += (returns[i]! - mean) ** 2;
    checksum += Math.sqrt((ss / (w - 1)) * 8760);
  }
  const lambda = Math.pow(0.5, 1 / (11.2 * 24));
  let ewma = 0;
  for (let i = 0; i < 30; i++) ewma += returns[i]! ** 2;
  ewma /= 30;
  for (let i = 0; i < returns.length; i++) ewma = lambda * ewma + (1 - lambda) * returns[i]! ** 2;
  // Parkinson and Garman-Klass over 30 days.
  let pk = 0;
  let gk = 0;
  for (let i = n - 720; i < n; i++) {
    const hl = Math.log(a.high[i]! / a.low[i]!);
    const co = Math.log(a.close[i]! / a.open[i]!);
    pk += hl * hl;
    gk += 0.5 * hl * hl - (2 * Math.LN2 - 1) * co * co;
  }
  checksum += pk + gk + ewma;
  // GARCH (same fit) and conditional sigmas, standardized shapes.
  const fit = fitGarchOrEwma(returns, { ewmaHalfLifeBars: 11.2 * 24, minReturns: 500, includeResiduals: false });
  const z = new Float64Array(returns.length);
  const w = new Float64Array(returns.length);
  let v = fit.model === 'garch' ? fit.longRunVariance : ewma;
  for (let t = 0; t < returns.length; t++) {
    const s = Math.sqrt(v);
    const i = t + 1;
    z[t] = returns[t]! / s;
    w[t] = Math.max(0, Math.log(Math.min(a.open[i]!, a.close[i]!) / a.low[i]!) / s);
    v = fit.omega + fit.alpha * returns[t]! ** 2 + fit.beta * v;
  }
  // FHS: blocks of 4 consecutive bars at the forecast sigmas.
  const h = profile.horizonMinutes / 60;
  const sig = new Float64Array(h);
  let fv = fit.lastVariance;
  for (let k = 0; k < h; k++) {
    sig[k] = Math.sqrt(fv);
    fv = fit.longRunVariance + fit.persistence * (fv - fit.longRunVariance);
  }
  const rng = new SeededRandom(seed);
  const dd = new Float64Array(paths);
  for (let p = 0; p < paths; p++) {
    const start = Math.floor(rng.next() * (z.length - h));
    let x = 0;
    let worst = 0;
    for (let k = 0; k < h; k++) {
      const move = z[start + k]! * sig[k]!;
      const lowLevel = x + Math.min(0, move) - w[start + k]! * sig[k]!;
      if (lowLevel < worst) worst = lowLevel;
      x += move;
    }
    dd[p] = 1 - Math.exp(worst);
  }
  dd.sort();
  const fhsAlpha = dd[Math.floor((paths - 1) * profile.confidence)]!;
  const fhsBeta = dd[Math.floor((paths - 1) * profile.ltvConfidence)]!;
  // Unconditional h-bar drawdowns, window open to lowest low.
  const windows = new Float64Array(n - h + 1);
  for (let s = 0; s + h <= n; s++) {
    let minLow = a.low[s]!;
    for (let k = 1; k < h; k++) if (a.low[s + k]! < minLow) minLow = a.low[s + k]!;
    windows[s] = 1 - minLow / a.open[s]!;
  }
  windows.sort();
  const unconditional = windows[Math.floor((windows.length - 1) * profile.confidence)]!;
  const unconditionalBeta = windows[Math.floor((windows.length - 1) * profile.ltvConfidence)]!;
  // Merged book: slippage of the liquidation size and sellable within half the bonus.
  const total = a.books.reduce((t, b) => t + b.prices.length, 0);
  const prices = new Float64Array(total);
  const quantities = new Float64Array(total);
  const order = new Uint32Array(total);
  let k = 0;
  for (const b of a.books) {
    prices.set(b.prices, k);
    quantities.set(b.quantities, k);
    k += b.prices.length;
  }
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((x, y) => prices[y]! - prices[x]!);
  const mid = a.books[1]!.midUsd;
  let remaining = profile.liquidationSizeUsd / mid;
  let proceeds = 0;
  for (let i = 0; i < total && remaining > 0; i++) {
    const take = Math.min(quantities[order[i]!]!, remaining);
    proceeds += take * prices[order[i]!]!;
    remaining -= take;
  }
  const slippage = Math.max(0, 1 - proceeds / (profile.liquidationSizeUsd / mid - remaining) / mid);
  const bonus = Math.min(profile.maxLiquidationBonusBps / 1e4, Math.max(profile.minLiquidationBonusBps / 1e4, slippage + profile.liquidatorCostBps / 1e4));
  const adverse = Math.max(fhsAlpha, unconditional);
  const lt = ((1 - adverse) * (1 - slippage)) / (1 + bonus);
  const ltv = lt * (1 - Math.max(fhsBeta, unconditionalBeta));
  // Monte Carlo bad debt: 200 positions up to LT over the simulated paths.
  const kFactor = (1 - slippage) / (1 + bonus);
  let badDebt = 0;
  for (let p = 0; p < paths; p++) {
    const value = 1 - dd[p]!;
    // Positions are in ascending debt: the liquidated ones are a suffix, so walk down and stop.
    for (let i = 199; i >= 0; i--) {
      const debt = (0.5 + (0.49 * i) / 199) * lt;
      if (debt < lt * value) break;
      badDebt += Math.max(0, debt - kFactor * value);
    }
  }
  return lt + ltv + checksum * 1e-12 + badDebt * 1e-12;
}

/**
 * The engine's input objects, built outside the timed region: the universe itself is kept in typed
 * arrays so that 4.4 million candle objects and 1.5 million book levels do not sit in the heap and tax
 * every garbage collection (one asset is what a production invocation holds).
 */
function booksOf(a: AssetData): BookSummary[] {
  return a.books.map((b) => ({
    venue: b.venue,
    pair: 'X',
    fetchedAtMs: 0,
    midUsd: b.midUsd,
    spreadBps: 2,
    bids: Array.from(b.prices, (price, i) => [price, b.quantities[i]!] as [number, number]),
  }));
}

function candlesOf(a: AssetData): CandleLike[] {
  const out: CandleLike[] = new Array(a.close.length);
  for (let i = 0; i < a.close.length; i++) {
    out[i] = { openTimeMs: a.openTimeMs[i]!, open: a.open[i]!, high: a.high[i]!, low: a.low[i]!, close: a.close[i]! };
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  return s[s.length >> 1]!;
}

export async function benchCompute(): Promise<void> {
  console.log(`\nRisk engine: ${ASSETS} assets x ${BARS} hourly bars, ${VENUES.length} venues x ${LEVELS}-level books (lending profile)`);
  const config = buildConfig();
  const profile = { ...(config.profiles.find((p) => p.kind === 'lending') as LendingProfile), current: {} };
  const paths = config.policy.simulationPaths;
  const prepStart = performance.now();
  const universe = Array.from({ length: ASSETS }, (_, i) => makeAsset(1000 + i));
  console.log(`  ${'universe generated (not timed below)'.padEnd(58)} ${((performance.now() - prepStart) / 1000).toFixed(1)} s`);
  const quality: DataQuality = { passed: true, issues: [], venuesWithData: 3, missingBarShare: 0, lastBarAgeMs: 0 };

  // Time spent inside computeParameters only, summed over the universe.
  const engineOnce = () => {
    let ms = 0;
    let sink = 0;
    for (const [i, a] of universe.entries()) {
      const candles = candlesOf(a);
      const books = booksOf(a);
      const start = performance.now();
      const r = computeParameters({ asset: `A${i}`, nowMs: 0, profile, policy: config.policy, candles, books, quality });
      ms += performance.now() - start;
      sink += r.figures.liquidationThreshold ?? 0;
    }
    return { ms, sink };
  };
  const tightOnce = () => {
    let ms = 0;
    let sink = 0;
    for (const [i, a] of universe.entries()) {
      const start = performance.now();
      sink += tightRecompute(a, profile, paths, i);
      ms += performance.now() - start;
    }
    return { ms, sink };
  };
  // One warm-up pass each (JIT), then the median of three.
  engineOnce();
  tightOnce();
  const engine = median([engineOnce().ms, engineOnce().ms, engineOnce().ms]);
  const tight = median([tightOnce().ms, tightOnce().ms, tightOnce().ms]);
  const simulatedPaths = ASSETS * paths * 2; // FHS paths, then the Monte Carlo over them
  line('engine: full recompute of the universe (compute time, median of 3)', `${(engine / 1000).toFixed(2)} s ${engine < 2000 ? '(target < 2 s: met)' : '(target < 2 s: MISSED)'}`);
  line('engine: assets/s', `${((ASSETS / engine) * 1000).toFixed(0)}`);
  line('engine: simulated paths/s (FHS + Monte Carlo)', `${((simulatedPaths / engine) * 1000 / 1e6).toFixed(2)} M`);
  line('hand-tight Float64Array loop: same maths (median of 3)', `${(tight / 1000).toFixed(2)} s, ${((ASSETS / tight) * 1000).toFixed(0)} assets/s`);
  line('ratio engine / hand-tight loop', `${(engine / tight).toFixed(2)}x`);
}
