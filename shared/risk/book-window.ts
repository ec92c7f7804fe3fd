import { DEFAULT_BOOK_DEPTH_BAND } from '../config/defaults.js';
import type { BookSummary } from '../model/snapshot.js';
import { bidDepthUsd, mergeBids } from './liquidity.js';

/**
 * Books are snapshots, and a thin moment is what a liquidation meets: from the book sets of several
 * snapshots, pick the one at a low percentile of merged 2 % depth (nearest rank), not the latest.
 */
export interface BookWindowChoice {
  books: BookSummary[];
  snapshots: number;
  /** Merged 2 % depth of the chosen set and of the latest one, USD. */
  depth2PctUsdChosen: number;
  depth2PctUsdLatest: number;
  percentile: number;
}

function mergedDepth(books: readonly BookSummary[], depthBand: number): number {
  if (books.length === 0) return 0;
  const mids = books.map((b) => b.midUsd).sort((a, b) => a - b);
  const mid = mids[mids.length >> 1]!;
  return bidDepthUsd(mergeBids(books.map((b) => b.bids.map(([price, quantity]) => ({ price, quantity })))), mid, depthBand);
}

/** `bookSets` newest first (the first is the latest snapshot's); `depthBand` is policy.bookDepthBand. */
export function chooseBooks(bookSets: readonly (readonly BookSummary[])[], percentile: number, depthBand: number = DEFAULT_BOOK_DEPTH_BAND): BookWindowChoice {
  const scored = bookSets.map((books) => ({ books: [...books], depth: mergedDepth(books, depthBand) }));
  if (scored.length === 0) return { books: [], snapshots: 0, depth2PctUsdChosen: 0, depth2PctUsdLatest: 0, percentile };
  const latest = scored[0]!.depth;
  const sorted = [...scored].sort((a, b) => a.depth - b.depth);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(percentile * sorted.length) - 1));
  const chosen = sorted[rank]!;
  return { books: chosen.books, snapshots: scored.length, depth2PctUsdChosen: chosen.depth, depth2PctUsdLatest: latest, percentile };
}
