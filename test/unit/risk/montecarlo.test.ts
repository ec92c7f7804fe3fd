import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../shared/numerics/rng.js';
import { fhsDrawdownTail } from '../../../shared/risk/fhs.js';
import { liquidationThreshold as ltFormula } from '../../../shared/risk/lending.js';
import {
  BadDebtInputError,
  positionBadDebtUsd,
  simulateBadDebt,
  syntheticBook,
  type Position,
} from '../../../shared/risk/montecarlo.js';

const cents = (usd: number) => Math.round(usd * 100) / 100;

/** Defaults of the hand cases: LT 80 %, bonus 5 %, slippage 2 %, so k = 0.98 / 1.05 = 0.9333... */
const market = { liquidationThreshold: 0.8, liquidationBonus: 0.05, slippage: 0.02 };

function run(drops: number[], positions: Position[], overrides: Partial<typeof market> & { confidence?: number } = {}) {
  return simulateBadDebt({ pathsWorstDrawdown: Float64Array.from(drops), positions, confidence: 0.99, ...market, ...overrides });
}

const dropArb = fc.double({ min: 0, max: 1, noNaN: true });
const marketArb = fc.record({
  liquidationThreshold: fc.double({ min: 0.3, max: 0.97, noNaN: true }),
  liquidationBonus: fc.double({ min: 0, max: 0.2, noNaN: true }),
  slippage: fc.double({ min: 0, max: 0.3, noNaN: true }),
});

describe('bad debt of one position on one path (hand cases, to the cent)', () => {
  const position = { collateralUsd: 10_000, debtUsd: 7_000 };

  it('a 30 % drop liquidates a 70 % LTV position whose collateral no longer covers debt, bonus and slippage', () => {
    // Collateral 7,000 at the bottom; cleared debt 7,000 * 0.98 / 1.05 = 6,533.33; bad debt 466.67.
    const result = run([0.3], [position]);
    expect(cents(result.paths[0]!)).toBe(466.67);
    expect(cents(result.expectedBadDebtUsd)).toBe(466.67);
    expect(result.probabilityOfBadDebt).toBe(1);
  });

  it('a 20 % drop liquidates it with no bad debt; a 10 % drop does not liquidate it', () => {
    // 20 %: collateral 8,000, LTV 87.5 % >= 80 %: liquidated, and 8,000 * 0.9333 = 7,466.67 covers 7,000.
    // 10 %: collateral 9,000, LTV 77.8 % < 80 %: untouched.
    const result = run([0.2, 0.1], [position]);
    expect(Array.from(result.paths)).toEqual([0, 0]);
    expect(result.probabilityOfBadDebt).toBe(0);
  });

  it('above k = (1 - s) / (1 + B), the LT itself decides: no liquidation, no bad debt; liquidation, a jump', () => {
    const risky = { collateralUsd: 10_000, debtUsd: 9_400 };
    const lt = { liquidationThreshold: 0.95 };
    // No drop: LTV 94 % < 95 %, not liquidated even though 10,000 * 0.9333 < 9,400.
    expect(run([0], [risky], lt).paths[0]).toBe(0);
    // 2 % drop: collateral 9,800, LTV 95.9 %: liquidated; 9,800 * 0.98 / 1.05 = 9,146.67; bad debt 253.33.
    expect(cents(run([0.02], [risky], lt).paths[0]!)).toBe(253.33);
  });

  it('VaR, ES and the probability on five paths', () => {
    // Bad debts of [0, 0.1, 0.2, 0.3, 0.4]: 0, 0, 0, 466.67, 1,400 (0.4: 6,000 * 0.9333 = 5,600).
    const drops = [0.3, 0, 0.4, 0.1, 0.2];
    const at60 = run(drops, [position], { confidence: 0.6 });
    expect(cents(at60.expectedBadDebtUsd)).toBe(373.33);
    expect(at60.probabilityOfBadDebt).toBeCloseTo(0.4, 15);
    // Type-7 quantile at (5 - 1) * 0.6 = 2.4: 0 + 0.4 * 466.67.
    expect(cents(at60.varUsd)).toBe(186.67);
    // Worst 40 % of 5 paths = 2 paths: (466.67 + 1,400) / 2.
    expect(cents(at60.expectedShortfallUsd)).toBe(933.33);
    // Worst 30 % = 1.5 paths: (1,400 + 0.5 * 466.67) / 1.5.
    expect(cents(run(drops, [position], { confidence: 0.7 }).expectedShortfallUsd)).toBe(1088.89);
    // Path order is kept.
    expect(Array.from(at60.paths, cents)).toEqual([466.67, 0, 1400, 0, 0]);
  });

  it('ES stays a tail measure when VaR is 0: 1 bad path in 1,000 at 99 %', () => {
    const drops = new Array<number>(1000).fill(0.05);
    drops[500] = 0.4; // 1,400 of bad debt
    const result = run(drops, [position], { confidence: 0.99 });
    expect(result.varUsd).toBe(0);
    expect(cents(result.expectedShortfallUsd)).toBe(140); // 1,400 over the worst 10 paths
    expect(cents(result.expectedBadDebtUsd)).toBe(1.4);
  });

  it('a position opened at the LT of the methodology breaks even exactly at the drop D_alpha', () => {
    const adverseMove = 0.153;
    const lt = ltFormula(adverseMove, market.slippage, market.liquidationBonus);
    const atLt = { collateralUsd: 1_000_000, debtUsd: 1_000_000 * lt };
    const result = run([adverseMove - 1e-9, adverseMove + 0.01], [atLt], { liquidationThreshold: lt });
    expect(result.paths[0]).toBe(0);
    // 1 % below the break-even price: 1,000,000 * 0.01 * k of debt is uncovered.
    expect(result.paths[1]).toBeCloseTo(1_000_000 * 0.01 * (0.98 / 1.05), 6);
  });
});

