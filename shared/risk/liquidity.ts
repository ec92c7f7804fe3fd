/**
 * Order-book liquidity: depth near mid, the slippage of a market sell, and the size sellable within a
 * slippage budget. Prices are in USD (quote normalized upstream), quantities in base units.
 * Sizes are USD notional at mid (quantity sold = sizeUsd / mid), the convention of docs/methodology.md#notation.
 */
import { fractionToBps } from '../util/units.js';


export interface Level {
  price: number;
  quantity: number;
}

export interface BookSide {
  /** Best first: bids descending. */
  bids: readonly Level[];
  asks: readonly Level[];
}

/** Mid price: average of best bid and best ask. NaN when either side is empty. */
export function midPrice(book: BookSide): number {
  const bestBid = book.bids[0]?.price;
  const bestAsk = book.asks[0]?.price;
  if (bestBid === undefined || bestAsk === undefined) return Number.NaN;
  return (bestBid + bestAsk) / 2;
}

export function spreadBps(book: BookSide): number {
  const bestBid = book.bids[0]?.price;
  const bestAsk = book.asks[0]?.price;
  if (bestBid === undefined || bestAsk === undefined) return Number.NaN;
  return fractionToBps((bestAsk - bestBid) / midPrice(book));
}

/** USD value of the bids priced within `fraction` below mid (0.02 = within 2 %). */
export function bidDepthUsd(bids: readonly Level[], mid: number, fraction: number): number {
  const floor = mid * (1 - fraction);
  let usd = 0;
  for (const level of bids) {
    if (level.price < floor) break;
    usd += level.price * level.quantity;
  }
  return usd;
}

export interface SellResult {
  /** 1 - VWAP / mid for the part that could be filled. */
  slippage: number;
  /** Notional (at mid) actually sold; less than asked when the book ran out. */
  filledUsd: number;
  complete: boolean;
}

/** Walks the bids to sell `sizeUsd` of notional at mid. */
export function sellSlippage(bids: readonly Level[], mid: number, sizeUsd: number): SellResult {
  let remainingQuantity = sizeUsd / mid;
  let proceeds = 0;
  let sold = 0;
  for (const level of bids) {
    if (remainingQuantity <= 0) break;
    const take = Math.min(level.quantity, remainingQuantity);
    proceeds += take * level.price;
    sold += take;
    remainingQuantity -= take;
  }
  if (sold === 0) return { slippage: 1, filledUsd: 0, complete: sizeUsd <= 0 };
  // Relative tolerance: float subtraction can leave a dust remainder on an exact fill.
  const complete = remainingQuantity <= (sizeUsd / mid) * 1e-12;
  // On a merged book some venue's bid can sit above the reference mid (cross-venue basis): a sale then
  // beats mid, which is arbitrage, not liquidity. Slippage is floored at 0 so it never lowers a margin.
  return { slippage: Math.max(0, 1 - proceeds / sold / mid), filledUsd: sold * mid, complete };
}

/**
 * Largest notional (USD at mid) that can be sold with slippage at most `maxSlippage`: the exact point
 * inside the level where the running VWAP reaches mid * (1 - maxSlippage).
 */
export function sellableWithinSlippage(bids: readonly Level[], mid: number, maxSlippage: number): number {
  const targetVwap = mid * (1 - maxSlippage);
  let proceeds = 0;
  let sold = 0;
  for (const level of bids) {
    if (level.price >= targetVwap) {
      proceeds += level.price * level.quantity;
      sold += level.quantity;
      continue;
    }
    // Taking q of this level: (proceeds + p q) / (sold + q) = targetVwap.
    const q = (proceeds - targetVwap * sold) / (targetVwap - level.price);
    sold += Math.min(q, level.quantity);
    if (q < level.quantity) break;
    proceeds += level.price * level.quantity;
  }
  return sold * mid;
}

function isDescending(levels: readonly Level[]): boolean {
  for (let i = 1; i < levels.length; i++) if (levels[i]!.price > levels[i - 1]!.price) return false;
  return true;
}

/**
 * Merges the bids of several books (already in USD) into one descending ladder. Venue books arrive
 * best-first, so this is a k-way merge, O(n k); an unsorted side falls back to a sort.
 */
export function mergeBids(sides: readonly (readonly Level[])[]): Level[] {
  if (!sides.every(isDescending)) return sides.flat().sort((a, b) => b.price - a.price);
  const merged: Level[] = [];
  const cursor = new Array<number>(sides.length).fill(0);
  for (;;) {
    let best = -1;
    let bestPrice = Number.NEGATIVE_INFINITY;
    for (let s = 0; s < sides.length; s++) {
      const level = sides[s]![cursor[s]!];
      if (level !== undefined && level.price > bestPrice) {
        bestPrice = level.price;
        best = s;
      }
    }
    if (best < 0) return merged;
    merged.push(sides[best]![cursor[best]!++]!);
  }
}
