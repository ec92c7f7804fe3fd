import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crossCheck, impliedConfidence, smartLtv, SmartLtvInputError } from '../../../shared/risk/smartltv.js';

// Risk DAO's worked example (smart-ltv testLTVCalculationExact): l = 1M, sigma = 0.10, d = 200k, beta = 0.05, c = 3.
const EXAMPLE = { sigma: 0.1, liquidityUsd: 1_000_000, debtCapUsd: 200_000, bonus: 0.05, c: 3 };

// Their fuzz bounds (docs/methodology.md#ref-smartltv): c in [0.1, 5], sigma in [0.1 %, 1000 %], beta in [1 %, 20 %].
const inputsArb = fc.record({
  sigma: fc.double({ min: 0.001, max: 10, noNaN: true }),
  liquidityUsd: fc.double({ min: 1e3, max: 1e10, noNaN: true }),
  debtCapUsd: fc.double({ min: 1e3, max: 1e10, noNaN: true }),
  bonus: fc.double({ min: 0.01, max: 0.2, noNaN: true }),
  c: fc.double({ min: 0.1, max: 5, noNaN: true }),
});

describe('SmartLTV', () => {
  it('reproduces their worked example: exp(-0.3 / sqrt 5) - 0.05 = 0.82445', () => {
    expect(smartLtv(EXAMPLE)).toBeCloseTo(0.82445, 5);
    expect(smartLtv(EXAMPLE)).toBeCloseTo(0.8244466, 7);
  });

  it('clamps at 0 and handles the empty cases', () => {
    expect(smartLtv({ ...EXAMPLE, sigma: 5 })).toBe(0); // exp(-6.7) < bonus
    expect(smartLtv({ ...EXAMPLE, liquidityUsd: 0 })).toBe(0); // debt with nothing to sell it into
    expect(smartLtv({ ...EXAMPLE, debtCapUsd: 0 })).toBeCloseTo(0.95, 15); // no debt: only the bonus
    expect(smartLtv({ ...EXAMPLE, sigma: 0, liquidityUsd: 0 })).toBeCloseTo(0.95, 15); // no volatility
  });

  it('refuses negative or non-finite inputs with the parameter named', () => {
    expect(() => smartLtv({ ...EXAMPLE, sigma: -0.1 })).toThrow(SmartLtvInputError);
    try {
      smartLtv({ ...EXAMPLE, debtCapUsd: Number.NaN });
      expect.unreachable();
    } catch (error) {
      expect((error as SmartLtvInputError).details).toMatchObject({ parameter: 'debtCapUsd' });
    }
  });

  it('decreases with sigma and with the debt cap, increases with liquidity', () => {
    fc.assert(
      fc.property(inputsArb, fc.double({ min: 1.01, max: 10, noNaN: true }), (inputs, factor) => {
        const base = smartLtv(inputs);
        const cases = [
          smartLtv({ ...inputs, sigma: inputs.sigma * factor }),
          smartLtv({ ...inputs, debtCapUsd: inputs.debtCapUsd * factor }),
          smartLtv({ ...inputs, liquidityUsd: inputs.liquidityUsd / factor }),
        ];
        for (const riskier of cases) {
          expect(riskier).toBeLessThanOrEqual(base);
          // Strictly, wherever the clamp is not binding.
          if (riskier > 0) expect(riskier).toBeLessThan(base);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('implied confidence', () => {
  it('gives back c = 3 on the worked example', () => {
    const implied = impliedConfidence({ ...EXAMPLE, ltv: smartLtv(EXAMPLE) });
    expect(implied).toMatchObject({ status: 'implied', lowerBoundOnly: false });
    if (implied.status === 'implied') expect(implied.c).toBeCloseTo(3, 12);
  });

  it('round-trips: smartLtv then impliedConfidence returns c (a lower bound when LTV clamps to 0)', () => {
    fc.assert(
      fc.property(inputsArb, (inputs) => {
        const ltv = smartLtv(inputs);
        const implied = impliedConfidence({ ...inputs, ltv });
        if (implied.status !== 'implied') throw new Error(`unexpected ${implied.reason}`);
        if (ltv > 0) {
          expect(implied.lowerBoundOnly).toBe(false);
          expect(implied.c).toBeCloseTo(inputs.c, 6);
        } else {
          expect(implied.lowerBoundOnly).toBe(true);
          expect(implied.c).toBeLessThanOrEqual(inputs.c * (1 + 1e-12));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('returns a named result, never NaN, for degenerate or missing inputs', () => {
    const live = { ltv: 0.8, bonus: 0.05, sigma: 0.04, liquidityUsd: 5e6, debtCapUsd: 1e6 };
    expect(impliedConfidence({ ...live, ltv: 0.96 })).toMatchObject({ status: 'undefined', reason: 'ltv-plus-bonus-at-least-one' });
    expect(impliedConfidence({ ...live, ltv: 0, bonus: 0 })).toMatchObject({ status: 'undefined', reason: 'ltv-plus-bonus-zero' });
    expect(impliedConfidence({ ...live, sigma: 0 })).toMatchObject({ status: 'undefined', reason: 'zero-volatility' });
    expect(impliedConfidence({ ...live, debtCapUsd: 0 })).toMatchObject({ status: 'undefined', reason: 'zero-debt-cap' });
    expect(impliedConfidence({ ...live, liquidityUsd: 0 })).toMatchObject({ status: 'undefined', reason: 'zero-liquidity' });
    expect(impliedConfidence({ ...live, sigma: null, liquidityUsd: undefined })).toEqual({ status: 'undefined', reason: 'missing-input', parameters: ['sigma', 'liquidityUsd'] });
    expect(impliedConfidence({ ...live, debtCapUsd: -1 })).toEqual({ status: 'undefined', reason: 'invalid-input', parameters: ['debtCapUsd'] });
  });

  it('computes c for live-like parameters: -ln(0.85) x sqrt(5) / 0.04', () => {
    const implied = impliedConfidence({ ltv: 0.8, bonus: 0.05, sigma: 0.04, liquidityUsd: 5e6, debtCapUsd: 1e6 });
    expect(implied).toMatchObject({ status: 'implied', lowerBoundOnly: false });
    if (implied.status === 'implied') expect(implied.c).toBeCloseTo(9.0851, 4); // 0.162519 x 2.236068 / 0.04 = 9.08508
  });
});

describe('cross-check against our LTV', () => {
  it('reports a signed gap in pp and flags only a gap strictly above the threshold', () => {
    const looser = crossCheck({ ourLtv: 0.8, smartLtv: 0.6 });
    expect(looser.gapPp).toBeCloseTo(20, 12);
    expect(looser.flagged).toBe(true);
    const tighter = crossCheck({ ourLtv: 0.6, smartLtv: 0.8 });
    expect(tighter.gapPp).toBeCloseTo(-20, 12);
    expect(tighter.flagged).toBe(true);
    // 0.8 - 0.7 is 10.000000000000009 pp in doubles: exactly the threshold, not flagged.
    expect(crossCheck({ ourLtv: 0.8, smartLtv: 0.7 }).flagged).toBe(false);
    expect(crossCheck({ ourLtv: 0.805, smartLtv: 0.7 }).flagged).toBe(true);
    expect(crossCheck({ ourLtv: 0.8, smartLtv: 0.75, thresholdPp: 4 }).flagged).toBe(true);
    expect(() => crossCheck({ ourLtv: Number.NaN, smartLtv: 0.7 })).toThrow(SmartLtvInputError);
  });
});
