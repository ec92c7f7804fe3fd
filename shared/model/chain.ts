import * as z from 'zod';
import { lendingParametersSchema } from '../config/schema.js';

/**
 * What one cycle read from the chain for a lending profile (issue 16, part 2): the reserves' live
 * configuration and caps, and the risk steward's bounds and last-update times, from one multicall made by
 * the plan function (shared/chain/read.ts). Stored with the run (pk RUN#<id>, sk CHAIN#<profile>) so
 * every worker of the run uses the same reading; a failed read is stored too, with why.
 * Units are the advisor's: bps, the liquidation bonus as the bonus only (Aave stores 10000 + bonus),
 * caps in whole tokens (0 = no cap, as Aave), times in epoch ms (null = never updated).
 */

/** Per parameter of the catalogue, when the steward last changed it (epoch ms) or null (never). */
export const chainLastUpdatedSchema = z.object({
  ltvBps: z.number().nullable(),
  liquidationThresholdBps: z.number().nullable(),
  liquidationBonusBps: z.number().nullable(),
  supplyCapUsd: z.number().nullable(),
  borrowCapUsd: z.number().nullable(),
});

export const chainReserveSchema = z.object({
  decimals: z.number().int().min(0).max(36),
  ltvBps: z.number().int().min(0).max(10_000),
  liquidationThresholdBps: z.number().int().min(0).max(10_000),
  /** The bonus only (500 = 5 %); 0 when the asset is not collateral (Aave then stores 0). */
  liquidationBonusBps: z.number().int().min(0).max(10_000),
  borrowingEnabled: z.boolean(),
  isFrozen: z.boolean(),
  /** Whole tokens; 0 means no cap (Aave's encoding). */
  supplyCapTokens: z.number().int().min(0),
  borrowCapTokens: z.number().int().min(0),
  /** From the steward's getTimelock; null when the steward part of the read failed. */
  lastUpdatedMs: chainLastUpdatedSchema.nullable(),
});
export type ChainReserve = z.infer<typeof chainReserveSchema>;

/** One steward bound: the minimum delay and the maximum change (bps: absolute for LTV/LT/bonus, relative for caps). */
const stewardBoundSchema = z.object({ minDelayMs: z.number().min(0), maxChangeBps: z.number().int().min(0) });
export const stewardBoundsSchema = z.object({
  ltv: stewardBoundSchema,
  liquidationThreshold: stewardBoundSchema,
  liquidationBonus: stewardBoundSchema,
  supplyCap: stewardBoundSchema,
  borrowCap: stewardBoundSchema,
});
export type StewardBounds = z.infer<typeof stewardBoundsSchema>;

export const chainReadingSchema = z.object({
  profileId: z.string(),
  /** `read`: the multicall answered (per-asset failures in assetErrors); `failed`: nothing usable came back. */
  status: z.enum(['read', 'failed']),
  readAtMs: z.number(),
  durationMs: z.number().min(0),
  /** The RPC endpoint's host (never the full URL: provider URLs carry API keys). */
  rpcHost: z.string(),
  chainId: z.number().int().positive(),
  /** Why the read failed (status `failed`): a named error's code and message. */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  reserves: z.record(z.string(), chainReserveSchema),
  /** Assets whose calls reverted or decoded to nonsense: they fall back to config alone. */
  assetErrors: z.record(z.string(), z.string()),
  steward: stewardBoundsSchema.nullable(),
});
export type ChainReading = z.infer<typeof chainReadingSchema>;

/** Where a current value came from. */
export const valueOriginSchema = z.enum(['chain', 'config']);

/**
 * Stored on a lending recommendation: where its current values came from, what config and chain said,
 * and the steward knobs the guard rails used. `warning` is set when the chain should have answered and did
 * not (a proposal and the run then say the values are from config).
 */
export const currentSourceSchema = z.object({
  /** `chain`: at least one value is from the chain; `config`: no RPC configured; `config-fallback`: the read failed. */
  origin: z.enum(['chain', 'config', 'config-fallback']),
  warning: z.string().nullable(),
  readAtMs: z.number().nullable(),
  rpcHost: z.string().nullable(),
  /** The configured values (null when config has none for the asset). */
  config: lendingParametersSchema.nullable(),
  /** What the chain said, in the advisor's units (caps at the asset's last close); a field is absent when the chain had no usable value. */
  chain: lendingParametersSchema.partial().nullable(),
  /** Per parameter, where the current value the guard rails used came from. */
  fields: z.record(z.string(), valueOriginSchema),
  /** Notes on single values (a cap of 0 means no cap on Aave; a cap needs a price to become USD). */
  notes: z.array(z.string()),
  /** The steward knobs the guard rails used, when they came from the chain's getRiskConfig / getTimelock. */
  steward: z
    .object({ maxStepBps: z.number(), capMaxChangeShare: z.number(), minDelayDays: z.number(), lastUpdatedMs: z.number().nullable() })
    .nullable(),
});
export type CurrentSource = z.infer<typeof currentSourceSchema>;
