import { describe, expect, it } from 'vitest';
import { MS_PER_DAY, floorTo } from '../../shared/util/time.js';
import type { FaultRule } from '../support/venue-server.js';
import { H1, M5, START, useIngestHarness } from '../support/ingest-harness.js';

/**
 * ingestAsset over LiveMarket, the loopback venues and a real local DynamoDB-API server: each fault's
 * outcome is read from the stored snapshot and series, and a failed venue never corrupts the aggregate.
 */

const LOOKBACK = { '5m': 2, '1h': 4 } as const;
const h = useIngestHarness(LOOKBACK);
const { newAsset, ingest, expectedAggregate, stored, codes } = h;

describe('ingest over live venues: healthy cycle and incremental history', () => {
  it('stores the three-venue aggregate, books in USD and the quote rate used; quality passes clean', async () => {
    const asset = newAsset();
    const expected5m = await expectedAggregate(asset, '5m', ['binance', 'coinbase', 'kraken']);
    const snapshot = await ingest(asset);
    expect(codes(snapshot)).toEqual([]);
    expect(snapshot.quality).toMatchObject({ passed: true, venuesWithData: 3, missingBarShare: 0 });
    expect(await stored(asset, '5m')).toEqual(expected5m);
    expect(snapshot.series.find((s) => s.interval === '1h')).toMatchObject({ bars: 96, endMs: floorTo(START, H1) });
    expect(snapshot.books.map((b) => b.venue).sort()).toEqual(['binance', 'coinbase', 'kraken']);
    const binance = snapshot.venues.find((v) => v.venue === 'binance')!;
    expect(binance.quote).toMatchObject({ currency: 'USDT', source: 'kraken:USDTZUSD mid' });
    expect(binance.quote!.usdPerQuote).toBeCloseTo(1.0005, 8);
    expect(snapshot.quality.report!.fetched).toEqual(
      expect.arrayContaining([
        { interval: '1h', fromMs: floorTo(START, H1) - 4 * MS_PER_DAY, toMs: floorTo(START, H1), incremental: false, newBars: 96 },
        { interval: '5m', fromMs: floorTo(START, M5) - 2 * MS_PER_DAY, toMs: floorTo(START, M5), incremental: false, newBars: 576 },
      ]),
    );
  });

  it('the next cycle fetches only the bars after the stored head (one bar of overlap) and keeps the full series', async () => {
    const asset = newAsset();
    await ingest(asset);
    const first = await stored(asset, '5m');
    const head = first.at(-1)!.openTimeMs;
    const before = h.servers.requests().length;
    const later = START + 2 * H1;
    const snapshot = await ingest(asset, later);
    const candleRequests = h.servers.requests().slice(before).filter((r) => r.endpoint === 'candles' && r.query.symbol === `${asset.symbol}USDT`);
    expect(candleRequests.map((r) => [r.query.interval, Number(r.query.startTime)]).sort()).toEqual(
      [
        ['1h', floorTo(START, H1) - H1],
        ['5m', head],
      ].sort(),
    );
    expect(snapshot.quality.report!.fetched.find((f) => f.interval === '5m')).toMatchObject({ incremental: true, newBars: 24, fromMs: head });
    expect(snapshot.series.find((s) => s.interval === '5m')).toMatchObject({ bars: 576, endMs: floorTo(later, M5) });
    expect(snapshot.quality.passed).toBe(true);
    // Stored history is kept as it was aggregated (Kraken's 720-bar window has since moved on); the head
    // bar and the new bars are this cycle's aggregate.
    const second = await stored(asset, '5m', later);
    const fresh = (await expectedAggregate(asset, '5m', ['binance', 'coinbase', 'kraken'], later)).filter((c) => c.openTimeMs >= head);
    expect(second).toEqual([...first.filter((c) => c.openTimeMs >= floorTo(later, M5) - LOOKBACK['5m'] * MS_PER_DAY && c.openTimeMs < head), ...fresh]);
  });
});

describe('a failed venue never corrupts the aggregate', () => {
  const faults: [string, FaultRule][] = [
    ['timeout', { fault: { kind: 'timeout' } }],
    ['HTTP 500', { fault: { kind: 'status', status: 500 } }],
    ['malformed JSON', { fault: { kind: 'malformed-json' } }],
    ['truncated body', { fault: { kind: 'truncated' } }],
    ['valid JSON of the wrong shape', { fault: { kind: 'wrong-shape' } }],
  ];
  it.each(faults)('%s on Coinbase: the venue is reported failed, the stored series is the Binance + Kraken aggregate exactly', async (_name, rule) => {
    const asset = newAsset();
    const expected = await expectedAggregate(asset, '5m', ['binance', 'kraken']);
    h.servers.fault('coinbase', rule);
    // The timeout fault never answers, so a short timeout on Coinbase alone cannot race an answer; the
    // healthy venues keep the generous one.
    const snapshot = await ingest(asset, START, rule.fault.kind === 'timeout' ? { coinbase: { timeoutMs: 100 } } : {});
    expect(snapshot.venues.find((v) => v.venue === 'coinbase')).toMatchObject({ candles: 'failed', book: 'failed' });
    expect(codes(snapshot)).toEqual(['VENUE_FAILED:warning:coinbase']);
    expect(snapshot.quality).toMatchObject({ passed: true, venuesWithData: 2 });
    expect(snapshot.books.map((b) => b.venue).sort()).toEqual(['binance', 'kraken']);
    expect(await stored(asset, '5m')).toEqual(expected);
  });

  it('429 with Retry-After on one venue costs time, not data: all three venues, nothing flagged', async () => {
    const asset = newAsset();
    // A fractional Retry-After keeps this test short; the standard integer form is tested in venues-faults.test.ts.
    h.servers.fault('kraken', { fault: { kind: 'status', status: 429, retryAfterSeconds: 0.2 }, endpoint: 'candles', times: 1 });
    const snapshot = await ingest(asset);
    expect(codes(snapshot)).toEqual([]);
    expect(snapshot.quality.venuesWithData).toBe(3);
  });

  it('Kraken down: its venue is failed and Binance USDT prices are taken at par, flagged', async () => {
    const asset = newAsset();
    h.servers.fault('kraken', { fault: { kind: 'status', status: 503 } });
    const snapshot = await ingest(asset);
    expect(codes(snapshot).sort()).toEqual(['QUOTE_RATE_ASSUMED:warning:binance', 'VENUE_FAILED:warning:kraken']);
    expect(snapshot.venues.find((v) => v.venue === 'binance')!.quote).toMatchObject({ usdPerQuote: 1, source: 'assumed-par' });
    expect(snapshot.quality.passed).toBe(true);
  });

  it('two venues failing leaves one: TOO_FEW_VENUES fails the snapshot (weak evidence), the one venue\'s bars are stored', async () => {
    const asset = newAsset();
    const expected = await expectedAggregate(asset, '1h', ['coinbase']);
    h.servers.fault('binance', { fault: { kind: 'wrong-shape' }, pair: `${asset.symbol}USDT` });
    h.servers.fault('kraken', { fault: { kind: 'wrong-shape' }, pair: `${asset.symbol}USD` });
    const snapshot = await ingest(asset);
    expect(snapshot.quality.passed).toBe(false);
    expect(codes(snapshot)).toContain('TOO_FEW_VENUES:failure');
    expect(await stored(asset, '1h')).toEqual(expected);
  });
});

