import { describe, expect, it } from 'vitest';
import { floorTo } from '../../shared/util/time.js';
import type { VenueId } from '../../shared/config/schema.js';
import { CRASH_AT, H1, M5, START, useIngestHarness } from '../support/ingest-harness.js';

/**
 * ingestAsset over LiveMarket and the loopback venues with data faults (a flash-crash wick, a two-hour
 * gap, a stale feed, crossed and empty books, zero-volume runs): the outcome is read from the quality
 * report stored with the snapshot, and from the stored series.
 */

const LOOKBACK = { '5m': 5, '1h': 10 } as const;
const h = useIngestHarness(LOOKBACK);
const { newAsset, ingest, expectedAggregate, stored, codes } = h;

describe('data faults and the quality report', () => {
  it('a flash-crash wick on one venue is not taken: the stored low is the other venues\', OUTLIER_BARS names the venue and bar', async () => {
    const asset = newAsset();
    const all = (await expectedAggregate(asset, '5m', ['binance', 'coinbase', 'kraken'])).find((c) => c.openTimeMs === CRASH_AT)!;
    const lowsOf = async (venue: VenueId) => (await expectedAggregate(asset, '5m', [venue])).find((c) => c.openTimeMs === CRASH_AT)!.low;
    // Open and close stay the three-venue medians; the low comes from the two venues that agree.
    const expectedLow = Math.min(await lowsOf('binance'), await lowsOf('coinbase'), all.open, all.close);
    h.krakenFlashCrash(asset);
    const snapshot = await ingest(asset);
    const bar = (await stored(asset, '5m')).find((c) => c.openTimeMs === CRASH_AT)!;
    expect(bar).toMatchObject({ open: all.open, close: all.close, low: expectedLow });
    expect(bar.low).toBeGreaterThan(all.open * 0.99);
    expect(codes(snapshot).sort()).toEqual(['OUTLIER_BARS:warning:kraken:1h', 'OUTLIER_BARS:warning:kraken:5m']);
    expect(snapshot.quality.report!.outliers.find((o) => o.interval === '5m')).toMatchObject({ venue: 'kraken', side: 'low', openTimeMs: CRASH_AT });
    expect(snapshot.quality.passed).toBe(true);
  });

  it('a two-hour gap on every venue stays a gap (never filled) and is reported; on one venue the others fill it', async () => {
    const asset = newAsset();
    const gapStart = floorTo(START, H1) - 30 * H1;
    h.faultEveryVenue({ fault: { kind: 'gap', fromMs: gapStart, toMs: gapStart + 2 * H1 }, endpoint: 'candles' });
    const snapshot = await ingest(asset);
    const bars = await stored(asset, '5m');
    expect(bars.some((c) => c.openTimeMs >= gapStart && c.openTimeMs < gapStart + 2 * H1)).toBe(false);
    expect(codes(snapshot).sort()).toEqual(['GAP:warning:1h', 'GAP:warning:5m']);
    expect(snapshot.quality.report!.gaps).toEqual(
      expect.arrayContaining([
        { interval: '5m', startMs: gapStart, endMs: gapStart + 2 * H1, bars: 24 },
        { interval: '1h', startMs: gapStart, endMs: gapStart + 2 * H1, bars: 2 },
      ]),
    );
    // 24 of 1,440 bars (1.7 %) is within the 2 % missing-bar limit: reported, not failed.
    expect(snapshot.quality.passed).toBe(true);
    h.servers.clearFaults();
    const other = newAsset();
    h.servers.fault('coinbase', { fault: { kind: 'gap', fromMs: gapStart, toMs: gapStart + 2 * H1 }, endpoint: 'candles' });
    const otherSnapshot = await ingest(other);
    expect(codes(otherSnapshot)).toEqual([]);
    expect((await stored(other, '5m')).filter((c) => c.openTimeMs >= gapStart && c.openTimeMs < gapStart + 2 * H1)).toHaveLength(24);
  });

  it('a stale feed on one venue: VENUE_STALE, the venue does not count, the aggregate stays current from the others', async () => {
    const asset = newAsset();
    h.servers.fault('coinbase', { fault: { kind: 'stale', sinceMs: START - 5 * H1 }, endpoint: 'candles' });
    const snapshot = await ingest(asset);
    expect(codes(snapshot).sort()).toEqual(['VENUE_STALE:warning:coinbase:1h', 'VENUE_STALE:warning:coinbase:5m']);
    expect(snapshot.quality).toMatchObject({ passed: true, venuesWithData: 2 });
    expect(snapshot.quality.report!.venuesMissing).toEqual(['coinbase']);
    expect(snapshot.series.find((s) => s.interval === '5m')!.endMs).toBe(floorTo(START, M5));
  });

  it('every feed stale: STALE_LAST_BAR on the series and TOO_FEW_VENUES (weak evidence)', async () => {
    const asset = newAsset();
    h.faultEveryVenue({ fault: { kind: 'stale', sinceMs: START - 5 * H1 }, endpoint: 'candles' });
    const snapshot = await ingest(asset);
    // Five hours of 5m bars missing at the end is also 4.2 % of the 5-day lookback: MISSING_BARS too.
    expect(codes(snapshot).sort()).toEqual([
      'MISSING_BARS:failure:5m',
      'STALE_LAST_BAR:warning:1h',
      'STALE_LAST_BAR:warning:5m',
      'TOO_FEW_VENUES:failure',
      'VENUE_STALE:warning:binance:1h',
      'VENUE_STALE:warning:binance:5m',
      'VENUE_STALE:warning:coinbase:1h',
      'VENUE_STALE:warning:coinbase:5m',
      'VENUE_STALE:warning:kraken:1h',
      'VENUE_STALE:warning:kraken:5m',
    ]);
    expect(snapshot.quality.passed).toBe(false);
  });

  it('crossed and empty books are not used and are reported per venue; no usable book anywhere fails', async () => {
    const asset = newAsset();
    h.servers.fault('binance', { fault: { kind: 'crossed-book' }, endpoint: 'book' });
    h.servers.fault('coinbase', { fault: { kind: 'empty-book' }, endpoint: 'book' });
    const snapshot = await ingest(asset);
    expect(snapshot.books.map((b) => b.venue)).toEqual(['kraken']);
    expect(codes(snapshot).sort()).toEqual(['VENUE_BOOK_CROSSED:warning:binance', 'VENUE_BOOK_EMPTY:warning:coinbase', 'VENUE_FAILED:warning:binance', 'VENUE_FAILED:warning:coinbase']);
    expect(snapshot.quality.report!.books).toEqual([
      { venue: 'binance', status: 'crossed' },
      { venue: 'coinbase', status: 'empty' },
      { venue: 'kraken', status: 'ok' },
    ]);
    expect(snapshot.quality.passed).toBe(true);
    h.servers.fault('kraken', { fault: { kind: 'empty-book' }, endpoint: 'book' });
    const none = await ingest(newAsset());
    expect(codes(none)).toContain('EMPTY_BOOK:failure');
    expect(none.quality.passed).toBe(false);
  });

  it('a zero-volume run on one venue is reported with its start and length', async () => {
    const asset = newAsset();
    const from = floorTo(START, H1) - 5 * H1;
    h.servers.fault('kraken', { fault: { kind: 'zero-volume', fromMs: from, toMs: from + 2 * H1 }, endpoint: 'candles' });
    const snapshot = await ingest(asset);
    expect(codes(snapshot)).toEqual(expect.arrayContaining(['ZERO_VOLUME_RUN:warning:kraken:5m']));
    expect(snapshot.quality.report!.zeroVolumeRuns).toEqual(expect.arrayContaining([{ interval: '5m', venue: 'kraken', startMs: from, bars: 24 }]));
  });
});
