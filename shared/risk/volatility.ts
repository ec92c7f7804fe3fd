import { DEFAULT_GARCH_LIMITS } from '../config/defaults.js';
import { sampleStdDev } from '../numerics/statistics.js';

/**
 * Realized volatility: sample standard deviation of the last `windowBars` log returns, annualized
 * with sqrt(bars per year). NaN when fewer than two returns are available.
 */
export function realizedVolatility(returns: Float64Array, windowBars: number, barsPerYear: number): number {
  const from = Math.max(0, returns.length - windowBars);
  return sampleStdDev(returns, from) * Math.sqrt(barsPerYear);
}

/** The EWMA decay factor lambda with the given half-life (in bars): lambda^halfLife = 1/2. */
export function ewmaLambdaFromHalfLife(halfLifeBars: number): number {
  return Math.pow(0.5, 1 / halfLifeBars);
}

/**
 * EWMA (RiskMetrics) variance forecast for the next bar:
 * s2_t = lambda * s2_{t-1} + (1 - lambda) * r_{t-1}^2, seeded with the mean square of the first
 * `seedBars` returns (zero-mean convention). Returns the annualized volatility sqrt(s2_T+1 * barsPerYear).
 */
export function ewmaVolatility(returns: Float64Array, lambda: number, barsPerYear: number, seedBars: number = DEFAULT_GARCH_LIMITS.ewmaSeedBars): number {
  const n = returns.length;
  if (n === 0) return Number.NaN;
  const seedCount = Math.min(seedBars, n);
  let variance = 0;
  for (let i = 0; i < seedCount; i++) variance += returns[i]! * returns[i]!;
  variance /= seedCount;
  for (let i = 0; i < n; i++) variance = lambda * variance + (1 - lambda) * returns[i]! * returns[i]!;
  return Math.sqrt(variance * barsPerYear);
}
