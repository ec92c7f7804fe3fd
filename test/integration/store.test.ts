import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRun } from '../../shared/cycle/runs.js';
import type { Candle } from '../../shared/market/types.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { BARS_PER_CHUNK, SeriesRepository, SeriesWriteConflictError } from '../../shared/store/series.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { InvalidCursorError, RunTransitionError } from '../../shared/store/errors.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';
import { perpRecommendationDraft, proposal, recommendationDraft } from '../support/fixtures.js';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table?.stop();
});

describe('recommendation versions on the local DynamoDB-API server', () => {
  it('concurrent writers: every version is kept once, numbered 1..n, and the pointer ends on the highest', async () => {
    const { recommendations } = table.store;
    const writers = 8;
    const written = await Promise.all(
      Array.from({ length: writers }, (_, i) => recommendations.append(recommendationDraft({ asset: 'ETH', figures: { writer: i } }))),
    );
    const versions = written.map((r) => r.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
    const latest = await recommendations.latest('ETH', 'aave-v3-ethereum');
    expect(latest?.version).toBe(writers);
    // The pointer holds the content of that version, not of another writer.
    expect(latest?.figures).toEqual(written.find((r) => r.version === writers)!.figures);
    const all = await recommendations.history('ETH', 'aave-v3-ethereum', { limit: 100 });
    expect(all.items.map((r) => r.figures.writer).sort()).toEqual(Array.from({ length: writers }, (_, i) => i));
  });

  it('a version written twice at the same moment leaves exactly one latest pointer and no lost version', async () => {
    const { recommendations } = table.store;
    const [a, b] = await Promise.all([
      recommendations.append(recommendationDraft({ asset: 'SOL', runId: 'A' })),
      recommendations.append(recommendationDraft({ asset: 'SOL', runId: 'B' })),
    ]);
    expect(new Set([a.version, b.version])).toEqual(new Set([1, 2]));
    const latestForProfile = (await recommendations.latestForProfile('aave-v3-ethereum')).filter((r) => r.asset === 'SOL');
    expect(latestForProfile).toHaveLength(1);
    expect(latestForProfile[0]!.version).toBe(2);
  });

  it('history pagination returns every version once, newest first', async () => {
    const { recommendations } = table.store;
    for (let i = 0; i < 23; i++) await recommendations.append(recommendationDraft({ asset: 'LINK' }));
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await recommendations.history('LINK', 'aave-v3-ethereum', { limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((r) => r.version));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i));
    // Exactly the pages needed: the last one says it is the last (no empty page after it).
    expect(pages).toBe(5);
    for (let i = 0; i < 2; i++) await recommendations.append(recommendationDraft({ asset: 'LINK' }));
    const first = await recommendations.history('LINK', 'aave-v3-ethereum', { limit: 20 });
    const second = await recommendations.history('LINK', 'aave-v3-ethereum', { limit: 20, cursor: first.nextCursor! });
    expect([first.items.length, second.items.length, second.nextCursor]).toEqual([20, 5, null]);
  });

  it('profiles keep separate version sequences', async () => {
    const { recommendations } = table.store;
    const perp = await recommendations.append(perpRecommendationDraft({ asset: 'DOGE' }));
    const lending = await recommendations.append(recommendationDraft({ asset: 'DOGE' }));
    expect([perp.version, lending.version]).toEqual([1, 1]);
  });

  it('rejects a cursor it did not issue', async () => {
    await expect(table.store.recommendations.history('BTC', 'aave-v3-ethereum', { limit: 5, cursor: 'garbage!' })).rejects.toThrow(InvalidCursorError);
    const foreign = Buffer.from(JSON.stringify({ pk: 'ASSET#ETH', sk: 'REC#x' })).toString('base64url');
    await expect(table.store.recommendations.history('BTC', 'aave-v3-ethereum', { limit: 5, cursor: foreign })).rejects.toThrow(InvalidCursorError);
  });
});

