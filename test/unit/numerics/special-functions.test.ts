import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chiSquareCdf,
  chiSquareSurvival,
  digamma,
  logGamma,
  logistic,
  logit,
  regularizedGammaP,
  regularizedGammaQ,
  SpecialFunctionInputError,
} from '../../../shared/numerics/special-functions.js';

describe('special functions', () => {
  it('logGamma matches factorials and Gamma(1/2) = sqrt(pi)', () => {
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(2)).toBeCloseTo(0, 13);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 11);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(100.5)).toBeCloseTo(361.4355404677776, 9); // ln G(100.5), from a reference lgamma
  });

  it('digamma matches psi(1) = -gamma, psi(1/2) = -gamma - 2 ln 2, and the derivative of logGamma', () => {
    const eulerGamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-eulerGamma, 12);
    expect(digamma(0.5)).toBeCloseTo(-eulerGamma - 2 * Math.LN2, 12);
    for (const x of [1.3, 3.7, 12.5, 80]) {
      const h = 1e-5;
      expect(digamma(x)).toBeCloseTo((logGamma(x + h) - logGamma(x - h)) / (2 * h), 7);
    }
  });
});

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
    expect(() => regularizedGammaP(0, 1)).toThrow(SpecialFunctionInputError);
    expect(() => regularizedGammaP(1, -1)).toThrow(/x: must be >= 0/);
    expect(() => chiSquareCdf(1, 0)).toThrow(/df/);
  });
});

describe('logistic map', () => {
  it('logit inverts logistic', () => {
    expect(logistic(0)).toBe(0.5);
    for (const x of [-8, -1.5, 0.3, 4]) expect(logit(logistic(x))).toBeCloseTo(x, 12);
  });
});
