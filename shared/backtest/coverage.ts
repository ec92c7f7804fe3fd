import { christoffersenIndependence, conditionalCoverage, kupiecPof, type IndependenceResult, type KupiecResult } from './stats.js';

/**
 * Coverage of one parameter set over a backtest: breach counts over every (overlapping) window, Kupiec
 * on them, and on the non-overlapping windows (one every h) Kupiec, Christoffersen independence and
 * conditional coverage. Overlapping windows share bars, so one crash bar breaks up to h windows: their
 * rate is the headline (the definition), the non-overlapping tests are the ones whose
 * independence assumption holds.
 */

/** Collects a 0/1 failure sequence in runs: a gap in the data or a skipped step starts a new run. */
export class RunRecorder {
  readonly runs: boolean[][] = [[]];

  push(failed: boolean): void {
    this.runs[this.runs.length - 1]!.push(failed);
  }

  breakRun(): void {
    if (this.runs[this.runs.length - 1]!.length > 0) this.runs.push([]);
  }

  counts(): { windows: number; breaches: number } {
    let windows = 0;
    let breaches = 0;
    for (const run of this.runs) {
      windows += run.length;
      for (const failed of run) if (failed) breaches++;
    }
    return { windows, breaches };
  }
}

export interface Coverage {
  windows: number;
  breaches: number;
  rate: number;
  expectedRate: number;
  kupiec: KupiecResult;
  nonOverlapping: {
    windows: number;
    breaches: number;
    kupiec: KupiecResult;
    independence: IndependenceResult;
    conditionalCoverage: { statistic: number; pValue: number };
  } | null;
}

/** Null when no window was scored. */
export function coverageOf(total: { windows: number; breaches: number }, runs: RunRecorder, expectedRate: number): Coverage | null {
  if (total.windows === 0) return null;
  const kupiec = kupiecPof(total.breaches, total.windows, expectedRate);
  const sequence = runs.counts();
  let nonOverlapping: Coverage['nonOverlapping'] = null;
  if (sequence.windows > 0) {
    const k = kupiecPof(sequence.breaches, sequence.windows, expectedRate);
    const independence = christoffersenIndependence(runs.runs);
    nonOverlapping = { ...sequence, kupiec: k, independence, conditionalCoverage: conditionalCoverage(k, independence) };
  }
  return { windows: total.windows, breaches: total.breaches, rate: total.breaches / total.windows, expectedRate, kupiec, nonOverlapping };
}