describe('series chunks', () => {
  it('round-trips bars across chunk boundaries and merges overlapping writes', async () => {
    const H = 3_600_000;
    const start = BARS_PER_CHUNK * H * 500 - 10 * H; // straddles a chunk boundary
    const bars = (from: number, n: number, price: number): Candle[] =>
      Array.from({ length: n }, (_, i) => ({ openTimeMs: start + (from + i) * H, open: price, high: price + 1, low: price - 1, close: price + i, volume: 1 }));
    await table.store.series.putBars('AAVE', '1h', bars(0, 30, 100));
    await table.store.series.putBars('AAVE', '1h', bars(20, 20, 200)); // overlaps bars 20..29, extends to 39
    const read = await table.store.series.getBars('AAVE', '1h', start, start + 40 * H);
    expect(read).toHaveLength(40);
    expect(read[19]!.open).toBe(100);
    expect(read[20]!.open).toBe(200);
    expect(read.map((c) => c.openTimeMs)).toEqual(Array.from({ length: 40 }, (_, i) => start + i * H));
    expect(await table.store.series.getBars('AAVE', '1h', start + 5 * H, start + 7 * H)).toHaveLength(2);
  });
});

describe('series chunks under concurrent writers', () => {
  const H = 3_600_000;
  const bar = (openTimeMs: number, price: number): Candle => ({ openTimeMs, open: price, high: price + 1, low: price - 1, close: price, volume: 1 });

  it('many writers merging disjoint bars into the same chunk at once lose nothing', async () => {
    const start = BARS_PER_CHUNK * H * 600;
    const writers = 12;
    const perWriter = 5;
    // Each lost race means another writer's write landed, so `writers` attempts always suffice.
    const doc = createDocumentClient({ endpoint: table.dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const series = new SeriesRepository(doc, table.tableName, { maxAttempts: writers });
    await Promise.all(
      Array.from({ length: writers }, (_, w) =>
        series.putBars('RACE', '1h', Array.from({ length: perWriter }, (_, i) => bar(start + (w * perWriter + i) * H, 100 + w))),
      ),
    );
    doc.destroy();
    const read = await table.store.series.getBars('RACE', '1h', start, start + writers * perWriter * H);
    expect(read.map((c) => c.openTimeMs)).toEqual(Array.from({ length: writers * perWriter }, (_, i) => start + i * H));
    expect(read.map((c) => c.open)).toEqual(Array.from({ length: writers * perWriter }, (_, i) => 100 + Math.floor(i / perWriter)));
  });

  it('a writer that keeps losing the race gives up with a named error after its attempts; the winner\'s bars stay', async () => {
    const start = BARS_PER_CHUNK * H * 601;
    // Before each of the loser's chunk writes, another writer lands a bar in the same chunk first.
    const doc = createDocumentClient({ endpoint: table.dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const rival = table.store.series;
    let rivalBars = 0;
    const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
    (doc as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command) => {
      if (command instanceof PutCommand) await rival.putBars('LOSER', '1h', [bar(start + (100 + rivalBars++) * H, 7)]);
      return send(command);
    };
    const loser = new SeriesRepository(doc, table.tableName, { maxAttempts: 3, baseBackoffMs: 1, maxBackoffMs: 2 });
    try {
      const error = await loser.putBars('LOSER', '1h', [bar(start, 1)]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SeriesWriteConflictError);
      expect((error as SeriesWriteConflictError).details).toMatchObject({ asset: 'LOSER', interval: '1h', attempts: 3 });
      const read = await rival.getBars('LOSER', '1h', start, start + 200 * H);
      expect(read.map((c) => c.openTimeMs)).toEqual(Array.from({ length: rivalBars }, (_, i) => start + (100 + i) * H));
    } finally {
      doc.destroy();
    }
  });
});

describe('runs', () => {
  it('move queued -> running -> finished once; a duplicate start is refused', async () => {
    const run = newRun({ trigger: 'adhoc', requestedBy: 'token', reason: 'test', assets: ['BTC'], nowMs: Date.now() });
    await table.store.runs.create(run);
    expect(await table.store.runs.start(run.id, 1, 1)).toBe(true);
    expect(await table.store.runs.start(run.id, 2, 1)).toBe(false);
    await table.store.runs.finish(run.id, { status: 'succeeded', recommendations: [], proposals: [], errors: [], finishedAtMs: 3 });
    await expect(
      table.store.runs.finish(run.id, { status: 'failed', recommendations: [], proposals: [], errors: [], finishedAtMs: 4 }),
    ).rejects.toThrow(RunTransitionError);
    expect((await table.store.runs.get(run.id))?.status).toBe('succeeded');
  });
});

describe('run fan-out', () => {
  const outcome = (runId: string, asset: string, status: 'succeeded' | 'failed' = 'succeeded') => ({
    runId,
    asset,
    status,
    recommendations: status === 'succeeded' ? [{ asset, profileId: 'aave-v3-core', version: 1 }] : [],
    errors: status === 'failed' ? [{ asset, stage: 'ingest', message: 'venue down' }] : [],
    snapshotTakenAtMs: 1_000,
    finishedAtMs: 2_000,
  });

  it('counts each asset once however often it is marked, and reports when the run is complete', async () => {
    const run = newRun({ trigger: 'schedule', requestedBy: 'schedule', reason: null, assets: [], nowMs: Date.now() });
    await table.store.runs.create(run);
    expect(await table.store.runs.start(run.id, 1, 3)).toBe(true);
    expect(await table.store.runs.markAssetDone(run.id, 'BTC')).toEqual({ done: 1, total: 3 });
    // A redelivered message: the set already holds BTC.
    expect(await table.store.runs.markAssetDone(run.id, 'BTC')).toEqual({ done: 1, total: 3 });
    expect(await table.store.runs.markAssetDone(run.id, 'ETH')).toEqual({ done: 2, total: 3 });
    expect((await table.store.runs.get(run.id))?.assetsDone).toBe(2);
    // Eight concurrent duplicates of the last asset: every one sees the run complete, none counts twice.
    const last = await Promise.all(Array.from({ length: 8 }, () => table.store.runs.markAssetDone(run.id, 'SOL')));
    expect(last).toEqual(Array.from({ length: 8 }, () => ({ done: 3, total: 3 })));
    await table.store.runs.finish(run.id, { status: 'succeeded', recommendations: [], proposals: [], errors: [], finishedAtMs: 3 });
    expect(await table.store.runs.markAssetDone(run.id, 'LINK')).toBeNull();
  });

  it('keeps the first outcome of an asset and lists every outcome of the run', async () => {
    const run = newRun({ trigger: 'schedule', requestedBy: 'schedule', reason: null, assets: [], nowMs: Date.now() });
    await table.store.runs.create(run);
    expect(await table.store.runs.recordAssetOutcome(outcome(run.id, 'BTC'))).toEqual({ recorded: true });
    expect(await table.store.runs.recordAssetOutcome(outcome(run.id, 'BTC', 'failed'))).toEqual({ recorded: false });
    expect((await table.store.runs.assetOutcome(run.id, 'BTC'))?.status).toBe('succeeded');
    expect(await table.store.runs.assetOutcome(run.id, 'ETH')).toBeNull();
    await table.store.runs.recordAssetOutcome(outcome(run.id, 'ETH', 'failed'));
    expect((await table.store.runs.assetOutcomes(run.id)).map((o) => [o.asset, o.status])).toEqual([
      ['BTC', 'succeeded'],
      ['ETH', 'failed'],
    ]);
    // Outcomes live beside the run item without disturbing it.
    expect((await table.store.runs.get(run.id))?.status).toBe('queued');
  });
});

describe('proposal outbox', () => {
  it('creating the same proposal twice keeps one; it is marked sent exactly once', async () => {
    const p = proposal({ id: 'outbox-once' });
    expect(await table.store.proposals.createPending(p)).toEqual({ created: true });
    expect(await table.store.proposals.createPending({ ...p, title: 'other' })).toEqual({ created: false });
    expect((await table.store.proposals.listPending()).map((x) => x.id)).toContain('outbox-once');
    expect(await table.store.proposals.markSent('outbox-once', 'file.md', 10)).toBe(true);
    expect(await table.store.proposals.markSent('outbox-once', 'file.md', 11)).toBe(false);
    const stored = await table.store.proposals.get('outbox-once');
    expect(stored).toMatchObject({ status: 'sent', title: 'A title', externalRef: 'file.md', sentAtMs: 10, attempts: 1 });
    expect((await table.store.proposals.listPending()).map((x) => x.id)).not.toContain('outbox-once');
  });

  it('failures are counted and the proposal fails after the maximum, keeping the error', async () => {
    await table.store.proposals.createPending(proposal({ id: 'outbox-fail' }));
    expect(await table.store.proposals.recordFailure('outbox-fail', 'boom 1', 2)).toBe('pending');
    expect(await table.store.proposals.recordFailure('outbox-fail', 'boom 2', 2)).toBe('failed');
    expect(await table.store.proposals.get('outbox-fail')).toMatchObject({ status: 'failed', attempts: 2, lastError: 'boom 2' });
    expect((await table.store.proposals.listPending()).map((x) => x.id)).not.toContain('outbox-fail');
  });
});
