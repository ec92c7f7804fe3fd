import { describe, expect, it } from 'vitest';
import type { BookSummary } from '../../../shared/model/snapshot.js';
import { chooseBooks } from '../../../shared/risk/book-window.js';

function book(depthUsdWithin1Pct: number): BookSummary {
  // One level at 99 (within 2 % of mid 100) holding the given USD.
  return { venue: 'binance', pair: 'X', fetchedAtMs: 0, midUsd: 100, spreadBps: 1, bids: [[99, depthUsdWithin1Pct / 99]] };
}

describe('choosing books over a window of snapshots', () => {
  it('takes the p10 of merged 2 % depth by nearest rank, not the latest', () => {
    const sets = [100, 90, 80, 70, 60, 50, 40, 30, 20, 10].map((d) => [book(d * 1000)]); // newest first
    const choice = chooseBooks(sets, 0.1);
    expect(choice.snapshots).toBe(10);
    expect(choice.depth2PctUsdLatest).toBeCloseTo(100_000, 6);
    expect(choice.depth2PctUsdChosen).toBeCloseTo(10_000, 6);
    expect(chooseBooks(sets, 0.5).depth2PctUsdChosen).toBeCloseTo(50_000, 6);
  });

  it('with one snapshot it is that one; with none, nothing', () => {
    expect(chooseBooks([[book(5000)]], 0.1).depth2PctUsdChosen).toBeCloseTo(5000, 6);
    expect(chooseBooks([], 0.1)).toMatchObject({ books: [], snapshots: 0 });
  });

  it('sums venues before ranking', () => {
    const thinTwoVenues = [book(3000), { ...book(3000), venue: 'kraken' as const }];
    const oneVenue = [book(5000)];
    // Two venues of 3,000 each (6,000 merged) are deeper than one of 5,000.
    const choice = chooseBooks([thinTwoVenues, oneVenue], 0);
    expect(choice.depth2PctUsdChosen).toBeCloseTo(5000, 6);
    expect(choice.books).toEqual(oneVenue);
  });
});