describe('synthetic book', () => {
  it('spreads equal-collateral positions evenly from min to max LTV share of LT, ends included', () => {
    const book = syntheticBook({ totalCollateralUsd: 3_000, positions: 3, liquidationThreshold: 0.8 });
    expect(book.map((p) => p.collateralUsd)).toEqual([1_000, 1_000, 1_000]);
    expect(book[0]!.debtUsd).toBeCloseTo(400, 9); // 0.5 * 0.8
    expect(book[1]!.debtUsd).toBeCloseTo(596, 9); // 0.745 * 0.8
    expect(book[2]!.debtUsd).toBeCloseTo(792, 9); // 0.99 * 0.8
    expect(syntheticBook({ totalCollateralUsd: 100, positions: 1, liquidationThreshold: 0.8, maxLtvShareOfLt: 0.9 })[0]!.debtUsd).toBeCloseTo(72, 9);
  });

  it('refuses a book it cannot build', () => {
    expect(() => syntheticBook({ totalCollateralUsd: 0, positions: 10, liquidationThreshold: 0.8 })).toThrow(BadDebtInputError);
    expect(() => syntheticBook({ totalCollateralUsd: 1, positions: 0, liquidationThreshold: 0.8 })).toThrow(BadDebtInputError);
    expect(() => syntheticBook({ totalCollateralUsd: 1, positions: 2, liquidationThreshold: 0.8, minLtvShareOfLt: 0.9, maxLtvShareOfLt: 0.8 })).toThrow(
      BadDebtInputError,
    );
  });
});

