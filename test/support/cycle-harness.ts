import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { AdvisorConfig } from '../../shared/config/schema.js';
import type { InvokedRole, InvokedRoleEvents, Invoker } from '../../shared/cycle/invoker.js';
import type { AssetQueue, AssetWork } from '../../shared/cycle/queue.js';
import { planRun } from '../../shared/cycle/plan.js';
import { newRun, type CycleDeps } from '../../shared/cycle/runs.js';
import { runAssetWork } from '../../shared/cycle/worker.js';
import type { MarketSource } from '../../shared/market/types.js';
import type { Store } from '../../shared/store/index.js';
import { startTestTable, type TestTable } from './dynamo.js';

/**
 * The cycle's steps (plan -> workers -> finalize) on a real local DynamoDB-API server, for the fan-out
 * and crash tests. The queue and the invoker are recorded rather than run, so each test decides the
 * delivery order, duplicates and crashes.
 */

export class RecordingQueue implements AssetQueue {
  readonly sent: AssetWork[] = [];
  async enqueue(work: readonly AssetWork[]): Promise<void> {
    this.sent.push(...work);
  }
}

export class RecordingInvoker implements Invoker {
  readonly calls: { role: InvokedRole; event: unknown }[] = [];
  async invoke<R extends InvokedRole>(role: R, event: InvokedRoleEvents[R]): Promise<void> {
    this.calls.push({ role, event });
  }
  of(role: InvokedRole) {
    return this.calls.filter((c) => c.role === role);
  }
}

/**
 * A fresh table and the default config cut to `assets`, for one test file (its own beforeAll/afterAll).
 * Short lookbacks keep each asset's compute fast; the cycle is what is under test.
 */
export function useCycleTable(assets: readonly string[]): { readonly table: TestTable; readonly config: AdvisorConfig } {
  let table: TestTable;
  let config: AdvisorConfig;
  beforeAll(async () => {
    table = await startTestTable();
    const base = buildConfig();
    config = buildConfig({
      assets: base.assets.filter((a) => assets.includes(a.symbol)),
      profiles: base.profiles.map((p) => ({ ...p, lookbackDays: Math.min(p.lookbackDays, 20) })),
    } as never);
  });
  afterAll(async () => table?.stop());
  return {
    get table() {
      return table;
    },
    get config() {
      return config;
    },
  };
}

/** Each step's dependencies over one recorded queue and invoker, workers reading `source`. */
export function recordedCycle(config: AdvisorConfig, store: Store, source: MarketSource, now: () => number) {
  const invoker = new RecordingInvoker();
  const queue = new RecordingQueue();
  const cycle: CycleDeps = { config, store, invoker, logger: new Logger({ logLevel: 'SILENT' }), now };
  const plan = { ...cycle, queue };
  const worker = { ...cycle, source };
  return {
    invoker,
    queue,
    plan,
    worker,
    finalize: { ...cycle, publicBaseUrl: 'http://127.0.0.1:8787', publishTarget: 'local-outbox' },
    /** Stores an ad-hoc run of `assets`, plans it and works each message once, in order; returns its id, ready to finalize. */
    async workAdhocRun(assets: string[], nowMs: number): Promise<string> {
      const run = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: null, assets, nowMs });
      await store.runs.create(run);
      await planRun(plan, run.id);
      for (const work of queue.sent) await runAssetWork(worker, work);
      return run.id;
    },
  };
}
