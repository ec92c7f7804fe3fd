import { SeededRandom } from '../../shared/numerics/rng.js';
import type { CandleLike } from '../../shared/risk/series.js';

/** A seeded log-normal walk from 100 with flat bars (open = high = low = close): what the tail tests read. */
export function flatRandomWalk(bars: number, sigma: number, seed: number, barMs: number): CandleLike[] {
  const rng = new SeededRandom(seed);
  let price = 100;
  return Array.from({ length: bars }, (_, i) => {
    price *= Math.exp(sigma * rng.normal());
    return { openTimeMs: i * barMs, open: price, high: price, low: price, close: price };
  });
}
