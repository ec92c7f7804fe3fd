import * as z from 'zod';
import type { ChainLastUpdatedSchemaOut, ChainReserveCore } from './types.js';
import { MS_PER_SECOND } from '../util/time.js';
import { ChainValueError } from './errors.js';

/**
 * zod checks of the values a multicall decoded, before any is used: what a well-formed ABI answer can still
 * get wrong (a node or proxy answering for another contract, a reserve not listed). Aave's encodings:
 * LTV and LT in bps (<= 10000, LTV <= LT), the liquidation bonus as 10000 + bonus (above 10000 whenever LT
 * is set, with LT x bonus <= 100 %), caps in whole tokens in 36 bits, times as uint40 Unix seconds.
 */

const BPS_MAX = 10_000n;
/** ReserveConfiguration stores caps in 36 bits (MAX_VALID_SUPPLY_CAP = 68,719,476,735). */
const CAP_MAX = 2n ** 36n - 1n;
/** A steward's maxPercentChange above 100,000 bps (1,000 %) is not a bound anyone configures. */
const MAX_CHANGE_MAX = 100_000n;
const SECONDS_MAX = 2n ** 40n - 1n;

const reserveConfiguration = z
  .tuple([
    z.bigint().min(0n).max(36n),
    z.bigint().min(0n).max(BPS_MAX),
    z.bigint().min(0n).max(BPS_MAX),
    z.bigint().min(0n).max(2n * BPS_MAX),
    z.bigint().min(0n).max(BPS_MAX),
    z.boolean(),
    z.boolean(),
    z.boolean(),
    z.boolean(),
    z.boolean(),
  ])
  .superRefine(([, ltv, lt, bonus], ctx) => {
    if (ltv > lt) ctx.addIssue({ code: 'custom', message: `LTV ${ltv} above LT ${lt}` });
    if (lt > 0n && bonus <= BPS_MAX) ctx.addIssue({ code: 'custom', message: `liquidation bonus ${bonus} not above 10000 with LT ${lt}` });
    if (lt > 0n && lt * bonus > BPS_MAX * BPS_MAX) ctx.addIssue({ code: 'custom', message: `LT ${lt} x bonus ${bonus} above 100 %` });
  });

const reserveCaps = z.tuple([z.bigint().min(0n).max(CAP_MAX), z.bigint().min(0n).max(CAP_MAX)]);

const seconds = z.union([z.number().int().min(0), z.bigint().min(0n).max(SECONDS_MAX)]).transform(Number);
const timelock = z.object({
  supplyCapLastUpdated: seconds,
  borrowCapLastUpdated: seconds,
  ltvLastUpdated: seconds,
  liquidationBonusLastUpdated: seconds,
  liquidationThresholdLastUpdated: seconds,
});
const bound = z.object({ minDelay: seconds, maxPercentChange: z.bigint().min(0n).max(MAX_CHANGE_MAX).transform(Number) });
const riskConfig = z.object({ ltv: bound, liquidationThreshold: bound, liquidationBonus: bound, supplyCap: bound, borrowCap: bound });

function parsed<T extends z.ZodType>(schema: T, value: unknown, call: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ChainValueError(call, result.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`));
  return result.data;
}

/** getReserveConfigurationData + getReserveCaps of one reserve, in the advisor's units. */
export function reserveOf(configuration: unknown, caps: unknown): ChainReserveCore {
  const [decimals, ltv, lt, bonus, , , borrowingEnabled, , , isFrozen] = parsed(reserveConfiguration, configuration, 'getReserveConfigurationData');
  const [borrowCap, supplyCap] = parsed(reserveCaps, caps, 'getReserveCaps');
  return {
    decimals: Number(decimals),
    ltvBps: Number(ltv),
    liquidationThresholdBps: Number(lt),
    // Aave stores 10000 + bonus (10500 = a 5 % bonus); 0 when the asset is not collateral.
    liquidationBonusBps: bonus === 0n ? 0 : Number(bonus - BPS_MAX),
    borrowingEnabled,
    isFrozen,
    supplyCapTokens: Number(supplyCap),
    borrowCapTokens: Number(borrowCap),
  };
}

const msOrNull = (s: number): number | null => (s === 0 ? null : s * MS_PER_SECOND);

/** getTimelock of one reserve: when the steward last changed each parameter (0 = never). */
export function lastUpdatedOf(value: unknown): ChainLastUpdatedSchemaOut {
  const t = parsed(timelock, value, 'getTimelock');
  return {
    ltvBps: msOrNull(t.ltvLastUpdated),
    liquidationThresholdBps: msOrNull(t.liquidationThresholdLastUpdated),
    liquidationBonusBps: msOrNull(t.liquidationBonusLastUpdated),
    supplyCapUsd: msOrNull(t.supplyCapLastUpdated),
    borrowCapUsd: msOrNull(t.borrowCapLastUpdated),
  };
}

/** getRiskConfig: the steward's bounds, delays in ms. */
export function stewardOf(value: unknown) {
  const c = parsed(riskConfig, value, 'getRiskConfig');
  const b = (x: { minDelay: number; maxPercentChange: number }) => ({ minDelayMs: x.minDelay * MS_PER_SECOND, maxChangeBps: x.maxPercentChange });
  return { ltv: b(c.ltv), liquidationThreshold: b(c.liquidationThreshold), liquidationBonus: b(c.liquidationBonus), supplyCap: b(c.supplyCap), borrowCap: b(c.borrowCap) };
}
