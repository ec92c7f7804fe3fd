import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../shared/config/load.js';
import type { LendingProfile, PerpProfile } from '../../shared/config/schema.js';
import { computeRecommendation } from '../../shared/cycle/compute-recommendation.js';
import type { BookSummary, MarketSnapshot } from '../../shared/model/snapshot.js';
import { startTestTable, type TestTable } from '../support/dynamo.js';

/**
 * Issue 12 defect 5, "since when": a missing input's alert carries the last time the store had it good
 * (the newest book of an earlier snapshot, the newest stored bar), not "never seen"; and a book stored
 * with a snapshot inside the window but years old is stale, so held, not judged.
 */
const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp') as PerpProfile;
const H = 3_600_000;
const DAY = 24 * H;
const NOW = Date.UTC(2026, 10, 1);

function book(fetchedAtMs: number, depth2PctUsd = 500e6): BookSummary {
  const mid = 100;
  const bids: [number, number][] = [];
  for (let i = 1; i <= 100; i++) bids.push([mid * (1 - i * 0.001), depth2PctUsd / 20 / (mid * (1 - i * 0.001))]);
  return { venue: 'binance', pair: 'X', fetchedAtMs, midUsd: mid, spreadBps: 2, bids };
}

function snapshot(asset: string, takenAtMs: number, books: BookSummary[]): MarketSnapshot {
  return {
    asset,
    takenAtMs,
    source: 'replay',
    simulated: false,
    lastPriceUsd: 100,
    series: [],
    venues: [],
    books,
    quality: { passed: true, issues: [], venuesWithData: 1, missingBarShare: 0, lastBarAgeMs: 0 },
  };
}

function hourlyBars(fromMs: number, toMs: number) {
  const out = [];
  for (let t = fromMs, i = 0; t < toMs; t += H, i++) {
    const p = 100 * (1 + 0.01 * Math.sin(i / 7));
    out.push({ openTimeMs: t, open: p, high: p * 1.004, low: p * 0.996, close: p, volume: 1 });
  }
  return out;
}

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
}, 60_000);
afterAll(async () => {
  await table?.stop();
});

describe('compute: missing inputs say since when', () => {
  it('no book in the window: since the newest book stored before it', async () => {
    const { store } = table;
    await store.series.putBars('ETH', '1h', hourlyBars(NOW - 365 * DAY, NOW));
    // The last good book is three days old (before the 24 h window); the latest snapshot has none.
    await store.snapshots.put(snapshot('ETH', NOW - 3 * DAY, [book(NOW - 3 * DAY)]));
    await store.snapshots.put(snapshot('ETH', NOW - 2 * H, []));
    const latest = snapshot('ETH', NOW, []);
    await store.snapshots.put(latest);
    const r = await computeRecommendation({ config, store }, latest, lending, 'RUN-A', NOW);
    expect(r.status).toBe('no-data');
    const alert = r.alerts?.find((a) => a.input === 'order book');
    expect(alert?.sinceMs).toBe(NOW - 3 * DAY);
    expect(r.steps.find((s) => s.parameter === 'supplyCapUsd')!.missingInput).toMatchObject({ input: 'order book', sinceMs: NOW - 3 * DAY });
  });

  it('a snapshot without a book in the window is not a zero-depth book: the fresh one beside it is used', async () => {
    const { store } = table;
    await store.series.putBars('LINK', '1h', hourlyBars(NOW - 365 * DAY, NOW));
    await store.snapshots.put(snapshot('LINK', NOW - H, [book(NOW - H)]));
    const latest = snapshot('LINK', NOW, []);
    await store.snapshots.put(latest);
    const r = await computeRecommendation({ config, store }, latest, lending, 'RUN-B', NOW);
    expect(r.alerts ?? []).toEqual([]);
    expect(r.status).toBe('ok');
  });

  it('a recorded book years old, stored with today\'s snapshot, is stale: held since it was recorded, not delisted', async () => {
    const { store } = table;
    await store.series.putBars('CRV', '1h', hourlyBars(NOW - 365 * DAY, NOW));
    const recordedMs = NOW - 3 * 365 * DAY;
    const latest = snapshot('CRV', NOW, [book(recordedMs, 10_000)]);
    await store.snapshots.put(latest);
    const r = await computeRecommendation({ config, store }, latest, lending, 'RUN-C', NOW);
    expect(r.status).toBe('no-data');
    expect(r.unfitReasons).toEqual([]);
    expect(r.parameters).toEqual(lending.current.CRV);
    expect(r.alerts).toEqual([expect.objectContaining({ input: 'order book', sinceMs: recordedMs, stale: true })]);
  });

  it('no 5m bars in the perp lookback: since the newest stored 5m bar', async () => {
    const { store } = table;
    const lastBarOpen = NOW - 40 * DAY;
    await store.series.putBars('SOL', '5m', [{ openTimeMs: lastBarOpen - 300_000, open: 1, high: 1, low: 1, close: 1, volume: 1 }, { openTimeMs: lastBarOpen, open: 1, high: 1, low: 1, close: 1, volume: 1 }]);
    const latest = snapshot('SOL', NOW, [book(NOW)]);
    await store.snapshots.put(latest);
    const r = await computeRecommendation({ config, store }, latest, perp, 'RUN-D', NOW);
    expect(r.status).toBe('no-data');
    expect(r.alerts).toEqual([expect.objectContaining({ input: 'candles 5m', sinceMs: lastBarOpen + 300_000 })]);
  });
});
