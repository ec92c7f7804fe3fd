import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chiSquareCdf,
  chiSquareSurvival,
  christoffersenIndependence,
  conditionalCoverage,
  CoverageInputError,
  kupiecPof,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../../shared/backtest/stats.js';

describe('chi-square distribution (regularized incomplete gamma)', () => {
  it('matches closed forms: P(1, x) = 1 - e^-x, and df 2 is exponential', () => {
    for (const x of [0.01, 0.5, 1, 3, 10, 40]) {
      expect(regularizedGammaP(1, x)).toBeCloseTo(1 - Math.exp(-x), 14);
      expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14);
    }
  });

  it('P(1/2, x) is erf(sqrt(x)): erf(1) = 0.8427007929497149', () => {
    expect(regularizedGammaP(0.5, 1)).toBeCloseTo(0.8427007929497149, 13);
    expect(regularizedGammaQ(0.5, 4)).toBeCloseTo(0.004677734981047265, 15); // erfc(2)
  });

  it('gives the textbook critical values their levels', () => {
    expect(chiSquareCdf(3.841458820694124, 1)).toBeCloseTo(0.95, 12);
    expect(chiSquareCdf(6.634896601021214, 1)).toBeCloseTo(0.99, 12);
    expect(chiSquareCdf(10.827566170662733, 1)).toBeCloseTo(0.999, 12);
    expect(chiSquareCdf(5.991464547107979, 2)).toBeCloseTo(0.95, 12);
    expect(chiSquareCdf(18.307038053275146, 10)).toBeCloseTo(0.95, 11);
  });

  it('P + Q = 1 on both sides of the series / continued-fraction switch', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 50, noNaN: true }), fc.double({ min: 0, max: 120, noNaN: true }), (a, x) => {
        expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 12);
      }),
    );
  });

  it('keeps small p-values (no cancellation in the upper tail)', () => {
    // Q(1/2, 50) = erfc(sqrt(50)) = 1.5239706048320995e-23.
    expect(regularizedGammaQ(0.5, 50) / 1.5239706048320995e-23).toBeCloseTo(1, 10);
  });

  it('refuses out-of-domain inputs by name', () => {
    expect(() => regularizedGammaP(0, 1)).toThrow(CoverageInputError);
    expect(() => regularizedGammaP(1, -1)).toThrow(/x: must be >= 0/);
    expect(() => chiSquareCdf(1, 0)).toThrow(/df/);
  });
});

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
