import type { Policy } from '../../config/schema.js';
import type { BookSummary } from '../../model/snapshot.js';
import { median } from '../../numerics/statistics.js';
import { bidDepthUsd, mergeBids, sellSlippage, type Level } from '../liquidity.js';
import type { LiquidityScores } from './types.js';

/**
 * The liquidity scores of one asset from its per-venue books (USD): depth per band, the slippage of the
 * liquidation size on the merged book and on the best single venue, and which of the two the parameters
 * use (docs/decisions.md 5).
 */

function levelsOf(book: BookSummary): Level[] {
  return book.bids.map(([price, quantity]) => ({ price, quantity }));
}

export interface MergedLiquidity {
  scores: LiquidityScores;
  mergedBids: Level[];
  midUsd: number;
  /** Slippage the parameters use: the best single venue when it can fill Q, else the merged book. */
  slippageForParameters: number;
}

export function computeLiquidity(
  books: readonly BookSummary[],
  liquidationSizeUsd: number,
  policy: Policy,
  window: LiquidityScores['window'] = { snapshots: books.length > 0 ? 1 : 0, percentile: 1, depth2PctUsdLatest: 0, depth2PctUsdChosen: 0 },
): MergedLiquidity {
  if (books.length === 0) {
    return {
      scores: {
        // No book: no figure (not zero depth, not 100 % slippage).
        depthUsd: {},
        liquidationSizeUsd,
        slippageMerged: null,
        slippageBestVenue: null,
        bestVenue: null,
        slippageUsed: null,
        spreadBps: 0,
        liquidationSizeFillable: null,
        window,
      },
      mergedBids: [],
      midUsd: 0,
      slippageForParameters: 1,
    };
  }
  const midUsd = median(books.map((b) => b.midUsd));
  const mergedBids = mergeBids(books.map(levelsOf));
  const merged = sellSlippage(mergedBids, midUsd, liquidationSizeUsd);
  let bestVenue: string | null = null;
  let slippageBestVenue = Number.POSITIVE_INFINITY;
  for (const book of books) {
    const result = sellSlippage(levelsOf(book), book.midUsd, liquidationSizeUsd);
    if (result.complete && result.slippage < slippageBestVenue) {
      slippageBestVenue = result.slippage;
      bestVenue = book.venue;
    }
  }
  const depthUsd = Object.fromEntries(policy.depthBands.map((band) => [String(band * 100), bidDepthUsd(mergedBids, midUsd, band)]));
  const slippageForParameters = bestVenue !== null ? slippageBestVenue : merged.complete ? merged.slippage : 1;
  const depth2 = bidDepthUsd(mergedBids, midUsd, policy.bookDepthBand);
  return {
    scores: {
      depthUsd,
      liquidationSizeUsd,
      slippageMerged: merged.complete ? merged.slippage : null,
      slippageBestVenue: bestVenue !== null ? slippageBestVenue : null,
      bestVenue,
      slippageUsed: bestVenue !== null || merged.complete ? slippageForParameters : null,
      spreadBps: median(books.map((b) => b.spreadBps)),
      liquidationSizeFillable: merged.complete,
      window: window.snapshots > 0 && window.depth2PctUsdChosen > 0 ? window : { ...window, depth2PctUsdChosen: depth2, depth2PctUsdLatest: window.depth2PctUsdLatest || depth2 },
    },
    mergedBids,
    midUsd,
    slippageForParameters,
  };
}
