import { IRiskSteward_ABI } from '@aave-dao/aave-address-book/abis';
import { decodeFunctionData, encodeFunctionData, maxUint256, type Address, type Hex } from 'viem';
import type { SafeBatch, StewardRow } from '../../model/steward.js';

/**
 * The Aave risk-steward calls of a step table, encoded with viem against IRiskSteward's ABI from
 * @aave-dao/aave-address-book, and the Safe Transaction Builder batch that carries them. Pure.
 *
 * IRiskSteward.updateCollateralSide takes IAaveV3ConfigEngine.CollateralUpdate[] = {asset, ltv, liqThreshold, liqBonus,
 * debtCeiling, liqProtocolFee}; updateCaps takes CapsUpdate[] = {asset, supplyCap, borrowCap}. Every field we do not
 * move is KEEP_CURRENT (EngineFlags.KEEP_CURRENT = type(uint256).max - 42): the steward skips its checks and the engine
 * leaves it. liqProtocolFee must be KEEP_CURRENT (RiskSteward reverts ParamChangeNotAllowed otherwise) and we never
 * touch the debt ceiling.
 */

export const KEEP_CURRENT: bigint = maxUint256 - 42n;

export interface CollateralUpdate {
  asset: Address;
  ltv: bigint;
  liqThreshold: bigint;
  liqBonus: bigint;
  debtCeiling: bigint;
  liqProtocolFee: bigint;
}

export interface CapsUpdate {
  asset: Address;
  supplyCap: bigint;
  borrowCap: bigint;
}

export interface StewardCalls {
  collateral: CollateralUpdate[];
  caps: CapsUpdate[];
}

const orKeep = (value: number | null): bigint => (value === null ? KEEP_CURRENT : BigInt(value));

/** The two calls' arguments: an asset appears in a call only when it moves one of that call's fields. */
export function callsOf(rows: readonly StewardRow[]): StewardCalls {
  const collateral = rows
    .filter((r) => r.ltvBps !== null || r.liquidationThresholdBps !== null || r.liquidationBonusBps !== null)
    .map((r) => ({
      asset: r.tokenAddress as Address,
      ltv: orKeep(r.ltvBps),
      liqThreshold: orKeep(r.liquidationThresholdBps),
      liqBonus: orKeep(r.liquidationBonusBps),
      debtCeiling: KEEP_CURRENT,
      liqProtocolFee: KEEP_CURRENT,
    }));
  const caps = rows
    .filter((r) => r.supplyCapTokens !== null || r.borrowCapTokens !== null)
    .map((r) => ({ asset: r.tokenAddress as Address, supplyCap: orKeep(r.supplyCapTokens), borrowCap: orKeep(r.borrowCapTokens) }));
  return { collateral, caps };
}

export function encodeCollateralSide(updates: readonly CollateralUpdate[]): Hex {
  return encodeFunctionData({ abi: IRiskSteward_ABI, functionName: 'updateCollateralSide', args: [updates] });
}

export function encodeCaps(updates: readonly CapsUpdate[]): Hex {
  return encodeFunctionData({ abi: IRiskSteward_ABI, functionName: 'updateCaps', args: [updates] });
}

/** Decodes calldata of either call back into its arguments (a test reads every batch back this way). */
export function decodeStewardCall(data: Hex): { functionName: 'updateCollateralSide'; updates: CollateralUpdate[] } | { functionName: 'updateCaps'; updates: CapsUpdate[] } | { functionName: string; updates: null } {
  const decoded = decodeFunctionData({ abi: IRiskSteward_ABI, data });
  if (decoded.functionName === 'updateCollateralSide') return { functionName: 'updateCollateralSide', updates: [...decoded.args[0]] };
  if (decoded.functionName === 'updateCaps') return { functionName: 'updateCaps', updates: [...decoded.args[0]] };
  return { functionName: decoded.functionName, updates: null };
}

/** The Transaction Builder version whose batch format this follows (safe-react-apps tx-builder BatchFile). */
export const TX_BUILDER_VERSION = '1.18.0';

export interface BatchInput {
  chainId: number;
  steward: string;
  safeAddress: string | null;
  createdAtMs: number;
  name: string;
  description: string;
  calls: StewardCalls;
}

/** A batch of at most two transactions to the steward (collateral side, then caps); null when there is nothing to send. */
export function safeBatchOf(input: BatchInput): SafeBatch | null {
  const data: Hex[] = [];
  if (input.calls.collateral.length > 0) data.push(encodeCollateralSide(input.calls.collateral));
  if (input.calls.caps.length > 0) data.push(encodeCaps(input.calls.caps));
  if (data.length === 0) return null;
  return {
    version: '1.0',
    chainId: String(input.chainId),
    createdAt: input.createdAtMs,
    meta: {
      name: input.name,
      description: input.description,
      txBuilderVersion: TX_BUILDER_VERSION,
      createdFromSafeAddress: input.safeAddress ?? '',
      createdFromOwnerAddress: '',
    },
    transactions: data.map((d) => ({ to: input.steward, value: '0', data: d, contractMethod: null, contractInputsValues: null })),
  };
}
