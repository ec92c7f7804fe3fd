import { MS_PER_DAY as DAY_MS } from '../util/time.js';
import type { SeriesResult, StepRecord } from './walkforward.js';

/**
 * Named crashes the issue asks about, and the recommendation path of a series through each. Dates are
 * the crash days in UTC (the first day of the move to the last day of the cascade).
 */

export interface NamedEvent {
  id: string;
  label: string;
  /** First and last crash day, UTC midnights (inclusive). */
  fromMs: number;
  toMs: number;
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

export const NAMED_EVENTS: readonly NamedEvent[] = [
  { id: 'mar-2020', label: 'Mar 2020 (COVID crash)', fromMs: day('2020-03-12'), toMs: day('2020-03-13') },
  { id: 'may-2021', label: 'May 2021 (leverage flush)', fromMs: day('2021-05-19'), toMs: day('2021-05-23') },
  { id: 'may-2022', label: 'May 2022 (LUNA/UST)', fromMs: day('2022-05-09'), toMs: day('2022-05-12') },
  { id: 'nov-2022', label: 'Nov 2022 (FTX)', fromMs: day('2022-11-08'), toMs: day('2022-11-10') },
];

/** The path shown around an event: a week before to three weeks after its first day. */
export const EVENT_DAYS_BEFORE = 7;
export const EVENT_DAYS_AFTER = 21;

/** One row of a recommendation path; parameters in bps (LT for lending, MMR for perps). */
export interface EventPathRow {
  atMs: number;
  price: number;
  worstMove: number;
  /** Lending: LT; perps: maintenance margin. */
  targetBps: number;
  appliedBps: number;
  naiveBps: number;
  /** Lending only. */
  targetLtvBps?: number;
  breaches: { target: number; applied: number; emergency: number; naive: number };
  /** The emergency-vote path's parameter (bps). */
  emergencyBps: number;
  stress: boolean;
  needsVote: boolean;
  adverseMove: number;
  adverseMoveSource: 'filtered' | 'unconditional';
}

export interface EventSummary {
  eventId: string;
  label: string;
  seriesId: string;
  profileId: string;
  /** The series has an evaluated step on at least one crash day. */
  covered: boolean;
  /** Parameters at the last step before the event (bps). */
  before: { targetBps: number; appliedBps: number; naiveBps: number } | null;
  /** Tightest target during the event and the three weeks after, and when. */
  tightestTarget: { bps: number; atMs: number } | null;
  /** Largest realized window move on the crash days. */
  worstMove: number;
  /** Breaches on the crash days. */
  breaches: { target: number; applied: number; emergency: number; naive: number };
  windows: number;
  /** First step from the first crash day on whose tightening took the stress path; null if none. */
  firstStressMs: number | null;
  /** First step flagging a governance vote (a target the steward bounds cannot reach). */
  firstVoteFlagMs: number | null;
  /** Days, from the first crash day, until the applied parameter is at least as tight as the target again. */
  catchUpDays: number | null;
  /** The same for the counterfactual path whose stress tightenings are voted through (emergency.ts). */
  emergencyCatchUpDays: number | null;
  path: EventPathRow[];
}

export function pathRow(step: StepRecord): EventPathRow {
  const r = step.recommendation;
  const common = {
    atMs: step.atMs,
    price: step.price,
    worstMove: step.outcome.worstMove,
    breaches: step.outcome.breaches,
    adverseMove: r.adverseMove,
    adverseMoveSource: r.adverseMoveSource,
  };
  if (r.kind === 'lending') {
    return {
      ...common,
      targetBps: r.target.ltBps,
      appliedBps: r.applied.ltBps,
      naiveBps: r.naive.ltBps,
      targetLtvBps: r.target.ltvBps,
      emergencyBps: r.emergency.ltBps,
      stress: r.applied.stress,
      needsVote: r.applied.needsVote,
    };
  }
  return { ...common, targetBps: r.target.mmrBps, appliedBps: r.applied.mmrBps, emergencyBps: r.emergency.mmrBps, naiveBps: r.naive.mmrBps, stress: r.applied.stress, needsVote: r.applied.needsVote };
}

/** How much looser a live path (the steward's, or the emergency-vote one) is than the target, in bps (> 0: it lags). */
export function appliedLagBps(step: StepRecord, path: 'applied' | 'emergency' = 'applied'): number {
  const r = step.recommendation;
  return r.kind === 'lending' ? r[path].ltBps - r.target.ltBps : r.target.mmrBps - r[path].mmrBps;
}

/** The path and figures of one series through one event. */
export function eventSummary(result: SeriesResult, event: NamedEvent): EventSummary {
  const windowFrom = event.fromMs - EVENT_DAYS_BEFORE * DAY_MS;
  const windowTo = event.fromMs + EVENT_DAYS_AFTER * DAY_MS;
  const steps = result.steps.filter((s) => s.status === 'ok' && s.atMs >= windowFrom && s.atMs <= windowTo);
  const crashSteps = steps.filter((s) => s.atMs >= event.fromMs && s.atMs <= event.toMs);
  const before = [...steps].reverse().find((s) => s.atMs < event.fromMs);
  const after = steps.filter((s) => s.atMs >= event.fromMs);
  const lending = result.profileKind === 'lending';
  let tightest: { bps: number; atMs: number } | null = null;
  for (const s of after) {
    const bps = pathRow(s).targetBps;
    if (!tightest || (lending ? bps < tightest.bps : bps > tightest.bps)) tightest = { bps, atMs: s.atMs };
  }
  const breaches = { target: 0, applied: 0, emergency: 0, naive: 0 };
  let windows = 0;
  let worst = Number.NaN;
  for (const s of crashSteps) {
    breaches.target += s.outcome.breaches.target;
    breaches.applied += s.outcome.breaches.applied;
    breaches.emergency += s.outcome.breaches.emergency;
    breaches.naive += s.outcome.breaches.naive;
    windows += s.outcome.windows;
    if (Number.isNaN(worst) || s.outcome.worstMove > worst) worst = s.outcome.worstMove;
  }
  // Catch-up: from the first crash day, the first step whose live parameter is no looser than the target.
  const catchUp = (path: 'applied' | 'emergency'): number | null => {
    const lagging = after.findIndex((s) => appliedLagBps(s, path) > 0);
    if (lagging < 0) return after.length > 0 ? 0 : null;
    const caught = after.slice(lagging).find((s) => appliedLagBps(s, path) <= 0);
    return caught ? Math.round((caught.atMs - event.fromMs) / DAY_MS) : null;
  };
  const pick = (s: StepRecord) => {
    const row = pathRow(s);
    return { targetBps: row.targetBps, appliedBps: row.appliedBps, naiveBps: row.naiveBps };
  };
  return {
    eventId: event.id,
    label: event.label,
    seriesId: result.id,
    profileId: result.profileId,
    covered: crashSteps.length > 0,
    before: before ? pick(before) : null,
    tightestTarget: tightest,
    worstMove: worst,
    breaches,
    windows,
    firstStressMs: after.find((s) => s.recommendation.applied.stress)?.atMs ?? null,
    firstVoteFlagMs: after.find((s) => s.recommendation.applied.needsVote)?.atMs ?? null,
    catchUpDays: catchUp('applied'),
    emergencyCatchUpDays: catchUp('emergency'),
    path: steps.map(pathRow),
  };
}

/** Every named event a series covers. */
export function eventsOf(result: SeriesResult, events: readonly NamedEvent[] = NAMED_EVENTS): EventSummary[] {
  return events.map((e) => eventSummary(result, e)).filter((e) => e.covered);
}
