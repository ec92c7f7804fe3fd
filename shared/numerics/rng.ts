/**
 * Small seeded random generators for the simulator and the engine's simulations. Deterministic across
 * platforms: only 32-bit integer arithmetic and Math.log/sqrt/cos on the results.
 */

/** FNV-1a hash of a string, mixed with a numeric seed, to derive independent streams. */
export function hashSeed(seed: number, ...parts: string[]): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i);
      h = Math.imul(h, 16777619) >>> 0;
    }
    h ^= 0x9e3779b9;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}

/** sfc32: a fast generator with a 128-bit state that passes PractRand; returns floats in [0, 1). */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** The state as int32 words [a, b, c, d]: {@link next} stepped inline from it gives the same stream. */
  state(): Int32Array {
    return Int32Array.of(this.a, this.b, this.c, this.d);
  }

  /** Uniform in (0, 1): never exactly 0, so logs are finite. */
  nextOpen(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return u;
  }

  /** Standard normal by Box-Muller (pairs cached). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.nextOpen()));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Chi-square with integer-or-not `k` degrees of freedom via a gamma draw (Marsaglia-Tsang). */
  chiSquare(k: number): number {
    return 2 * this.gamma(k / 2);
  }

  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.nextOpen(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Student-t with `nu` degrees of freedom, scaled to unit variance (needs nu > 2). */
  standardizedStudentT(nu: number): number {
    const t = this.normal() / Math.sqrt(this.chiSquare(nu) / nu);
    return t * Math.sqrt((nu - 2) / nu);
  }

  exponential(mean: number): number {
    return -Math.log(this.nextOpen()) * mean;
  }
}

/**
 * State of `new SeededRandom(seed)` after its warm-up, as int32 words [a, b, c, d]. Hot loops (the FHS
 * paths) step sfc32 inline from it: a method call per draw cost more than the rest of the step there.
 */
export function sfc32Stream(seed: number): Int32Array {
  return new SeededRandom(seed).state();
}
