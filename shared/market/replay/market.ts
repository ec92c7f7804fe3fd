import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { INTERVAL_MS, type AssetConfig, type CandleInterval, type Policy, type VenueId } from '../../config/schema.js';
import { ReplayDataMissingError, VenueNotListedError } from '../errors.js';
import type { Candle, CandleRequest, MarketSource, OrderBook, OrderBookRequest } from '../types.js';
import type { QuoteAware, QuoteConversion, QuoteCurrency } from '../venues/types.js';
import { parseRecordedBook } from './books.js';

/**
 * Recorded market data as a MarketSource, for tests and backtests. Reads the formats of ../shared/data:
 * - candles: `<SYMBOL>-<QUOTE>-<interval>.csv` with header `ts,open,high,low,close,volume` (ts = bar open, ms);
 *   where no spot file has the interval, `perp/<SYMBOL>-<QUOTE>-<interval>.csv` (Binance USD-M perpetual bars,
 *   which include the funding basis: used only where spot has nothing, never mixed into a spot series);
 * - books: `orderbooks/<exchange>_<pair>_<yyyymmddThhmmss>Z.json`, any payload parseRecordedBook reads.
 * The CSVs are one exchange's bars (Binance spot USDT), so by default they are served for that venue only
 * and the others fail with ReplayDataMissingError: the snapshot then honestly has one venue with data.
 */
export interface ReplayMarketOptions {
  dataDir: string;
  /** The venue the candle recordings stand for. Default binance. */
  candleVenue?: VenueId;
  /** Serve the recorded candles under every venue the asset lists (exercises the multi-venue path in tests). Default false. */
  mirrorCandles?: boolean;
  /** Exchange names (as in the book file names) whose recordings stand for each venue. */
  bookExchanges?: Partial<Record<VenueId, readonly string[]>>;
}

const DEFAULT_BOOK_EXCHANGES: Record<VenueId, readonly string[]> = {
  binance: ['binance', 'binanceus'],
  coinbase: ['coinbase'],
  kraken: ['kraken'],
};
const QUOTES: readonly QuoteCurrency[] = ['USD', 'USDT', 'USDC'];
/** Kraken's legacy asset codes. */
const BASE_ALIASES: Record<string, string> = { XBT: 'BTC', XDG: 'DOGE' };

interface Series {
  file: string;
  quote: QuoteCurrency;
  market: 'spot' | 'perp';
  openTimeMs: Float64Array;
  rows: Float64Array;
}

interface BookFile {
  file: string;
  exchange: string;
  base: string;
  recordedAtMs: number;
}

/** `BTCUSDT`, `BTC-USD`, `btcusd`, `XBT-CHF` -> base and quote; null for derivatives and unknown shapes. */
export function splitSpotPair(pair: string): { base: string; quote: string } | null {
  const upper = pair.toUpperCase();
  const parts = upper.split(/[-/]/);
  if (parts.length === 2) return { base: BASE_ALIASES[parts[0]!] ?? parts[0]!, quote: parts[1]! };
  if (parts.length > 2) return null;
  const quote = ['USDT', 'USDC', 'USD', 'EUR', 'GBP', 'BTC', 'ETH'].find((q) => upper.endsWith(q) && upper.length > q.length);
  if (!quote) return null;
  const base = upper.slice(0, -quote.length);
  return { base: BASE_ALIASES[base] ?? base, quote };
}

