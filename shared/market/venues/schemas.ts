import * as z from 'zod';
import type { Candle } from '../types.js';

/**
 * One zod schema per venue payload. A payload that does not match is refused whole (VenuePayloadError):
 * nothing partial or unvalidated reaches the aggregate. Prices and sizes arrive as decimal strings
 * (Binance, Kraken, Coinbase books) or JSON numbers (Coinbase candles); both become finite numbers here.
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A decimal given as a string or a number, as a finite number. */
export const decimal = z.union([z.string().regex(DECIMAL, 'not a decimal number'), z.number()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: 'custom', message: `not a finite number: ${String(v)}` });
    return z.NEVER;
  }
  return n;
});

const epochSeconds = z.number().int().nonnegative();
const epochMs = z.number().int().nonnegative();

/** A bar must be a possible bar: positive prices, low <= open, close <= high, volume >= 0. */
function checkBar(bar: Candle, ctx: z.RefinementCtx): Candle {
  const { open, high, low, close, volume } = bar;
  if (!(open > 0 && high > 0 && low > 0 && close > 0)) ctx.addIssue({ code: 'custom', message: `non-positive price in bar at ${bar.openTimeMs}` });
  else if (!(low <= Math.min(open, close) && high >= Math.max(open, close)))
    ctx.addIssue({ code: 'custom', message: `inconsistent bar at ${bar.openTimeMs}: o ${open} h ${high} l ${low} c ${close}` });
  if (!(volume >= 0)) ctx.addIssue({ code: 'custom', message: `negative volume in bar at ${bar.openTimeMs}` });
  return bar;
}

/** [price, quantity, ...extra] with price > 0 and quantity >= 0. */
const bookLevel = z.tuple([decimal, decimal], z.unknown()).transform(([price, quantity], ctx) => {
  if (!(price > 0) || !(quantity >= 0)) {
    ctx.addIssue({ code: 'custom', message: `bad level [${price}, ${quantity}]` });
    return z.NEVER;
  }
  return { price, quantity };
});

// --- Binance spot -------------------------------------------------------------------------------

/** GET /api/v3/klines: [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore]. */
export const binanceKlinesSchema = z.array(
  z
    .tuple([epochMs, decimal, decimal, decimal, decimal, decimal, epochMs], z.unknown())
    .transform(([openTimeMs, open, high, low, close, volume], ctx) => checkBar({ openTimeMs, open, high, low, close, volume }, ctx)),
);

/** GET /api/v3/depth: {lastUpdateId, bids: [[price, qty]], asks}. */
export const binanceDepthSchema = z.object({
  lastUpdateId: z.number().int(),
  bids: z.array(bookLevel),
  asks: z.array(bookLevel),
});

/** GET /api/v3/ping: {}. */
export const binancePingSchema = z.object({});

// --- Coinbase Exchange --------------------------------------------------------------------------

/** GET /products/{id}/candles: [time s, low, high, open, close, volume], newest first. */
export const coinbaseCandlesSchema = z.array(
  z
    .tuple([epochSeconds, decimal, decimal, decimal, decimal, decimal])
    .transform(([time, low, high, open, close, volume], ctx) => checkBar({ openTimeMs: time * 1000, open, high, low, close, volume }, ctx)),
);

/** GET /products/{id}/book?level=2: {bids: [[price, size, num_orders]], asks, sequence, auction_mode, auction, time}. */
export const coinbaseBookSchema = z.object({
  sequence: z.number(),
  bids: z.array(bookLevel),
  asks: z.array(bookLevel),
  time: z.string().optional(),
});

/** GET /time: {iso, epoch}. */
export const coinbaseTimeSchema = z.object({ iso: z.string(), epoch: z.number() });

// --- Kraken -------------------------------------------------------------------------------------

/** Every Kraken response: {error: [...], result}; a non-empty error array means no result. */
export const krakenEnvelopeSchema = z.object({ error: z.array(z.string()), result: z.unknown().optional() });

/** OHLC rows: [time s, open, high, low, close, vwap, volume, count]. */
const krakenOhlcRows = z.array(
  z
    .tuple([epochSeconds, decimal, decimal, decimal, decimal, decimal, decimal, z.number().int()])
    .transform(([time, open, high, low, close, , volume], ctx) => checkBar({ openTimeMs: time * 1000, open, high, low, close, volume }, ctx)),
);

/** GET /0/public/OHLC result: {<Kraken's pair name>: rows, last: seconds}. The pair key is Kraken's own (XBTUSD -> XXBTZUSD). */
export const krakenOhlcResultSchema = z
  .object({ last: z.number() })
  .catchall(z.unknown())
  .transform((result, ctx) => {
    const keys = Object.keys(result).filter((k) => k !== 'last');
    if (keys.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `expected one pair in the result, got ${keys.length}` });
      return z.NEVER;
    }
    const rows = krakenOhlcRows.safeParse(result[keys[0]!]);
    if (!rows.success) {
      for (const issue of rows.error.issues.slice(0, 3)) ctx.addIssue({ code: 'custom', message: `${keys[0]}.${issue.path.join('.')}: ${issue.message}` });
      return z.NEVER;
    }
    return { pairKey: keys[0]!, bars: rows.data, lastSeconds: result.last };
  });

/** GET /0/public/Depth result: {<pair name>: {asks: [[price, volume, timestamp]], bids}}. */
export const krakenDepthResultSchema = z
  .record(z.string(), z.object({ asks: z.array(bookLevel), bids: z.array(bookLevel) }))
  .transform((result, ctx) => {
    const entries = Object.entries(result);
    if (entries.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `expected one pair in the result, got ${entries.length}` });
      return z.NEVER;
    }
    return { pairKey: entries[0]![0], ...entries[0]![1] };
  });

/** GET /0/public/Time result. */
export const krakenTimeResultSchema = z.object({ unixtime: z.number() });
