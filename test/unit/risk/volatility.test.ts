import { describe, expect, it } from 'vitest';
import { ewmaLambdaFromHalfLife, ewmaVolatility, realizedVolatility } from '../../../shared/risk/volatility.js';

describe('realized volatility', () => {
  it('matches the closed form on alternating returns', () => {
    // Returns +r, -r, ... (even count): mean 0, sample variance n r^2 / (n - 1).
    const r = 0.01;
    const n = 100;
    const returns = Float64Array.from({ length: n }, (_, i) => (i % 2 ? -r : r));
    const expected = Math.sqrt((n * r * r) / (n - 1)) * Math.sqrt(8760);
    expect(realizedVolatility(returns, n, 8760)).toBeCloseTo(expected, 12);
  });

  it('uses only the trailing window', () => {
    const returns = Float64Array.from([0.5, -0.5, 0.01, -0.01, 0.01, -0.01]);
    const trailing = realizedVolatility(returns, 4, 1);
    expect(trailing).toBeCloseTo(Math.sqrt((4 * 0.0001) / 3), 12);
  });
});

describe('EWMA volatility', () => {
  it('lambda from half-life', () => {
    expect(ewmaLambdaFromHalfLife(10) ** 10).toBeCloseTo(0.5, 12);
  });

  it('is the constant level on constant squared returns', () => {
    const returns = Float64Array.from({ length: 500 }, (_, i) => (i % 2 ? 0.02 : -0.02));
    expect(ewmaVolatility(returns, 0.94, 1)).toBeCloseTo(0.02, 12);
  });

  it('matches the recursion after a shock (closed form)', () => {
    // Seed variance s0 = r^2 from calm returns, then one shock R: s = l * s0 + (1 - l) * R^2.
    const calm = 0.01;
    const shock = 0.1;
    const returns = Float64Array.from([...Array(30).fill(calm), shock]);
    const lambda = 0.9;
    const expected = Math.sqrt(lambda * calm * calm + (1 - lambda) * shock * shock);
    expect(ewmaVolatility(returns, lambda, 1, 30)).toBeCloseTo(expected, 12);
  });
});
