import { INTERVAL_MS, type AssetConfig, type VenueId } from '../config/schema.js';
import { SeededRandom, hashSeed } from '../numerics/rng.js';
import { MS_PER_MINUTE } from '../util/time.js';
import type { BookLevel, Candle, CandleRequest, MarketSource, OrderBook, OrderBookRequest } from './types.js';
import { VenueNotListedError } from './errors.js';

const STEP_MS = INTERVAL_MS['5m'];
const STEPS_PER_YEAR = 365 * 288;

/**
 * Volatility clustering of the diffusive part: a GARCH(1,1) recursion on 5-minute steps.
 * Persistence 0.998 gives a half-life of about 29 hours, close to what hourly crypto data shows.
 */
const GARCH_ARCH = 0.02;
const GARCH_PERSISTENCE = 0.998;
/** Share of a jump that reverts within its own 5-minute bar (the rest is a lasting move). */
const JUMP_RECOVERY = 0.4;
/** Variance never exceeds this multiple of its long-run level (keeps a crash from exploding the path). */
const MAX_VARIANCE_MULTIPLE = 30;
/** Venue-to-venue price noise around the common path, in bps (one standard deviation). */
const VENUE_BASIS_BPS = 3;
/** Share of an asset's total depth each venue holds in the simulation. */
const VENUE_DEPTH_SHARE: Record<VenueId, number> = { binance: 0.55, coinbase: 0.25, kraken: 0.2 };
/** Book shape: cumulative depth grows as (distance / 2 %)^exponent, out to the last level. */
export const BOOK_DEPTH_EXPONENT = 0.85;
const BOOK_LEVELS_PER_SIDE = 120;
const BOOK_MAX_DISTANCE = 0.1;

/** The common (venue-independent) 5-minute path of one asset, extended lazily and deterministically. */
class AssetPath {
  opens = new Float64Array(0);
  highs = new Float64Array(0);
  lows = new Float64Array(0);
  closes = new Float64Array(0);
  volumes = new Float64Array(0);
  /** Current volatility divided by its long-run level, per step (thins the books in stress). */
  stress = new Float64Array(0);
  length = 0;

  private readonly rng: SeededRandom;
  private variance: number;
  private readonly longRunVariance: number;
  private lastClose: number;

  constructor(
    private readonly asset: AssetConfig,
    seed: number,
  ) {
    this.rng = new SeededRandom(hashSeed(seed, 'path', asset.symbol));
    this.longRunVariance = asset.simulator.annualVolatility ** 2 / STEPS_PER_YEAR;
    this.variance = this.longRunVariance;
    this.lastClose = asset.simulator.startPriceUsd;
  }

