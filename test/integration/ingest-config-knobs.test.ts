import { describe, expect, it } from 'vitest';
import { floorTo } from '../../shared/util/time.js';
import { CRASH_AT, H1, START, useIngestHarness } from '../support/ingest-harness.js';

/**
 * Ingest reads its outlier rule and quality thresholds from the config (policy.aggregation, policy.quality),
 * not from module constants: the same faults as ingest-quality.test.ts, under a config that moves the knobs.
 */

const LOOKBACK = { '5m': 5, '1h': 10 } as const;
// outlierMads 1,000: a 50 % wick is within the rule (the default 5 drops it); gapMinBars 3: a 2-bar gap is not a
// gap; refill maxRanges 0: no gap behind the head is asked for again (the default 4 refills it: ingest-refill.test.ts).
const h = useIngestHarness(LOOKBACK, { aggregation: { outlierMads: 1_000 }, quality: { gapMinBars: 3 }, refill: { maxRanges: 0 } });
const { newAsset, ingest, expectedAggregate, stored, codes } = h;

describe('ingest takes policy.aggregation, policy.quality and policy.refill from the config', () => {
  it('policy.aggregation.outlierMads: with k = 1,000 the one-venue flash-crash wick that k = 5 drops is kept', async () => {
    const asset = newAsset();
    const all = (await expectedAggregate(asset, '5m', ['binance', 'coinbase', 'kraken'])).find((c) => c.openTimeMs === CRASH_AT)!;
    h.krakenFlashCrash(asset);
    const snapshot = await ingest(asset);
    const bar = (await stored(asset, '5m')).find((c) => c.openTimeMs === CRASH_AT)!;
    expect(bar.low).toBeLessThan(all.open * 0.6);
    expect(codes(snapshot).filter((c) => c.startsWith('OUTLIER_BARS'))).toEqual([]);
    expect(snapshot.quality.report!.outliers).toEqual([]);
  });

  it('policy.quality.gapMinBars: with 3, the two missing hourly bars are no gap; the 24 missing 5m bars still are', async () => {
    const asset = newAsset();
    const gapStart = floorTo(START, H1) - 30 * H1;
    h.faultEveryVenue({ fault: { kind: 'gap', fromMs: gapStart, toMs: gapStart + 2 * H1 }, endpoint: 'candles' });
    const snapshot = await ingest(asset);
    expect(codes(snapshot).sort()).toEqual(['GAP:warning:5m']);
    expect(snapshot.quality.report!.gaps).toEqual([{ interval: '5m', startMs: gapStart, endMs: gapStart + 2 * H1, bars: 24 }]);
  });

  it('policy.refill.maxRanges: with 0, the next incremental ingest does not refill the gap behind the head', async () => {
    const asset = newAsset();
    const gapStart = floorTo(START, H1) - 10 * H1;
    const inGap = (c: { openTimeMs: number }) => c.openTimeMs >= gapStart && c.openTimeMs < gapStart + 2 * H1;
    h.faultEveryVenue({ fault: { kind: 'gap', fromMs: gapStart, toMs: gapStart + 2 * H1 }, endpoint: 'candles' });
    await ingest(asset);
    const later = START + H1;
    await ingest(asset, later);
    expect((await stored(asset, '5m', later)).filter(inGap)).toEqual([]);
    expect((await stored(asset, '5m', later)).length).toBeGreaterThan(0);
  });
});
