import * as z from 'zod';

/**
 * issue 16 (3): what a lending proposal asks of the Aave risk steward, as stored beside the proposal and
 * served at GET /v1/proposals/{id}/payload (the `batch`). Built by shared/governance/steward/.
 */

/** A Safe Transaction Builder batch (the JSON its "Load" button takes); each transaction carries raw calldata. */
export const safeBatchSchema = z
  .object({
    version: z.string(),
    chainId: z.string(),
    createdAt: z.number(),
    meta: z.object({
      name: z.string(),
      description: z.string(),
      txBuilderVersion: z.string(),
      createdFromSafeAddress: z.string(),
      createdFromOwnerAddress: z.string(),
    }),
    transactions: z.array(
      z.object({
        to: z.string(),
        value: z.string(),
        data: z.string().regex(/^0x[0-9a-f]*$/),
        contractMethod: z.null(),
        contractInputsValues: z.null(),
      }),
    ),
  })
  .meta({ id: 'SafeBatch', description: 'A Safe Transaction Builder batch: the risk-steward calls of the proposal\'s bounded steps.' });
export type SafeBatch = z.infer<typeof safeBatchSchema>;

const bpsOrKeep = z.number().int().nullable();
const tokensOrKeep = z.number().int().nullable();

/** One asset's calls: a null field is sent as KEEP_CURRENT (the steward leaves it). Caps in whole tokens. */
export const stewardRowSchema = z.object({
  asset: z.string(),
  token: z.string(),
  tokenAddress: z.string(),
  /** The price (USD per token) the recommendation used, which converts the USD caps to tokens; null without a book. */
  priceUsd: z.number().nullable(),
  ltvBps: bpsOrKeep,
  liquidationThresholdBps: bpsOrKeep,
  /** The bonus only (500 = 5 %), as the config engine takes it; the pool stores 10,500. */
  liquidationBonusBps: bpsOrKeep,
  supplyCapTokens: tokensOrKeep,
  borrowCapTokens: tokensOrKeep,
  /** The values the steward compares against (caps: the current USD cap at the same price, rounded). */
  current: z.object({
    ltvBps: z.number().nullable(),
    liquidationThresholdBps: z.number().nullable(),
    liquidationBonusBps: z.number().nullable(),
    supplyCapTokens: z.number().nullable(),
    borrowCapTokens: z.number().nullable(),
  }),
});
export type StewardRow = z.infer<typeof stewardRowSchema>;

/** A target beyond one bounded step: the dated steps that reach it under the bounds and the minimum delay. */
export const stewardPathSchema = z.object({
  asset: z.string(),
  parameter: z.string(),
  unit: z.enum(['bps', 'usd', 'x']),
  current: z.number(),
  target: z.number(),
  tighten: z.boolean(),
  steps: z.array(z.object({ value: z.number(), atMs: z.number() })),
  /** False when the steward cannot reach the target at all (e.g. 0): the path stops short and only a vote gets there. */
  reachable: z.boolean(),
  doneByMs: z.number(),
  /** When a governance vote started now would be executed (profile steward.governanceVoteDays). */
  voteDoneByMs: z.number(),
});
export type StewardPath = z.infer<typeof stewardPathSchema>;

export const stewardPayloadSchema = z.object({
  chainId: z.number().int(),
  steward: z.string(),
  rows: z.array(stewardRowSchema),
  /** Changes the steward cannot take (a new listing, an asset the protocol does not list, a cap without a price), and why. */
  skipped: z.array(z.object({ asset: z.string(), parameter: z.string(), reason: z.string() })),
  /** The batch reverts before this (the steward's minimum delay since the last update of any asset in it). */
  executableFromMs: z.number(),
  paths: z.array(stewardPathSchema),
  /** Null when no change can go through the steward. */
  batch: safeBatchSchema.nullable(),
});
export type StewardPayload = z.infer<typeof stewardPayloadSchema>;
