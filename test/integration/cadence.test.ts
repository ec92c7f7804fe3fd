import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finalizeRun } from '../../shared/cycle/finalize.js';
import { planRun } from '../../shared/cycle/plan.js';
import { draftMarkets } from '../../shared/cycle/publication.js';
import { runAssetWork } from '../../shared/cycle/worker.js';
import { dispatchOutbox } from '../../shared/governance/outbox.js';
import { LocalOutboxSink } from '../../shared/governance/sinks.js';
import { SimulatedMarket } from '../../shared/market/simulator.js';
import type { Candle, MarketSource } from '../../shared/market/types.js';
import type { ParameterStepRecord, Recommendation } from '../../shared/model/recommendation.js';
import type { Run } from '../../shared/model/run.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../../shared/util/time.js';
import { recordedCycle, useCycleTable } from '../support/cycle-harness.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { recommendationDraft } from '../support/fixtures.js';

/**
 * Issue 16 part 1 on a real local DynamoDB-API server: full cycles (plan -> workers -> finalize ->
 * dispatch to a local outbox folder). Two cycles in a row on the same market give one proposal per
 * market, not two; a crash inside the 24 h interval makes an emergency cut that goes at once.
 */

const NOW = Date.UTC(2025, 9, 1, 12, 0, 0);
const ASSETS = ['BTC', 'ETH'];
const harness = useCycleTable(ASSETS);
const outboxDir = mkdtempSync(join(tmpdir(), 'advisor-cadence-'));
afterAll(() => rmSync(outboxDir, { recursive: true, force: true }));

/**
 * The seeded simulator; with `crashFromMs`, BTC's bars from then on swing ±6 % an hour around a falling
 * path (the price halves over two days): a stressed volatility regime and a deep adverse move.
 */
function market(crashFromMs: number | null): MarketSource {
  const simulator = new SimulatedMarket({ seed: harness.config.simulator.seed, originMs: Date.parse(harness.config.simulator.originIso) });
  const crash = (c: Candle): Candle => {
    if (crashFromMs === null || c.openTimeMs < crashFromMs) return c;
    const hours = (c.openTimeMs - crashFromMs) / MS_PER_HOUR;
    const level = 0.5 ** (hours / 48) * (Math.floor(hours) % 2 === 0 ? 1.06 : 0.94);
    return { ...c, open: c.open * level, high: c.high * level * 1.03, low: c.low * level * 0.9, close: c.close * level };
  };
  return {
    kind: simulator.kind,
    simulated: simulator.simulated,
    getCandles: async (request) => {
      const candles = await simulator.getCandles(request);
      return request.asset.symbol === 'BTC' ? candles.map(crash) : candles;
    },
    getOrderBook: (request) => simulator.getOrderBook(request),
  };
}

/** One scheduled cycle at `nowMs`, then one dispatch to the outbox folder; the finished run. */
async function cycle(nowMs: number, source: MarketSource): Promise<Run> {
  // 30 days of hourly bars: enough returns (720) for the GARCH fit whose long-run level tells a stressed regime.
  const config = { ...harness.config, profiles: harness.config.profiles.map((p) => ({ ...p, lookbackDays: 30 })) };
  const d = recordedCycle(config, harness.table.store, source, () => nowMs);
  const planned = await planRun(d.plan);
  for (const work of d.queue.sent) await runAssetWork(d.worker, work);
  expect(await finalizeRun(d.finalize, { runId: planned!.runId })).not.toBeNull();
  await dispatchOutbox({ store: harness.table.store, sink: new LocalOutboxSink(outboxDir), maxAttempts: 3, now: () => nowMs });
  return (await harness.table.store.runs.get(planned!.runId))!;
}

const outbox = () => readdirSync(outboxDir).filter((f) => f.endsWith('.md')).sort();

