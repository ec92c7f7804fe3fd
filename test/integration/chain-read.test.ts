import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisorConfig, LendingProfile } from '../../shared/config/schema.js';
import { finalizeRun } from '../../shared/cycle/finalize.js';
import { SimulatedMarket } from '../../shared/market/simulator.js';
import type { LendingRecommendation } from '../../shared/model/recommendation.js';
import { MS_PER_HOUR } from '../../shared/util/time.js';
import { recordedCycle, useCycleTable } from '../support/cycle-harness.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { RpcServer, type RpcMode } from '../support/rpc-server.js';

/**
 * issue 16, part 2, acceptance: with a JSON-RPC server on loopback answering the multicall, a proposal's
 * current values come from the chain and differ from config where the chain does; with the RPC failing
 * (revert, wrong length, timeout, HTTP 500, malformed JSON) the run completes on config values and says so
 * in the run and in the proposal. A real cycle on a real local DynamoDB-API server.
 */

const NOW = Date.UTC(2025, 9, 1, 12, 0, 0);
const harness = useCycleTable(['ETH', 'BTC']);
const rpc = new RpcServer();
const TIMEOUT_MS = 400;

beforeAll(async () => {
  await rpc.start();
  const lending = harness.config.profiles.find((p): p is LendingProfile => p.kind === 'lending')!;
  const address = (symbol: string) => lending.chain!.assets[symbol]!.toLowerCase();
  // ETH differs from config (80.50 / 83.00 / 5.00 %): LTV 80.00 %, LT 82.50 %, bonus 6.00 %. BTC equals config.
  rpc.reserves.set(address('ETH'), { decimals: 18n, ltv: 8000n, liquidationThreshold: 8250n, liquidationBonus: 10_600n, borrowingEnabled: true, supplyCap: 2_000_000n, borrowCap: 1_500_000n, lastUpdated: NOW / 1000 - 86_400 });
  rpc.reserves.set(address('BTC'), { decimals: 8n, ltv: 7300n, liquidationThreshold: 7800n, liquidationBonus: 10_500n, borrowingEnabled: true, supplyCap: 40_000n, borrowCap: 28_000n });
  // The other reserves of the market, so the reading is whole (the run covers ETH and BTC only).
  for (const symbol of ['LINK', 'AAVE', 'UNI']) rpc.reserves.set(address(symbol), { decimals: 18n, ltv: 0n, liquidationThreshold: 7000n, liquidationBonus: 10_700n, borrowingEnabled: false, supplyCap: 1_000_000n, borrowCap: 0n });
  // CRV's reserve is not answered (returns no data): that asset alone falls back, named in the run.
});
const tables: TestTable[] = [];
afterAll(async () => {
  await rpc.stop();
  await Promise.all(tables.map((t) => t.stop()));
});

function configWithTimeout(timeoutMs: number): AdvisorConfig {
  return {
    ...harness.config,
    profiles: harness.config.profiles.map((p) => (p.kind === 'lending' ? { ...p, chain: { ...p.chain!, timeoutMs } } : p)),
  };
}

let cycleIndex = 0;
async function cycle(mode: RpcMode) {
  rpc.mode = mode;
  rpc.calls.length = 0;
  // A short timeout only where the server is silent: a cold first request must not time out elsewhere.
  const config = configWithTimeout(mode === 'timeout' ? TIMEOUT_MS : 10_000);
  const nowMs = NOW + cycleIndex++ * MS_PER_HOUR;
  const market = new SimulatedMarket({ seed: config.simulator.seed, originMs: Date.parse(config.simulator.originIso) });
  // Each mode on a table of its own: the cadence would hold a second proposal of the market on one table
  // (no material change within proposals.minIntervalHours), and this test reads each run's proposal.
  const table = await startTestTable();
  tables.push(table);
  const d = recordedCycle(config, table.store, market, () => nowMs);
  // The plan function reads the chain when ADVISOR_RPC_URL is set (plannerDepsOf): here, the loopback server.
  Object.assign(d.plan, { rpcUrl: rpc.url });
  const runId = await d.workAdhocRun(['ETH', 'BTC'], nowMs);
  expect(await finalizeRun(d.finalize, { runId })).not.toBeNull();
  const store = table.store;
  const run = (await store.runs.get(runId))!;
  const lending = (await Promise.all(run.recommendations.filter((r) => r.profileId === 'aave-v3-ethereum').map((r) => store.recommendations.version(r.asset, r.profileId, r.version)))) as LendingRecommendation[];
  const proposals = await Promise.all(run.proposals.map((id) => store.proposals.get(id)));
  const markdown = proposals.find((p) => p?.profileId === 'aave-v3-ethereum')?.markdown ?? '';
  return { run, eth: lending.find((r) => r.asset === 'ETH')!, btc: lending.find((r) => r.asset === 'BTC')!, markdown };
}

