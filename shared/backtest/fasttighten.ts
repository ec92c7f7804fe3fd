import { MS_PER_DAY as DAY_MS } from '../util/time.js';
import { appliedLagBps, pathRow } from './events.js';
import type { SeriesResult, StepRecord } from './walkforward.js';

/**
 * The fast tighten path on the crash days of the data. A crash day is a step whose realized window broke
 * the parameters that were live (an applied breach). The question: does the next day's recommendation cut
 * hard, or flag an emergency that needs a vote, instead of walking down one steward step every 3 days?
 */

export interface CrashResponse {
  crashMs: number;
  worstMove: number;
  /** Live parameter on the crash day and the buffer it implied (bps; LT for lending, MMR for perps). */
  liveBps: number;
  /** The next day's step: target, what was proposed, how it was labelled. */
  next: {
    atMs: number;
    targetBps: number;
    proposedBps: number;
    /** Target distance from the live value, bps (> 0 = the target is tighter). */
    wantedBps: number;
    /** Distance actually moved by the proposal, bps (> 0 = tightened). */
    movedBps: number;
    stress: boolean;
    needsVote: boolean;
  } | null;
  /** Calendar days from the crash day until the applied parameter is no looser than the target (null: not within the data). */
  catchUpDays: number | null;
  /** The same on the counterfactual path whose flagged stress tightenings are voted through (emergency.ts). */
  emergencyCatchUpDays: number | null;
}

export interface FastTightenSummary {
  crashDays: number;
  /** Crash days whose next step wanted a tightening at all. */
  tighteningWanted: number;
  /** ... and, of those, the next step took the stress path (skipped hysteresis and the delay). */
  stressPath: number;
  /** ... reached the target at once (a hard cut). */
  hardCut: number;
  /** ... flagged a governance vote because the bounds could not reach the target. */
  voteFlagged: number;
  medianCatchUpDays: number | null;
  maxCatchUpDays: number | null;
  emergencyMedianCatchUpDays: number | null;
  emergencyMaxCatchUpDays: number | null;
  /** Breaches over the whole series: the steward path, the emergency-vote path, the engine's target. */
  breaches: { applied: number; emergency: number; target: number; windows: number };
  responses: CrashResponse[];
}

function tightnessDelta(kind: 'lending' | 'perp', fromBps: number, toBps: number): number {
  // Lending: lower LT is tighter; perps: higher MMR is tighter.
  return kind === 'lending' ? fromBps - toBps : toBps - fromBps;
}

export function crashResponses(result: SeriesResult): FastTightenSummary {
  const steps = result.steps.filter((s) => s.status === 'ok');
  const byDay = new Map<number, StepRecord>(steps.map((s) => [s.atMs, s]));
  const responses: CrashResponse[] = [];
  for (const step of steps) {
    if (step.outcome.breaches.applied === 0) continue;
    const live = pathRow(step).appliedBps;
    const following = byDay.get(step.atMs + DAY_MS);
    let next: CrashResponse['next'] = null;
    if (following) {
      const row = pathRow(following);
      next = {
        atMs: following.atMs,
        targetBps: row.targetBps,
        proposedBps: row.appliedBps,
        wantedBps: tightnessDelta(result.profileKind, live, row.targetBps),
        movedBps: tightnessDelta(result.profileKind, live, row.appliedBps),
        stress: row.stress,
        needsVote: row.needsVote,
      };
    }
    responses.push({
      crashMs: step.atMs,
      worstMove: step.outcome.worstMove,
      liveBps: live,
      next,
      catchUpDays: catchUp(steps, step, 'applied'),
      emergencyCatchUpDays: catchUp(steps, step, 'emergency'),
    });
  }
  const wanted = responses.filter((r) => r.next && r.next.wantedBps > 0);
  const sorted = (days: (number | null)[]) => days.filter((d): d is number => d !== null).sort((a, b) => a - b);
  const catchUps = sorted(responses.map((r) => r.catchUpDays));
  const emergencyCatchUps = sorted(responses.map((r) => r.emergencyCatchUpDays));
  const c = result.coverage;
  return {
    crashDays: responses.length,
    tighteningWanted: wanted.length,
    stressPath: wanted.filter((r) => r.next!.stress).length,
    hardCut: wanted.filter((r) => r.next!.movedBps >= r.next!.wantedBps).length,
    voteFlagged: wanted.filter((r) => r.next!.needsVote).length,
    medianCatchUpDays: catchUps.length > 0 ? catchUps[(catchUps.length - 1) >> 1]! : null,
    maxCatchUpDays: catchUps.length > 0 ? catchUps[catchUps.length - 1]! : null,
    emergencyMedianCatchUpDays: emergencyCatchUps.length > 0 ? emergencyCatchUps[(emergencyCatchUps.length - 1) >> 1]! : null,
    emergencyMaxCatchUpDays: emergencyCatchUps.length > 0 ? emergencyCatchUps[emergencyCatchUps.length - 1]! : null,
    breaches: { applied: c.applied?.breaches ?? 0, emergency: c.emergency?.breaches ?? 0, target: c.target?.breaches ?? 0, windows: c.target?.windows ?? 0 },
    responses,
  };
}

/** Days after `from` until the first step whose live parameter (on `path`) is no looser than its target. */
function catchUp(steps: readonly StepRecord[], from: StepRecord, path: 'applied' | 'emergency'): number | null {
  for (const s of steps) {
    if (s.atMs <= from.atMs) continue;
    if (appliedLagBps(s, path) <= 0) return Math.round((s.atMs - from.atMs) / DAY_MS);
  }
  return null;
}
