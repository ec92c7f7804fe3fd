import { SeededRandom, hashSeed } from '../../shared/numerics/rng.js';

/** A seeded generator with the picks the scenarios need; one independent stream per scenario. */
export class Rng {
  private readonly random: SeededRandom;

  constructor(seed: number, stream: string) {
    this.random = new SeededRandom(hashSeed(seed, 'chaos', stream));
  }

  float(): number {
    return this.random.next();
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.random.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random.next() * items.length)]!;
  }

  /** `count` distinct items, in a random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(this.random.next() * pool.length), 1)[0]!);
    return out;
  }
}
