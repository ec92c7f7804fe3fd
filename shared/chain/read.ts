import { createPublicClient, http, type Address } from 'viem';
import type { LendingChain } from '../config/chain.js';
import type { ChainReading, ChainReserve } from '../model/chain.js';
import { AdvisorError } from '../util/errors.js';
import { POOL_DATA_PROVIDER_ABI, RISK_STEWARD_ABI } from './abi.js';
import { lastUpdatedOf, reserveOf, stewardOf } from './decode.js';
import { ChainReadError, type ChainFailureKind } from './errors.js';

/**
 * issue 16, part 2: one Multicall3 `aggregate3` per cycle and lending profile, with viem: for each reserve
 * getReserveConfigurationData and getReserveCaps (pool data provider) and getTimelock (risk steward), and
 * once getRiskConfig. Never throws: a timeout, an HTTP error, a JSON-RPC error, a revert or an answer that
 * does not decode gives a `failed` reading with the named error, and the cycle uses config values.
 */

export interface ChainReadInput {
  profileId: string;
  chain: LendingChain;
  rpcUrl: string;
  nowMs: number;
  /** Wall clock for the duration (default Date.now). */
  clock?: () => number;
}

/** Host only: provider URLs carry API keys in their path or query. */
export function rpcHostOf(rpcUrl: string): string {
  try {
    return new URL(rpcUrl).host;
  } catch {
    return 'invalid URL';
  }
}

/** Names along an error's cause chain (viem wraps: ContractFunctionExecutionError -> CallExecutionError -> HttpRequestError ...). */
function causeNames(error: unknown): string[] {
  const names: string[] = [];
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = (e as { cause?: unknown }).cause, depth++) names.push(e.name);
  return names;
}

function kindOf(error: unknown): ChainFailureKind {
  const names = causeNames(error);
  const text = error instanceof Error ? error.message : String(error);
  if (names.includes('TimeoutError')) return 'timeout';
  if (names.includes('ChainValueError')) return 'invalid';
  if (names.some((n) => n.startsWith('AbiDecoding') || n === 'PositionOutOfBoundsError' || n === 'SliceOffsetOutOfBoundsError' || n === 'InvalidAbiDecodingTypeError')) return 'decode';
  if (names.includes('ContractFunctionRevertedError') || /revert/i.test(text)) return 'revert';
  if (names.includes('HttpRequestError')) return 'http';
  return 'rpc';
}

/** The first line of an error's message, short (viem's messages carry the whole request). */
function shortMessage(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return (e.shortMessage ?? e.message ?? String(error)).split('\n')[0]!.slice(0, 300);
}

function failed(input: ChainReadInput, startedMs: number, error: ChainReadError, clock: () => number): ChainReading {
  return {
    profileId: input.profileId,
    status: 'failed',
    readAtMs: input.nowMs,
    durationMs: clock() - startedMs,
    rpcHost: rpcHostOf(input.rpcUrl),
    chainId: input.chain.chainId,
    error: { code: error.code, message: error.message },
    reserves: {},
    assetErrors: {},
    steward: null,
  };
}

type CallResult = { status: 'success'; result: unknown } | { status: 'failure'; error: Error };

export async function readLendingChain(input: ChainReadInput): Promise<ChainReading> {
  const clock = input.clock ?? Date.now;
  const startedMs = clock();
  const { chain } = input;
  const symbols = Object.keys(chain.assets).sort();
  const steward = { address: chain.riskSteward as Address, abi: RISK_STEWARD_ABI };
  const provider = { address: chain.poolDataProvider as Address, abi: POOL_DATA_PROVIDER_ABI };
  const contracts = [
    { ...steward, functionName: 'getRiskConfig' as const },
    ...symbols.flatMap((symbol) => {
      const asset = chain.assets[symbol] as Address;
      return [
        { ...provider, functionName: 'getReserveConfigurationData' as const, args: [asset] as const },
        { ...provider, functionName: 'getReserveCaps' as const, args: [asset] as const },
        { ...steward, functionName: 'getTimelock' as const, args: [asset] as const },
      ];
    }),
  ];
  let results: CallResult[];
  try {
    const client = createPublicClient({ transport: http(input.rpcUrl, { timeout: chain.timeoutMs, retryCount: 0 }) });
    // batchSize 0: every call in one aggregate3, one eth_call, however many reserves.
    results = (await client.multicall({ contracts, allowFailure: true, multicallAddress: chain.multicall3 as Address, batchSize: 0 })) as CallResult[];
  } catch (error) {
    return failed(input, startedMs, new ChainReadError(kindOf(error), input.profileId, shortMessage(error)), clock);
  }
  // With allowFailure, viem turns a failed request (timeout, HTTP, revert of aggregate3, bad encoding)
  // into one failure per call: that is one failed read, named by its cause, not a failure per asset.
  const first = results[0];
  if (first?.status === 'failure' && results.every((r) => r.status === 'failure')) {
    return failed(input, startedMs, new ChainReadError(kindOf(first.error), input.profileId, shortMessage(first.error)), clock);
  }
  const reserves: Record<string, ChainReserve> = {};
  const assetErrors: Record<string, string> = {};
  let stewardBounds: ChainReading['steward'] = null;
  let stewardError: string | null = null;
  const value = (r: CallResult | undefined, call: string): unknown => {
    if (!r) throw new ChainReadError('decode', input.profileId, `${call}: no result`);
    if (r.status === 'failure') throw new ChainReadError(kindOf(r.error), input.profileId, `${call}: ${shortMessage(r.error)}`);
    return r.result;
  };
  try {
    stewardBounds = stewardOf(value(results[0], 'getRiskConfig'));
  } catch (error) {
    stewardError = error instanceof ChainReadError ? `${error.kind}: ${error.detail}` : error instanceof AdvisorError ? error.message : shortMessage(error);
  }
  symbols.forEach((symbol, i) => {
    const [configuration, caps, timelock] = results.slice(1 + 3 * i, 4 + 3 * i);
    try {
      const core = reserveOf(value(configuration, 'getReserveConfigurationData'), value(caps, 'getReserveCaps'));
      let lastUpdatedMs: ChainReserve['lastUpdatedMs'] = null;
      try {
        lastUpdatedMs = lastUpdatedOf(value(timelock, 'getTimelock'));
      } catch {
        // Without the last-update times the profile's currentUpdatedAt (or none) applies; values still count.
      }
      reserves[symbol] = { ...core, lastUpdatedMs };
    } catch (error) {
      assetErrors[symbol] = error instanceof ChainReadError ? `${error.kind}: ${error.detail}` : error instanceof AdvisorError ? error.message : shortMessage(error);
    }
  });
  if (Object.keys(reserves).length === 0) {
    const why = Object.entries(assetErrors).map(([s, e]) => `${s}: ${e}`).join('; ') || 'no reserve configured';
    return failed(input, startedMs, new ChainReadError('no-reserves', input.profileId, why), clock);
  }
  if (stewardError) assetErrors['(steward)'] = stewardError;
  return {
    profileId: input.profileId,
    status: 'read',
    readAtMs: input.nowMs,
    durationMs: clock() - startedMs,
    rpcHost: rpcHostOf(input.rpcUrl),
    chainId: chain.chainId,
    error: null,
    reserves,
    assetErrors,
    steward: stewardBounds,
  };
}
