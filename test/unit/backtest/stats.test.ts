import { describe, expect, it } from 'vitest';
import { christoffersenIndependence, conditionalCoverage, kupiecPof } from '../../../shared/backtest/stats.js';

describe('Kupiec proportion of failures', () => {
  it('0 failures in N: LR = -2 N ln(1 - p)', () => {
    const k = kupiecPof(0, 250, 0.01);
    expect(k.statistic).toBeCloseTo(-2 * 250 * Math.log(0.99), 12);
    expect(k.statistic).toBeCloseTo(5.02517, 5);
    expect(k.pValue).toBeCloseTo(0.02498, 4);
  });

  it('failures exactly at the expected rate: LR = 0, p = 1', () => {
    const k = kupiecPof(10, 1000, 0.01);
    expect(k.statistic).toBe(0);
    expect(k.pValue).toBe(1);
  });

  it("reproduces Jorion's non-rejection regions at 95 % (p = 1 %): T = 255 -> N < 7; T = 1000 -> 4 < N < 17", () => {
    const accepted = (x: number, n: number) => kupiecPof(x, n, 0.01).pValue > 0.05;
    expect(accepted(6, 255)).toBe(true);
    expect(accepted(7, 255)).toBe(false);
    expect(accepted(4, 1000)).toBe(false);
    expect(accepted(5, 1000)).toBe(true);
    expect(accepted(16, 1000)).toBe(true);
    expect(accepted(17, 1000)).toBe(false);
  });

  it('is two-sided: too few failures are rejected as surely as too many', () => {
    // Expected 48.7 at p = 0.001 over 48,723 windows.
    expect(kupiecPof(28, 48_723, 0.001).pValue).toBeLessThan(0.01);
    expect(kupiecPof(49, 48_723, 0.001).pValue).toBeGreaterThan(0.9);
    expect(kupiecPof(75, 48_723, 0.001).pValue).toBeLessThan(0.001);
  });

  it('refuses impossible counts', () => {
    expect(() => kupiecPof(3, 2, 0.01)).toThrow(/failures/);
    expect(() => kupiecPof(0, 0, 0.01)).toThrow(/trials/);
    expect(() => kupiecPof(1, 10, 1)).toThrow(/expectedRate/);
  });
});

describe('Christoffersen independence', () => {
  const seq = (text: string) => [...text].map((c) => c === '1');

  it('counts transitions and matches a hand computation (0110: n01 = n11 = n10 = 1)', () => {
    const r = christoffersenIndependence([seq('0110')]);
    expect([r.n00, r.n01, r.n10, r.n11]).toEqual([0, 1, 1, 1]);
    // pi01 = 1, pi11 = 1/2, pi = 2/3.
    const nullLog = Math.log(1 / 3) + 2 * Math.log(2 / 3);
    const altLog = 2 * Math.log(1 / 2);
    expect(r.statistic).toBeCloseTo(-2 * (nullLog - altLog), 12);
  });

  it('is 0 when a failure is as likely after a failure as after a non-failure', () => {
    // n00 = 4, n01 = 2, n10 = 2, n11 = 1: pi01 = pi11 = 1/3.
    const r = christoffersenIndependence([seq('0000110010')]);
    expect([r.n00, r.n01, r.n10, r.n11]).toEqual([4, 2, 2, 1]);
    expect(r.statistic).toBeCloseTo(0, 12);
    expect(r.pValue).toBeCloseTo(1, 9);
  });

  it('rejects clustered failures and accepts isolated ones at the same rate', () => {
    const clustered = seq(`${'0'.repeat(990)}${'1'.repeat(10)}`);
    const spread = [...Array(1000)].map((_, i) => i % 100 === 50);
    expect(christoffersenIndependence([clustered]).pValue).toBeLessThan(1e-6);
    expect(christoffersenIndependence([spread]).pValue).toBeGreaterThan(0.5);
  });

  it('never links two runs: a gap starts a new run', () => {
    const r = christoffersenIndependence([seq('01'), seq('10')]);
    expect(r.n11).toBe(0);
    expect([r.n01, r.n10]).toEqual([1, 1]);
  });

  it('conditional coverage adds both statistics on 2 degrees of freedom', () => {
    const k = kupiecPof(3, 1000, 0.01);
    const ind = christoffersenIndependence([seq('0'.repeat(997) + '111')]);
    const cc = conditionalCoverage(k, ind);
    expect(cc.statistic).toBeCloseTo(k.statistic + ind.statistic, 12);
    expect(cc.pValue).toBeCloseTo(Math.exp(-cc.statistic / 2), 12);
  });
});