  ensure(steps: number): void {
    if (steps <= this.length) return;
    const capacity = Math.max(steps, Math.ceil(this.length * 1.5), 4096);
    if (capacity > this.closes.length) this.grow(capacity);
    const cal = this.asset.simulator;
    const omega = this.longRunVariance * (1 - GARCH_PERSISTENCE);
    const beta = GARCH_PERSISTENCE - GARCH_ARCH;
    const jumpProbability = cal.jumpsPerYear / STEPS_PER_YEAR;
    const maxVariance = this.longRunVariance * MAX_VARIANCE_MULTIPLE;
    const usdVolumePerStep = cal.depth2PctUsd * 0.4;
    for (let i = this.length; i < steps; i++) {
      const sigma = Math.sqrt(this.variance);
      const diffusive = sigma * this.rng.standardizedStudentT(cal.tailDegreesOfFreedom);
      let logReturn = diffusive;
      // A jump is mostly a wick: the bar trades through the full move, then 40 % of it recovers by
      // the close (real 4 h tails are 30-60 % larger measured on lows than on closes).
      let wickBeyondClose = 0;
      if (jumpProbability > 0 && this.rng.next() < jumpProbability) {
        const size = this.rng.exponential(cal.jumpMeanAbsLogReturn);
        const signed = this.rng.next() < cal.jumpDownShare ? -size : size;
        logReturn += signed * (1 - JUMP_RECOVERY);
        wickBeyondClose = signed * JUMP_RECOVERY;
      }
      const open = this.lastClose;
      const close = open * Math.exp(logReturn);
      // Intrabar excursions beyond open/close: fat-tailed like the returns, scaled by the bar's volatility.
      const upWick = Math.abs(this.rng.standardizedStudentT(cal.tailDegreesOfFreedom)) * sigma * 0.6 + Math.max(0, wickBeyondClose);
      const downWick = Math.abs(this.rng.standardizedStudentT(cal.tailDegreesOfFreedom)) * sigma * 0.6 - Math.min(0, wickBeyondClose);
      const high = Math.max(open, close) * Math.exp(upWick);
      const low = Math.min(open, close) * Math.exp(-downWick);
      this.opens[i] = open;
      this.highs[i] = high;
      this.lows[i] = low;
      this.closes[i] = close;
      this.stress[i] = sigma / Math.sqrt(this.longRunVariance);
      this.volumes[i] = ((usdVolumePerStep * (0.5 + Math.abs(logReturn) / sigma)) / close) * (0.7 + 0.6 * this.rng.next());
      // Jumps do not feed the variance recursion: one jump would otherwise multiply it 15-30x and
      // inflate the path's realized volatility far above the calibrated level (docs/calibration.md).
      this.variance = Math.min(maxVariance, omega + GARCH_ARCH * diffusive * diffusive + beta * this.variance);
      this.lastClose = close;
    }
    this.length = steps;
  }

  private grow(capacity: number): void {
    const copy = (from: Float64Array) => {
      const to = new Float64Array(capacity);
      to.set(from.subarray(0, this.length));
      return to;
    };
    this.opens = copy(this.opens);
    this.highs = copy(this.highs);
    this.lows = copy(this.lows);
    this.closes = copy(this.closes);
    this.volumes = copy(this.volumes);
    this.stress = copy(this.stress);
  }
}

