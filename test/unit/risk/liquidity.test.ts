import { describe, expect, it } from 'vitest';
import { bidDepthUsd, mergeBids, midPrice, sellableWithinSlippage, sellSlippage, spreadBps } from '../../../shared/risk/liquidity.js';

// A hand-built book around mid 100: bids 99.5 x 10, 99 x 20, 98 x 50, 95 x 100; asks 100.5 x 10.
const book = {
  bids: [
    { price: 99.5, quantity: 10 },
    { price: 99, quantity: 20 },
    { price: 98, quantity: 50 },
    { price: 95, quantity: 100 },
  ],
  asks: [{ price: 100.5, quantity: 10 }],
};

describe('order-book liquidity', () => {
  it('mid and spread', () => {
    expect(midPrice(book)).toBe(100);
    expect(spreadBps(book)).toBeCloseTo(100, 10);
  });

  it('depth within x % of mid, to the cent', () => {
    expect(bidDepthUsd(book.bids, 100, 0.005)).toBe(995); // 99.5 x 10
    expect(bidDepthUsd(book.bids, 100, 0.01)).toBe(2975); // + 99 x 20
    expect(bidDepthUsd(book.bids, 100, 0.02)).toBe(7875); // + 98 x 50
    expect(bidDepthUsd(book.bids, 100, 0.05)).toBe(17375); // + 95 x 100
  });

  it('slippage of a market sell walks the levels', () => {
    // $2,000 at mid = 20 units: 10 @ 99.5 + 10 @ 99 -> proceeds 1,985, VWAP 99.25.
    const result = sellSlippage(book.bids, 100, 2000);
    expect(result.complete).toBe(true);
    expect(result.filledUsd).toBeCloseTo(2000, 6);
    expect(result.slippage).toBeCloseTo(1 - 99.25 / 100, 12);
  });

  it('reports an incomplete fill when the book runs out', () => {
    const result = sellSlippage(book.bids, 100, 1_000_000);
    expect(result.complete).toBe(false);
    expect(result.filledUsd).toBeCloseTo(180 * 100, 6);
  });

  it('sellable within a slippage budget is the exact inverse of sellSlippage', () => {
    const size = sellableWithinSlippage(book.bids, 100, 0.01);
    // 10 @ 99.5, 20 @ 99, then q @ 98 with (995 + 1980 + 98q) / (30 + q) = 99 -> q = 5.
    expect(size).toBeCloseTo(35 * 100, 6);
    expect(sellSlippage(book.bids, 100, size).slippage).toBeCloseTo(0.01, 12);
  });

  it('sellable within a budget beyond the whole book is the whole book', () => {
    expect(sellableWithinSlippage(book.bids, 100, 0.5)).toBeCloseTo(180 * 100, 6);
  });

  it('merges venues into one descending ladder', () => {
    const merged = mergeBids([book.bids, [{ price: 99.2, quantity: 1 }]]);
    expect(merged.map((l) => l.price)).toEqual([99.5, 99.2, 99, 98, 95]);
  });
});

describe('merged books across venues', () => {
  it('a bid above the reference mid (cross-venue basis) never gives negative slippage', () => {
    const merged = mergeBids([[{ price: 100.2, quantity: 5 }], [{ price: 99.9, quantity: 5 }]]);
    expect(sellSlippage(merged, 100, 400).slippage).toBe(0);
  });
});
