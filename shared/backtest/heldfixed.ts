import { countBreaches } from './breach.js';
import type { StepRecord } from './walkforward.js';

/**
 * The latest recommendation (last scored step's target) held fixed over every window the series scored:
 * what a parameter set once and never updated would have done (issue 14, "score what governance would enact").
 */
export interface HeldFixed {
  atMs: number;
  /** LT (lending) or maintenance margin (perp) of that target, bps, and the drop its buffer absorbs. */
  valueBps: number;
  buffer: number;
  windows: number;
  breaches: number;
  expected: number;
  nonOverlappingWindows: number;
  nonOverlappingBreaches: number;
  nonOverlappingExpected: number;
}

/**
 * Held-fixed breaches of the last scored step's target buffer over the scored window ranges ([from, to)
 * index pairs) and the non-overlapping window starts the walk-forward recorded. Null with no scored step.
 */
export function heldFixedOf(steps: readonly StepRecord[], drop: Float64Array, ranges: readonly number[], starts: readonly number[], expectedRate: number): HeldFixed | null {
  const last = [...steps].reverse().find((s) => s.status === 'ok');
  if (!last) return null;
  const r = last.recommendation;
  const buffer = r.target.buffer;
  let windows = 0;
  let breaches = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    const c = countBreaches(drop, ranges[k]!, ranges[k + 1]!, buffer);
    windows += c.windows;
    breaches += c.breaches;
  }
  let nonOverlappingBreaches = 0;
  for (const i of starts) if (drop[i]! > buffer) nonOverlappingBreaches++;
  return {
    atMs: last.atMs,
    valueBps: r.kind === 'lending' ? r.target.ltBps : r.target.mmrBps,
    buffer,
    windows,
    breaches,
    expected: windows * expectedRate,
    nonOverlappingWindows: starts.length,
    nonOverlappingBreaches,
    nonOverlappingExpected: starts.length * expectedRate,
  };
}