function recordingTimeOf(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(stamp);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

/** First index with openTimeMs >= t. */
function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ReplayMarket implements MarketSource, QuoteAware {
  readonly kind = 'replay' as const;
  readonly simulated = false;
  readonly historical = true;
  private readonly dataDir: string;
  private readonly series = new Map<string, Series | null>();
  private bookIndex: BookFile[] | null = null;
  private readonly conversions = new Map<VenueId, QuoteConversion>();

  constructor(private readonly options: ReplayMarketOptions) {
    this.dataDir = resolve(options.dataDir);
  }

  async getCandles({ asset, venue, interval, startMs, endMs }: CandleRequest): Promise<Candle[]> {
    if (!asset.venuePairs[venue]) throw new VenueNotListedError(asset.symbol, venue);
    const candleVenue = this.options.candleVenue ?? 'binance';
    if (venue !== candleVenue && !this.options.mirrorCandles) {
      throw new ReplayDataMissingError(`${venue} candles (the recordings stand for ${candleVenue})`, this.dataDir);
    }
    const series = this.seriesOf(asset.symbol, interval);
    if (!series) throw new ReplayDataMissingError(`${interval} candles for ${asset.symbol}`, this.dataDir);
    // Recorded stablecoin quotes are taken at par: the files carry no rate history.
    this.conversions.set(venue, {
      currency: series.quote,
      usdPerQuote: 1,
      source: series.quote === 'USD' ? 'identity' : 'assumed-par',
      observedAtMs: endMs,
    });
    const from = lowerBound(series.openTimeMs, startMs);
    const to = lowerBound(series.openTimeMs, endMs);
    const out: Candle[] = new Array(Math.max(0, to - from));
    for (let i = from; i < to; i++) {
      const r = series.rows;
      out[i - from] = { openTimeMs: series.openTimeMs[i]!, open: r[i * 5]!, high: r[i * 5 + 1]!, low: r[i * 5 + 2]!, close: r[i * 5 + 3]!, volume: r[i * 5 + 4]! };
    }
    return out;
  }

  /** The recording of this venue's exchanges for the asset closest before `atMs` (else the earliest), stamped with its recording time. */
  async getOrderBook({ asset, venue, atMs }: OrderBookRequest): Promise<OrderBook> {
    const pair = asset.venuePairs[venue];
    if (!pair) throw new VenueNotListedError(asset.symbol, venue);
    const exchanges = this.options.bookExchanges?.[venue] ?? DEFAULT_BOOK_EXCHANGES[venue];
    const candidates = this.books().filter((b) => b.base === asset.symbol && exchanges.includes(b.exchange));
    if (candidates.length === 0) throw new ReplayDataMissingError(`${venue} order book for ${asset.symbol}`, join(this.dataDir, 'orderbooks'));
    const before = candidates.filter((b) => b.recordedAtMs <= atMs);
    const chosen = before.length > 0 ? before[before.length - 1]! : candidates[0]!;
    const payload = JSON.parse(readFileSync(join(this.dataDir, 'orderbooks', chosen.file), 'utf8')) as unknown;
    const book = parseRecordedBook(payload, chosen.file);
    return { asset: asset.symbol, venue, pair, fetchedAtMs: chosen.recordedAtMs, bids: book.bids, asks: book.asks };
  }

  quoteConversion(venue: VenueId): QuoteConversion | null {
    return this.conversions.get(venue) ?? null;
  }

  /** First and last bar open time recorded for (symbol, interval), or null: to set a replay clock. */
  coverage(symbol: string, interval: CandleInterval): { firstOpenMs: number; lastOpenMs: number; endMs: number } | null {
    const series = this.seriesOf(symbol, interval);
    if (!series || series.openTimeMs.length === 0) return null;
    const last = series.openTimeMs[series.openTimeMs.length - 1]!;
    return { firstOpenMs: series.openTimeMs[0]!, lastOpenMs: last, endMs: last + INTERVAL_MS[interval] };
  }

  /**
   * What the recordings lack at `clockMs`, one line per asset and input: intervals without bars, series
   * that end more than policy.staleAfterMs before the clock, books that are absent or all stale. For the
   * run's output; the engine holds what depends on each (status `no-data`).
   */
  lacking(assets: readonly AssetConfig[], intervals: readonly CandleInterval[], clockMs: number, policy: Policy): string[] {
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);
    const maxBookAgeMs = policy.maxBookAgeMs ?? policy.staleAfterMs;
    const out: string[] = [];
    for (const asset of assets) {
      for (const interval of intervals) {
        const series = this.seriesOf(asset.symbol, interval);
        const coverage = this.coverage(asset.symbol, interval);
        if (!series || !coverage) out.push(`${asset.symbol}: no ${interval} candles`);
        else if (clockMs - coverage.endMs > policy.staleAfterMs) out.push(`${asset.symbol}: ${interval} candles end ${iso(coverage.endMs)} (${series.market}), before the clock ${iso(clockMs)}`);
      }
      const books = this.books().filter((b) => b.base === asset.symbol && this.venueOfExchange(b.exchange, asset) !== null);
      if (books.length === 0) out.push(`${asset.symbol}: no recorded order book for its venues (${Object.keys(asset.venuePairs).join(', ')})`);
      else if (books.every((b) => clockMs - b.recordedAtMs > maxBookAgeMs)) {
        out.push(`${asset.symbol}: order books recorded ${[...new Set(books.map((b) => iso(b.recordedAtMs)))].join(', ')} only (stale at the clock)`);
      }
    }
    return out;
  }

  private venueOfExchange(exchange: string, asset: AssetConfig): VenueId | null {
    for (const venue of Object.keys(asset.venuePairs) as VenueId[]) {
      if ((this.options.bookExchanges?.[venue] ?? DEFAULT_BOOK_EXCHANGES[venue]).includes(exchange)) return venue;
    }
    return null;
  }

  private seriesOf(symbol: string, interval: CandleInterval): Series | null {
    const key = `${symbol}|${interval}`;
    if (this.series.has(key)) return this.series.get(key)!;
    let found: Series | null = null;
    // Spot first; perp/ only where no spot file has the interval (a perp series carries the funding basis).
    for (const [market, prefix] of [['spot', ''], ['perp', 'perp/']] as const) {
      for (const quote of QUOTES) {
        const file = join(this.dataDir, `${prefix}${symbol}-${quote}-${interval}.csv`);
        if (existsSync(file)) {
          found = this.readCsv(file, quote, market);
          break;
        }
      }
      if (found) break;
    }
    this.series.set(key, found);
    return found;
  }

  private readCsv(file: string, quote: QuoteCurrency, market: 'spot' | 'perp'): Series {
    const lines = readFileSync(file, 'utf8').split('\n');
    const header = lines[0]?.trim();
    if (header !== 'ts,open,high,low,close,volume') throw new ReplayDataMissingError(`candles in the expected columns (${file} has "${header}")`, this.dataDir);
    const times: number[] = [];
    const rows: number[] = [];
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line) continue;
      const v = line.split(',').map(Number);
      if (v.length < 6 || v.some((x) => !Number.isFinite(x))) continue;
      times.push(v[0]!);
      rows.push(v[1]!, v[2]!, v[3]!, v[4]!, v[5]!);
    }
    // Files are ascending; sort defensively (by index) so a binary search is valid.
    const order = times.map((_, i) => i).sort((a, b) => times[a]! - times[b]!);
    const openTimeMs = new Float64Array(order.length);
    const sortedRows = new Float64Array(order.length * 5);
    order.forEach((from, to) => {
      openTimeMs[to] = times[from]!;
      for (let k = 0; k < 5; k++) sortedRows[to * 5 + k] = rows[from * 5 + k]!;
    });
    return { file, quote, market, openTimeMs, rows: sortedRows };
  }

  private books(): BookFile[] {
    if (this.bookIndex) return this.bookIndex;
    const dir = join(this.dataDir, 'orderbooks');
    const index: BookFile[] = [];
    if (existsSync(dir)) {
      for (const file of readdirSync(dir)) {
        const m = /^([a-z0-9]+)_(.+)_(\d{8}T\d{6}Z)\.json$/.exec(file);
        if (!m) continue; // also skips derivative venues, whose names carry a dash (binance-usdm, gateio-futures)
        const pair = splitSpotPair(m[2]!);
        if (!pair || !(QUOTES as readonly string[]).includes(pair.quote)) continue;
        index.push({ file, exchange: m[1]!, base: pair.base, recordedAtMs: recordingTimeOf(m[3]!) });
      }
    }
    this.bookIndex = index.sort((a, b) => a.recordedAtMs - b.recordedAtMs);
    return this.bookIndex;
  }
}