/** Stateless 32-bit mix of two integers into a uniform float in (0, 1). */
function hashUniform(a: number, b: number): number {
  let h = Math.imul(a ^ 0x85ebca6b, 0xc2b2ae35) ^ Math.imul(b + 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return ((h >>> 0) + 0.5) / 4294967296;
}

/** Approximately normal draw from two hashed uniforms (Box-Muller), stateless in the step index. */
function hashNormal(stream: number, step: number): number {
  const u1 = hashUniform(stream, step * 2);
  const u2 = hashUniform(stream, step * 2 + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export interface SimulatedMarketOptions {
  seed: number;
  /** Start of every simulated path (epoch ms); bars before it do not exist. */
  originMs: number;
}

/**
 * The offline market: fat-tailed (Student-t) returns with GARCH volatility clustering and jumps on a
 * common 5-minute path per asset, small per-venue basis noise, and books whose depth thins away from
 * mid and in stress. Every value is a function of (seed, asset, venue, time) only: same seed, same data,
 * whatever ranges are asked for and in whatever order.
 */
export class SimulatedMarket implements MarketSource {
  readonly kind = 'sim' as const;
  readonly simulated = true;
  private readonly paths = new Map<string, AssetPath>();

  constructor(private readonly options: SimulatedMarketOptions) {}

  async getCandles(request: CandleRequest): Promise<Candle[]> {
    return this.candlesSync(request);
  }

  candlesSync({ asset, venue, interval, startMs, endMs }: CandleRequest): Candle[] {
    const pair = this.pairOf(asset, venue);
    const intervalMs = INTERVAL_MS[interval];
    const stepsPerBar = intervalMs / STEP_MS;
    const origin = this.options.originMs;
    const firstBar = Math.max(0, Math.ceil((startMs - origin) / intervalMs));
    const endBar = Math.floor((endMs - origin) / intervalMs);
    if (endBar <= firstBar) return [];
    const path = this.pathOf(asset);
    path.ensure(endBar * stepsPerBar);
    const stream = hashSeed(this.options.seed, 'venue', asset.symbol, venue, pair);
    const volumeShare = VENUE_DEPTH_SHARE[venue];
    const candles: Candle[] = new Array(endBar - firstBar);
    for (let bar = firstBar; bar < endBar; bar++) {
      const firstStep = bar * stepsPerBar;
      let high = -Infinity;
      let low = Infinity;
      let volume = 0;
      for (let s = firstStep; s < firstStep + stepsPerBar; s++) {
        const basis = this.basis(stream, s);
        high = Math.max(high, path.highs[s]! * basis);
        low = Math.min(low, path.lows[s]! * basis);
        volume += path.volumes[s]!;
      }
      const open = path.opens[firstStep]! * this.basis(stream, firstStep - 1);
      const close = path.closes[firstStep + stepsPerBar - 1]! * this.basis(stream, firstStep + stepsPerBar - 1);
      candles[bar - firstBar] = {
        openTimeMs: origin + bar * intervalMs,
        open,
        high: Math.max(high, open, close),
        low: Math.min(low, open, close),
        close,
        volume: volume * volumeShare,
      };
    }
    return candles;
  }

  async getOrderBook({ asset, venue, atMs }: OrderBookRequest): Promise<OrderBook> {
    const pair = this.pairOf(asset, venue);
    const step = Math.max(0, Math.floor((atMs - this.options.originMs) / STEP_MS) - 1);
    const path = this.pathOf(asset);
    path.ensure(step + 1);
    const stream = hashSeed(this.options.seed, 'venue', asset.symbol, venue, pair);
    const mid = path.closes[step]! * this.basis(stream, step);
    // Books thin when volatility is high: depth scales with 1/stress (floored so books never vanish).
    const stressFactor = 1 / Math.max(1, path.stress[step]!);
    const venueDepth2Pct = asset.simulator.depth2PctUsd * VENUE_DEPTH_SHARE[venue] * stressFactor;
    const halfSpread = (asset.simulator.spreadBps / 2) * 1e-4;
    const rng = new SeededRandom(hashSeed(this.options.seed, 'book', asset.symbol, venue, String(Math.floor(atMs / MS_PER_MINUTE))));
    const side = (direction: 1 | -1): BookLevel[] => {
      const levels: BookLevel[] = [];
      let previousCumulativeUsd = 0;
      for (let i = 1; i <= BOOK_LEVELS_PER_SIDE; i++) {
        const distance = halfSpread + (BOOK_MAX_DISTANCE - halfSpread) * (i / BOOK_LEVELS_PER_SIDE) ** 1.5;
        const cumulativeUsd = venueDepth2Pct * (distance / 0.02) ** BOOK_DEPTH_EXPONENT;
        const levelUsd = (cumulativeUsd - previousCumulativeUsd) * Math.exp(0.35 * rng.normal() - 0.06);
        previousCumulativeUsd = cumulativeUsd;
        const price = mid * (1 + direction * distance);
        levels.push({ price, quantity: levelUsd / price });
      }
      return levels;
    };
    return { asset: asset.symbol, venue, pair, fetchedAtMs: atMs, bids: side(-1), asks: side(1) };
  }

  private basis(stream: number, step: number): number {
    return Math.exp(VENUE_BASIS_BPS * 1e-4 * hashNormal(stream, step));
  }

  private pairOf(asset: AssetConfig, venue: VenueId): string {
    const pair = asset.venuePairs[venue];
    if (!pair) throw new VenueNotListedError(asset.symbol, venue);
    return pair;
  }

  private pathOf(asset: AssetConfig): AssetPath {
    let path = this.paths.get(asset.symbol);
    if (!path) {
      path = new AssetPath(asset, this.options.seed);
      this.paths.set(asset.symbol, path);
    }
    return path;
  }
}
