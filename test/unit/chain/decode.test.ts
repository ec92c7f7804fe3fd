import { describe, expect, it } from 'vitest';
import { lastUpdatedOf, reserveOf } from '../../../shared/chain/decode.js';
import { ChainValueError } from '../../../shared/chain/errors.js';

/** issue 16: decoded chain values are checked with zod before any is used (Aave's encodings). */

const config = (ltv: bigint, lt: bigint, bonus: bigint) => [18n, ltv, lt, bonus, 1000n, true, true, false, true, false] as const;

describe('decoded reserve values', () => {
  it('converts Aave encodings: bonus 10500 is a 5 % bonus, caps in tokens', () => {
    expect(reserveOf(config(8050n, 8300n, 10_500n), [1_500_000n, 2_000_000n])).toMatchObject({ ltvBps: 8050, liquidationThresholdBps: 8300, liquidationBonusBps: 500, supplyCapTokens: 2_000_000, borrowCapTokens: 1_500_000 });
  });
  it.each([
    ['LT above 100 %', config(8050n, 10_001n, 10_500n)],
    ['LTV above LT', config(8400n, 8300n, 10_500n)],
    ['bonus not above 10000 with an LT', config(8050n, 8300n, 500n)],
    ['LT x bonus above 100 %', config(8050n, 9500n, 11_000n)],
  ])('refuses %s with a named error', (_, values) => {
    expect(() => reserveOf(values, [0n, 0n])).toThrow(ChainValueError);
  });
  it('refuses a cap beyond 36 bits and reads a timelock of 0 as never', () => {
    expect(() => reserveOf(config(0n, 0n, 0n), [0n, 2n ** 36n])).toThrow(ChainValueError);
    const t = { supplyCapLastUpdated: 0, borrowCapLastUpdated: 0, ltvLastUpdated: 1_700_000_000, liquidationBonusLastUpdated: 0, liquidationThresholdLastUpdated: 0 };
    expect(lastUpdatedOf(t)).toMatchObject({ ltvBps: 1_700_000_000_000, supplyCapUsd: null });
  });
});
