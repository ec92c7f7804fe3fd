/**
 * Breach accounting: the buffer a recommendation implies, and whether a realized window broke it.
 * Fractions in and out (0.05 = 5 %).
 */

// The buffers live beside the formulas they read backwards (risk/lending.ts, risk/perp.ts); the monitor uses them too.
export { lendingBufferDrop } from '../risk/lending.js';
export { perpBufferMove } from '../risk/perp.js';

export interface BreachCount {
  /** Complete windows opening in the range. */
  windows: number;
  /** Windows whose move is strictly above the buffer. */
  breaches: number;
}

/** Windows opening at indices [from, to) (NaN = incomplete, skipped) whose move exceeds `buffer`. */
export function countBreaches(moves: Float64Array, from: number, to: number, buffer: number): BreachCount {
  let windows = 0;
  let breaches = 0;
  for (let i = from; i < to; i++) {
    const move = moves[i]!;
    if (Number.isNaN(move)) continue;
    windows++;
    if (move > buffer) breaches++;
  }
  return { windows, breaches };
}

/** Largest move of the complete windows opening at indices [from, to); NaN when there is none. */
export function worstMove(moves: Float64Array, from: number, to: number): number {
  let worst = Number.NaN;
  for (let i = from; i < to; i++) {
    const move = moves[i]!;
    if (Number.isNaN(move)) continue;
    if (Number.isNaN(worst) || move > worst) worst = move;
  }
  return worst;
}