describe('bad debt over many paths: properties', () => {
  const positionArb = fc.record({
    collateralUsd: fc.double({ min: 1, max: 1e6, noNaN: true }),
    debtUsd: fc.double({ min: 0, max: 1.2e6, noNaN: true }),
  });

  it('the sorted fast path equals the sum of positionBadDebtUsd over the book', () => {
    fc.assert(
      fc.property(fc.array(positionArb, { minLength: 1, maxLength: 30 }), fc.array(dropArb, { minLength: 1, maxLength: 30 }), marketArb, (book, drops, m) => {
        const result = run(drops, book, m);
        const scale = book.reduce((s, p) => s + p.collateralUsd + p.debtUsd, 0);
        drops.forEach((d, i) => {
          const expected = book.reduce((s, p) => s + positionBadDebtUsd(p, d, m.liquidationThreshold, m.liquidationBonus, m.slippage), 0);
          expect(Math.abs(result.paths[i]! - expected)).toBeLessThanOrEqual(1e-9 * scale);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a bigger drop never reduces bad debt', () => {
    fc.assert(
      fc.property(fc.array(positionArb, { minLength: 1, maxLength: 30 }), dropArb, dropArb, marketArb, (book, a, b, m) => {
        const [small, big] = a <= b ? [a, b] : [b, a];
        const result = run([small, big], book, m);
        expect(result.paths[1]!).toBeGreaterThanOrEqual(result.paths[0]! - 1e-9 * result.totalCollateralUsd);
      }),
      { numRuns: 300 },
    );
  });

  it('a higher LT (with the book spread up to it) never reduces bad debt', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.3, max: 0.97, noNaN: true }),
        fc.double({ min: 0.3, max: 0.97, noNaN: true }),
        fc.array(dropArb, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 50 }),
        (x, y, drops, positions) => {
          const [lower, higher] = x <= y ? [x, y] : [y, x];
          const at = (lt: number) => run(drops, syntheticBook({ totalCollateralUsd: 1e6, positions, liquidationThreshold: lt }), { liquidationThreshold: lt });
          const low = at(lower);
          const high = at(higher);
          drops.forEach((_, i) => expect(high.paths[i]!).toBeGreaterThanOrEqual(low.paths[i]! - 1e-6));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a higher bonus or slippage never reduces bad debt', () => {
    fc.assert(
      fc.property(fc.array(positionArb, { minLength: 1, maxLength: 20 }), dropArb, marketArb, fc.double({ min: 0, max: 0.1, noNaN: true }), (book, d, m, extra) => {
        const base = run([d], book, m).paths[0]!;
        const tolerance = 1e-9 * book.reduce((s, p) => s + p.collateralUsd + p.debtUsd, 0);
        expect(run([d], book, { ...m, liquidationBonus: m.liquidationBonus + extra }).paths[0]!).toBeGreaterThanOrEqual(base - tolerance);
        expect(run([d], book, { ...m, slippage: m.slippage + extra }).paths[0]!).toBeGreaterThanOrEqual(base - tolerance);
      }),
      { numRuns: 300 },
    );
  });

  it('zero drop leaves a healthy synthetic book without bad debt', () => {
    fc.assert(
      fc.property(marketArb, fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (m, positions, maxShare) => {
        const book = syntheticBook({ totalCollateralUsd: 1e6, positions, liquidationThreshold: m.liquidationThreshold, minLtvShareOfLt: 0, maxLtvShareOfLt: maxShare });
        const result = run([0], book, m);
        expect(result.paths[0]).toBe(0);
        expect(result.probabilityOfBadDebt).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('VaR <= ES, both within [0, worst path], and neither depends on path order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), dropArb), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        fc.integer({ min: 1, max: 30 }),
        (drops, confidence, positions) => {
          const book = syntheticBook({ totalCollateralUsd: 1e6, positions, liquidationThreshold: 0.85 });
          const result = run(drops, book, { liquidationThreshold: 0.85, confidence });
          const worst = Math.max(...result.paths);
          expect(result.varUsd).toBeGreaterThanOrEqual(0);
          expect(result.expectedShortfallUsd).toBeGreaterThanOrEqual(result.varUsd - 1e-9);
          expect(result.expectedShortfallUsd).toBeLessThanOrEqual(worst + 1e-9);
          const reversed = run([...drops].reverse(), book, { liquidationThreshold: 0.85, confidence });
          expect(reversed.varUsd).toBe(result.varUsd);
          expect(reversed.expectedShortfallUsd).toBeCloseTo(result.expectedShortfallUsd, 6);
          expect(reversed.probabilityOfBadDebt).toBe(result.probabilityOfBadDebt);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('end to end with filtered historical simulation', () => {
  const rng = new SeededRandom(21);
  const residuals = Float64Array.from({ length: 20_000 }, () => rng.standardizedStudentT(3.5));
  const lowExcursions = Float64Array.from({ length: 20_000 }, () => rng.exponential(0.5));
  const horizonSigmas = new Float64Array(4).fill(0.02);
  const book = syntheticBook({ totalCollateralUsd: 100_000_000, positions: 200, liquidationThreshold: 0.8 });

  it('is reproducible by seed, and the probability of bad debt is the share of paths past the top position', () => {
    const simulate = (seed: number) => {
      const fhs = fhsDrawdownTail({ residuals, lowExcursions, horizonSigmas, confidences: [0.999], seed });
      return { fhs, badDebt: simulateBadDebt({ pathsWorstDrawdown: fhs.paths, positions: book, ...market, confidence: 0.999 }) };
    };
    const a = simulate(5);
    const b = simulate(5);
    expect(b.badDebt).toEqual(a.badDebt);
    expect(simulate(6).badDebt.paths).not.toEqual(a.badDebt.paths);
    // The top position (LTV 0.99 * 0.8) is the first to go bad, at a drop of 1 - 0.792 / k.
    const firstBadDrop = 1 - (0.99 * 0.8) / (0.98 / 1.05);
    const beyond = a.fhs.paths.reduce((n, d) => n + (d > firstBadDrop ? 1 : 0), 0);
    expect(a.badDebt.probabilityOfBadDebt).toBe(beyond / a.fhs.paths.length);
    expect(a.badDebt.expectedShortfallUsd).toBeGreaterThanOrEqual(a.badDebt.varUsd);
  });

  it('refuses inputs outside their domain with a named error', () => {
    const ok = { pathsWorstDrawdown: Float64Array.of(0.1), positions: book, ...market, confidence: 0.99 };
    expect(() => simulateBadDebt({ ...ok, pathsWorstDrawdown: new Float64Array(0) })).toThrow(BadDebtInputError);
    expect(() => simulateBadDebt({ ...ok, pathsWorstDrawdown: Float64Array.of(Number.NaN) })).toThrow(BadDebtInputError);
    expect(() => simulateBadDebt({ ...ok, pathsWorstDrawdown: Float64Array.of(1.5) })).toThrow(BadDebtInputError);
    expect(() => simulateBadDebt({ ...ok, confidence: 1 })).toThrow(BadDebtInputError);
    expect(() => simulateBadDebt({ ...ok, slippage: 1 })).toThrow(BadDebtInputError);
    expect(() => simulateBadDebt({ ...ok, liquidationThreshold: 0 })).toThrow(BadDebtInputError);
    expect(() => simulateBadDebt({ ...ok, positions: [{ collateralUsd: 0, debtUsd: 1 }] })).toThrow(BadDebtInputError);
  });
});