describe('current values from the chain (loopback JSON-RPC)', () => {
  it('good answer: current values come from the chain, differ from config where the chain does, in one multicall', async () => {
    const { run, eth, btc, markdown } = await cycle('good');
    expect(rpc.calls).toEqual([{ method: 'eth_call', innerCalls: 1 + 3 * 6 }]);
    expect(run.status).toBe('succeeded');
    expect(run.errors.filter((e) => e.stage === 'chain')).toEqual([{ asset: 'CRV', stage: 'chain', message: expect.stringMatching(/^aave-v3-ethereum: decode: getReserveConfigurationData: .*; current values from config$/) }]);
    expect(eth.current).toMatchObject({ ltvBps: 8000, liquidationThresholdBps: 8250, liquidationBonusBps: 600 });
    expect(eth.currentSource).toMatchObject({ origin: 'chain', warning: null, config: { ltvBps: 8050, liquidationThresholdBps: 8300, liquidationBonusBps: 500 } });
    expect(eth.currentSource!.fields).toMatchObject({ ltvBps: 'chain', liquidationThresholdBps: 'chain', supplyCapUsd: 'chain' });
    // Caps in tokens at the asset's last close.
    expect(eth.current!.supplyCapUsd / 2_000_000).toBeGreaterThan(100);
    expect(btc.current).toMatchObject({ ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500 });
    // The steward's bounds and the last update reach the guard rails' knobs.
    expect(eth.currentSource!.steward).toMatchObject({ maxStepBps: 50, capMaxChangeShare: 1, minDelayDays: 3, lastUpdatedMs: NOW - 86_400_000 });
    expect(markdown).toContain('## Current values');
    expect(markdown).toMatch(/\| ETH \| LTV \| 80\.00 % \| chain \| 80\.50 % \| 80\.00 % \| \*\*-0\.50 pp\*\* \|/);
    expect(markdown).toMatch(/\| BTC \| LTV \| 73\.00 % \| chain \| 73\.00 % \| 73\.00 % \| same \|/);
    expect(markdown).not.toContain('secret-key');
  });

  const KIND = { revert: 'revert', 'wrong-length': 'decode', timeout: 'timeout', 'http-500': 'http', malformed: 'http' } as const;
  for (const mode of ['revert', 'wrong-length', 'timeout', 'http-500', 'malformed'] as const) {
    it(`${mode}: the run completes on config values and says so in the run and the proposal`, async () => {
      const { run, eth, markdown } = await cycle(mode);
      expect(run.status).toBe('succeeded');
      const chainErrors = run.errors.filter((e) => e.stage === 'chain');
      expect(chainErrors).toHaveLength(1);
      expect(chainErrors[0]!.message).toContain(`chain read for aave-v3-ethereum failed (${KIND[mode]})`);
      expect(chainErrors[0]!.message).toMatch(/; current values from config$/);
      expect(eth.current).toMatchObject({ ltvBps: 8050, liquidationThresholdBps: 8300, liquidationBonusBps: 500 });
      expect(eth.currentSource).toMatchObject({ origin: 'config-fallback' });
      expect(markdown).toMatch(/> \*\*Warning:\*\* chain read failed, current values are from config/);
    });
  }
});
