import * as z from 'zod';
import { AdvisorError } from '../../util/errors.js';
import type { BookLevel } from '../types.js';

/**
 * Recorded order-book payloads (as in ../shared/data/orderbooks): the REST shapes of Binance / Binance.US
 * (`{lastUpdateId, bids, asks}`), Bitstamp (`{timestamp, bids, asks}`), Coinbase's level-2 snapshot
 * (`{type: "snapshot", bids, asks}`), OKX's websocket `books` snapshot (`{arg, action, data: [{bids, asks, ts}]}`) and Kraken's
 * websocket `book-N` snapshot (`[channelID, {as, bs}, "book-N", pair]`).
 * Levels are `[price, quantity, ...]` as decimal strings.
 */
const level = z
  .array(z.union([z.string(), z.number()]))
  .min(2)
  .transform((l, ctx) => {
    const price = Number(l[0]);
    const quantity = Number(l[1]);
    if (!(price > 0) || !(quantity >= 0)) {
      ctx.addIssue({ code: 'custom', message: `bad level [${String(l[0])}, ${String(l[1])}]` });
      return z.NEVER;
    }
    return { price, quantity };
  });

const sides = z.object({ bids: z.array(level), asks: z.array(level) });
const okxSnapshot = z.object({ arg: z.object({ instId: z.string() }), data: z.array(sides).min(1) });
/** Kraken's websocket `book-N` snapshot frame: [channelID, {as: [[price, volume, time]], bs}, "book-N", pair]. */
const krakenSnapshot = z.tuple([z.number(), z.object({ as: z.array(level), bs: z.array(level) }), z.string().startsWith('book'), z.string()]);

export class BookPayloadError extends AdvisorError {
  constructor(source: string, problems: string[]) {
    super('BOOK_PAYLOAD_INVALID', `order book ${source} is not a recognised payload: ${problems.join('; ')}`, { source, problems });
  }
}

export interface ParsedBook {
  bids: BookLevel[];
  asks: BookLevel[];
}

/** Parses a recorded payload into sorted sides (bids descending, asks ascending, empty levels dropped). */
export function parseRecordedBook(payload: unknown, source: string): ParsedBook {
  const okx = okxSnapshot.safeParse(payload);
  const kraken = okx.success ? null : krakenSnapshot.safeParse(payload);
  const parsed = okx.success
    ? { success: true as const, data: okx.data.data[0]! }
    : kraken?.success
      ? { success: true as const, data: { bids: kraken.data[1].bs, asks: kraken.data[1].as } }
      : sides.safeParse(payload);
  if (!parsed.success) throw new BookPayloadError(source, parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`));
  const bids = parsed.data.bids.filter((l) => l.quantity > 0).sort((a, b) => b.price - a.price);
  const asks = parsed.data.asks.filter((l) => l.quantity > 0).sort((a, b) => a.price - b.price);
  return { bids, asks };
}
