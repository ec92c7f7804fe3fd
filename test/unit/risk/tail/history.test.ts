import { describe, expect, it } from 'vitest';
import type { CandleLike } from '../../../../shared/risk/series.js';
import { emptyTailHistory, extendTailHistory, historyVolatility, TailHistoryError } from '../../../../shared/risk/tail/history.js';

const H = 3_600_000;
const bar = (i: number, close: number): CandleLike => ({ openTimeMs: i * H, open: close, high: close, low: close, close });

describe('tail history record', () => {
  it('counts returns between consecutive bars only, and sums their squares', () => {
    const closes = [100, 101, 99, 99, 102];
    const candles = closes.map((c, i) => bar(i, c));
    candles.splice(3, 1); // a gap between bar 2 and bar 4: no return across it
    const h = extendTailHistory(emptyTailHistory(H, 2), candles);
    const expected = [Math.log(101 / 100), Math.log(99 / 101)];
    expect(h.returns).toBe(2);
    expect(h.sumSquares).toBeCloseTo(expected[0]! ** 2 + expected[1]! ** 2, 15);
    expect(h.blockSums).toEqual([h.sumSquares]);
    expect(h.firstOpenMs).toBe(0);
    expect(h.lastOpenMs).toBe(4 * H);
  });

  it('extends bar by bar to the same record as in one go, skips bars it has, and never mutates its input', () => {
    const candles = Array.from({ length: 50 }, (_, i) => bar(i, 100 * Math.exp(0.01 * Math.sin(i))));
    const once = extendTailHistory(emptyTailHistory(H, 7), candles);
    let stepwise = emptyTailHistory(H, 7);
    for (let k = 0; k < 50; k += 5) {
      const before = structuredClone(stepwise);
      stepwise = extendTailHistory(stepwise, candles.slice(0, k + 5)); // overlapping input
      expect(before.blockSums).toEqual(structuredClone(before).blockSums);
    }
    expect(stepwise.returns).toBe(once.returns);
    expect(stepwise.sumSquares).toBeCloseTo(once.sumSquares, 15);
    expect(stepwise.blockSums).toEqual(once.blockSums);
    const cut = extendTailHistory(emptyTailHistory(H, 7), candles, 10 * H);
    expect(cut.lastOpenMs).toBe(9 * H);
  });

  it('volatility: RMS x sqrt(h); its log error by batch means, null under two blocks', () => {
    // Alternating +-1 % returns: every block has the same sum, so the batch-means error is 0.
    const candles = Array.from({ length: 41 }, (_, i) => bar(i, i % 2 === 0 ? 100 : 101));
    const h = extendTailHistory(emptyTailHistory(H, 10), candles);
    const v = historyVolatility(h, 4)!;
    const r = Math.log(101 / 100);
    expect(v.sigmaHorizon).toBeCloseTo(Math.abs(r) * 2, 12);
    expect(v.blocks).toBe(4);
    expect(v.logSigmaStandardError).toBeCloseTo(0, 12);
    expect(historyVolatility(extendTailHistory(emptyTailHistory(H, 30), candles.slice(0, 35)), 4)!.logSigmaStandardError).toBeNull();
    expect(historyVolatility(emptyTailHistory(H, 10), 4)).toBeNull();
  });

  it('batch-means error: the standard error of the mean block, relative, halved for ln(sigma)', () => {
    const h = { ...emptyTailHistory(H, 1), returns: 4, sumSquares: 10, blockSums: [1, 2, 3, 4], lastOpenMs: 0, firstOpenMs: 0 };
    const sd = Math.sqrt(((1 - 2.5) ** 2 + (2 - 2.5) ** 2 + (3 - 2.5) ** 2 + (4 - 2.5) ** 2) / 3);
    expect(historyVolatility(h, 1)!.logSigmaStandardError).toBeCloseTo(sd / Math.sqrt(4) / 2.5 / 2, 14);
  });

  it('refuses a bad interval or block length with a named error', () => {
    expect(() => emptyTailHistory(0, 5)).toThrow(TailHistoryError);
    expect(() => emptyTailHistory(H, 0.5)).toThrow(TailHistoryError);
  });
});
