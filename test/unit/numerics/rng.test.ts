import { describe, expect, it } from 'vitest';
import { SeededRandom, sfc32Stream } from '../../../shared/numerics/rng.js';

describe('sfc32 stream for inline loops', () => {
  it('inlines exactly the SeededRandom state', () => {
    for (const seed of [0, 1, 42, -7, 2 ** 31 + 5]) {
      const [a, b, c, d] = Array.from(sfc32Stream(seed));
      // One step of the inline generator must give SeededRandom's next output.
      const t = (((a! + b!) | 0) + d!) | 0;
      expect((t >>> 0) / 4294967296).toBe(new SeededRandom(seed).next());
    }
  });
});
