import { describe, expect, it } from 'vitest';
import { liquidationBonus, liquidationThreshold, loanToValue, roundDownBps, roundUpBps, supplyCapUsd } from '../../../shared/risk/lending.js';
import { maintenanceMargin, maxLeverage } from '../../../shared/risk/perp.js';

describe('lending parameters', () => {
  it('bonus is slippage plus liquidator cost, clamped', () => {
    expect(liquidationBonus(0.01, 0.03, 0.045, 0.15)).toBeCloseTo(0.045, 12);
    expect(liquidationBonus(0.03, 0.03, 0.045, 0.15)).toBeCloseTo(0.06, 12);
    expect(liquidationBonus(0.5, 0.03, 0.045, 0.15)).toBe(0.15);
  });

  it('liquidation threshold reproduces the reference figures of docs/methodology.md#reference-figures (BTC: D 15.3 %, B 5 %, no slippage -> 80.7 %)', () => {
    expect(liquidationThreshold(0.153, 0, 0.05)).toBeCloseTo(0.8067, 4);
    // ETH: D 18.3 %, B 5 % -> 77.8 %; LINK: D 22 %, B 7 % -> 72.9 %.
    expect(liquidationThreshold(0.183, 0, 0.05)).toBeCloseTo(0.778, 3);
    expect(liquidationThreshold(0.22, 0, 0.07)).toBeCloseTo(0.729, 3);
  });

  it('liquidation threshold falls with slippage and bonus, and is never negative', () => {
    expect(liquidationThreshold(0.1, 0.02, 0.05)).toBeCloseTo((0.9 * 0.98) / 1.05, 12);
    expect(liquidationThreshold(1.2, 0, 0.05)).toBe(0);
  });

  it('LTV leaves room for an ordinary move', () => {
    expect(loanToValue(0.8, 0.03)).toBeCloseTo(0.776, 12);
  });

  it('rounds LT/LTV down to the step and margins up to the bp', () => {
    expect(roundDownBps(0.80669, 50)).toBe(8050);
    expect(roundDownBps(0.8, 50)).toBe(8000);
    expect(roundUpBps(0.012301)).toBe(124);
    expect(roundUpBps(0.0125)).toBe(125);
  });

  it('supply cap: liquidating k of it fits half the bonus', () => {
    expect(supplyCapUsd(2_000_000, 0.1)).toBeCloseTo(20_000_000, 6);
  });
});

describe('perp parameters', () => {
  it('maintenance margin adds move, slippage and fees', () => {
    expect(maintenanceMargin(0.0077, 0.002, 0.001)).toBeCloseTo(0.0107, 12);
  });

  it('max leverage snaps down to a tier', () => {
    const tiers = [1, 2, 3, 5, 10, 20, 25, 40, 50];
    expect(maxLeverage(0.0125, 2, tiers)).toBe(40); // 1 / 0.025 = 40 exactly
    expect(maxLeverage(0.013, 2, tiers)).toBe(25); // 38.5 -> 25
    expect(maxLeverage(0.6, 2, tiers)).toBe(0); // 0.83x: no tier fits
  });
});