describe('publish only what matters', () => {
  let first: Run;

  it('the first cycle publishes a proposal per market with changes', async () => {
    first = await cycle(NOW, market(null));
    expect(first.status).toBe('succeeded');
    expect(first.publication.map((d) => d.decision)).toEqual(harness.config.profiles.map(() => 'publish-first'));
    expect(first.proposals.length).toBeGreaterThan(0);
    expect(outbox()).toEqual([...first.proposals].map((id) => `${id}.md`).sort());
  });

  it('a second cycle on the same market writes no second proposal, and the run says why', async () => {
    const second = await cycle(NOW + MS_PER_MINUTE, market(null));
    expect(second.status).toBe('succeeded');
    expect(second.proposals).toEqual([]);
    expect(outbox()).toHaveLength(first.proposals.length);
    for (const decision of second.publication) {
      expect(decision).toMatchObject({ decision: 'held-no-material-change', publish: false, material: 0, since: { runId: first.id } });
      expect(decision.summary).toMatch(/^no material change since /);
    }
  });

  it('an emergency cut inside the interval goes at once, with what changed since the last proposal', async () => {
    const later = NOW + 6 * MS_PER_HOUR;
    const third = await cycle(later, market(later - 2 * MS_PER_DAY));
    const lending = third.publication.find((d) => d.profileId === 'aave-v3-ethereum')!;
    expect(lending).toMatchObject({ decision: 'publish-emergency', publish: true });
    expect(lending.emergencies.some((e) => e.startsWith('BTC '))).toBe(true);
    expect(lending.nextRoutineAtMs).toBe(NOW + 24 * MS_PER_HOUR);
    const id = third.proposals.find((p) => p.startsWith('aave-v3-ethereum-'))!;
    expect(outbox()).toContain(`${id}.md`);
    const proposal = (await harness.table.store.proposals.get(id))!;
    expect(proposal.title).toContain('[EMERGENCY CUT]');
    expect(proposal.markdown).toContain(`## Changes since the last published proposal (aave\\-v3\\-ethereum\\-${first.id.toLowerCase()}, 2025-10-01 12:00 UTC)`);
  });
});

describe('two finalizers racing for one market', () => {
  const T = Date.UTC(2026, 0, 5, 9, 0, 0);
  let table: TestTable;
  beforeAll(async () => {
    table = await startTestTable();
  });
  afterAll(async () => table?.stop());

  const step = (proposed: number): ParameterStepRecord => ({
    parameter: 'liquidationThresholdBps',
    current: 7800,
    target: 7600,
    proposed,
    status: 'bounded-needs-vote',
    direction: 'tighten',
    stress: false,
    reason: 'LT: bounded',
  });
  const recommendation = { ...recommendationDraft(), version: 1, current: { ltvBps: 7300, liquidationThresholdBps: 7800, liquidationBonusBps: 500, supplyCapUsd: 2.58e9, borrowCapUsd: 1.68e9 }, steps: [step(7750)] } as Recommendation;
  const draft = (runId: string, nowMs: number) =>
    draftMarkets({ config: harness.config, store: table.store, runId, nowMs, publicBaseUrl: 'http://x', target: 'local-outbox', recommendations: [recommendation] });

  it('the pointer moves once per version read: a second writer with the same read is refused', async () => {
    const mode = recommendation.simulated ? 'simulated' : 'live';
    const baseline = { proposalIds: ['p-1'], runId: ulid(T), publishedAtMs: T, values: [], emergencies: [] };
    expect(await table.store.publications.record('race-check', mode, baseline, null)).toBe(true);
    expect(await table.store.publications.record('race-check', mode, { ...baseline, proposalIds: ['p-2'] }, null)).toBe(false);
    const read = (await table.store.publications.latest('race-check', mode))!;
    expect(read).toMatchObject({ version: 1, current: { proposalIds: ['p-1'] }, previous: null });
    expect(await table.store.publications.record('race-check', mode, { ...baseline, proposalIds: ['p-3'] }, read)).toBe(true);
    expect(await table.store.publications.record('race-check', mode, { ...baseline, proposalIds: ['p-4'] }, read)).toBe(false);
    expect(await table.store.publications.latest('race-check', mode)).toMatchObject({ version: 2, current: { proposalIds: ['p-3'] }, previous: { proposalIds: ['p-1'] } });
  });

  it('two runs finalizing the same market at once: one publishes, the other decides again against it', async () => {
    const [a, b] = await Promise.all([draft(ulid(T), T), draft(ulid(T + 1), T + 1)]);
    const decisions = [...a!.decisions, ...b!.decisions].map((d) => d.decision).sort();
    expect(decisions).toEqual(['held-no-material-change', 'publish-first']);
    expect(a!.proposals.length + b!.proposals.length).toBe(1);
    // A retried finalizer of the winner drafts the same proposal again (idempotent ids), not a second one.
    const winner = a!.proposals.length === 1 ? { runId: a!.proposals[0]!.runId, nowMs: T } : { runId: b!.proposals[0]!.runId, nowMs: T + 1 };
    const again = await draft(winner.runId, winner.nowMs);
    expect(again.decisions.map((d) => d.decision)).toEqual(['publish-retry']);
    expect(again.proposals.map((p) => p.id)).toEqual([...a!.proposals, ...b!.proposals].map((p) => p.id));
  });
});
