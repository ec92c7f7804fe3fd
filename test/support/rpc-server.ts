import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeFunctionData, encodeFunctionResult, multicall3Abi, type Hex } from 'viem';
import { POOL_ABI, POOL_DATA_PROVIDER_ABI, RISK_STEWARD_ABI } from '../../shared/chain/abi.js';

/**
 * A JSON-RPC server on loopback answering `eth_call` to Multicall3's aggregate3 the way a node does: it
 * decodes each inner call, answers it from the reserves below with ABI-encoded values (viem), and
 * encodes the aggregate3 result. Faults per mode: a revert (JSON-RPC error 3), a return of the wrong
 * length, no answer (timeout), HTTP 500, a body that is not JSON.
 */

export interface RpcReserve {
  decimals: bigint;
  ltv: bigint;
  liquidationThreshold: bigint;
  /** Aave's encoding: 10000 + bonus. */
  liquidationBonus: bigint;
  borrowingEnabled: boolean;
  supplyCap: bigint;
  borrowCap: bigint;
  /** Unix seconds of the last steward update of each (0 = never). */
  lastUpdated?: number;
}

export type RpcMode = 'good' | 'revert' | 'wrong-length' | 'timeout' | 'http-500' | 'malformed';

export interface RpcAccount {
  totalCollateralBase: bigint;
  totalDebtBase: bigint;
  currentLiquidationThreshold: bigint;
  ltv: bigint;
}

const RISK_PARAM = (minDelay: number, maxPercentChange: bigint) => ({ minDelay, maxPercentChange });

export class RpcServer {
  mode: RpcMode = 'good';
  /** Requests received (eth_call count), to check one multicall per cycle. */
  readonly calls: { method: string; innerCalls: number }[] = [];
  readonly reserves = new Map<string, RpcReserve>();
  readonly accounts = new Map<string, RpcAccount>();
  riskConfig = {
    ltv: RISK_PARAM(259_200, 50n),
    liquidationThreshold: RISK_PARAM(259_200, 50n),
    liquidationBonus: RISK_PARAM(259_200, 50n),
    supplyCap: RISK_PARAM(259_200, 10_000n),
    borrowCap: RISK_PARAM(259_200, 10_000n),
    debtCeiling: RISK_PARAM(259_200, 2_000n),
    baseVariableBorrowRate: RISK_PARAM(259_200, 50n),
    variableRateSlope1: RISK_PARAM(259_200, 50n),
    variableRateSlope2: RISK_PARAM(259_200, 50n),
    optimalUsageRatio: RISK_PARAM(259_200, 50n),
    priceCapLst: RISK_PARAM(259_200, 50n),
    priceCapStable: RISK_PARAM(259_200, 50n),
  };
  private server!: Server;
  private readonly pending = new Set<import('node:http').ServerResponse>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => this.answer(body, res));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/rpc/secret-key`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.pending) res.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(body: string, res: import('node:http').ServerResponse): void {
    const request = JSON.parse(body) as { id: number; method: string; params: [{ to: string; data: Hex }] };
    const reply = (payload: unknown, status = 200) => {
      const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(text);
    };
    if (request.method !== 'eth_call') return reply({ jsonrpc: '2.0', id: request.id, error: { code: -32601, message: 'method not found' } });
    const { args } = decodeFunctionData({ abi: multicall3Abi, data: request.params[0].data });
    const inner = args[0] as readonly { target: string; allowFailure: boolean; callData: Hex }[];
    this.calls.push({ method: request.method, innerCalls: inner.length });
    if (this.mode === 'timeout') {
      this.pending.add(res);
      return;
    }
    if (this.mode === 'http-500') return reply('internal error', 500);
    if (this.mode === 'malformed') return reply('{"jsonrpc":"2.0","id":');
    if (this.mode === 'revert') return reply({ jsonrpc: '2.0', id: request.id, error: { code: 3, message: 'execution reverted', data: '0x' } });
    const results = inner.map((call) => ({ success: true, returnData: this.innerAnswer(call.callData) }));
    let data = encodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', result: results });
    // Wrong length: the answer cut mid-word, as a broken proxy would.
    if (this.mode === 'wrong-length') data = data.slice(0, data.length - 130) as Hex;
    reply({ jsonrpc: '2.0', id: request.id, result: data });
  }

  private innerAnswer(callData: Hex): Hex {
    const selector = callData.slice(0, 10);
    for (const abi of [POOL_DATA_PROVIDER_ABI, RISK_STEWARD_ABI, POOL_ABI] as const) {
      let decoded: { functionName: string; args?: readonly unknown[] };
      try {
        decoded = decodeFunctionData({ abi: abi as never, data: callData }) as never;
      } catch {
        continue;
      }
      const key = String(decoded.args?.[0] ?? '').toLowerCase();
      const r = this.reserves.get(key);
      switch (decoded.functionName) {
        case 'getReserveConfigurationData':
          if (!r) return '0x';
          return encodeFunctionResult({ abi: POOL_DATA_PROVIDER_ABI, functionName: 'getReserveConfigurationData', result: [r.decimals, r.ltv, r.liquidationThreshold, r.liquidationBonus, 1000n, r.ltv > 0n, r.borrowingEnabled, false, true, false] });
        case 'getReserveCaps':
          if (!r) return '0x';
          return encodeFunctionResult({ abi: POOL_DATA_PROVIDER_ABI, functionName: 'getReserveCaps', result: [r.borrowCap, r.supplyCap] });
        case 'getTimelock': {
          const t = r?.lastUpdated ?? 0;
          return encodeFunctionResult({
            abi: RISK_STEWARD_ABI,
            functionName: 'getTimelock',
            result: { supplyCapLastUpdated: t, borrowCapLastUpdated: t, ltvLastUpdated: t, liquidationBonusLastUpdated: t, liquidationThresholdLastUpdated: t, debtCeilingLastUpdated: 0, baseVariableRateLastUpdated: 0, variableRateSlope1LastUpdated: 0, variableRateSlope2LastUpdated: 0, optimalUsageRatioLastUpdated: 0, priceCapLastUpdated: 0 },
          } as never);
        }
        case 'getRiskConfig':
          return encodeFunctionResult({ abi: RISK_STEWARD_ABI, functionName: 'getRiskConfig', result: this.riskConfig } as never);
        case 'getUserAccountData': {
          const a = this.accounts.get(key);
          if (!a) return '0x';
          return encodeFunctionResult({ abi: POOL_ABI, functionName: 'getUserAccountData', result: [a.totalCollateralBase, a.totalDebtBase, 0n, a.currentLiquidationThreshold, a.ltv, 0n] });
        }
      }
    }
    throw new Error(`unknown call ${selector}`);
  }
}
