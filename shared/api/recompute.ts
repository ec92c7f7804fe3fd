import type { Logger } from '@aws-lambda-powertools/logger';
import type { AdvisorConfig } from '../config/schema.js';
import type { Invoker } from '../cycle/invoker.js';
import { newRun } from '../cycle/runs.js';
import type { Run } from '../model/run.js';
import type { Store } from '../store/index.js';
import { callerHash, type CallerWindow } from '../store/recompute.js';
import { AdvisorError } from '../util/errors.js';
import { MS_PER_HOUR, MS_PER_MINUTE } from '../util/time.js';

/**
 * Registry replacements a request may lose before it gives up. Each loss means another request
 * registered a run (which the next attempt joins, or which fills the bound) or pruned a finished one,
 * so a few spare attempts beyond the bound always settle.
 */
const SPARE_ATTEMPTS = 4;

/** maxRunsInFlight recompute runs are in flight and this request is covered by none of them. */
export class RecomputeBusyError extends AdvisorError {
  constructor(
    readonly inFlight: number,
    readonly maxRunsInFlight: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'RECOMPUTE_BUSY',
      `${inFlight} recompute runs are in flight (schedule.maxRunsInFlight ${maxRunsInFlight}) and none covers these assets; retry after ${retryAfterSeconds} s`,
      { inFlight, maxRunsInFlight, retryAfterSeconds },
    );
  }
}

/** The caller started schedule.recomputesPerCallerPerHour runs in this clock hour. */
export class RecomputeRateLimitedError extends AdvisorError {
  constructor(
    readonly principal: string,
    readonly limitPerHour: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      'RECOMPUTE_RATE_LIMITED',
      `this caller started ${limitPerHour} recompute runs this hour (schedule.recomputesPerCallerPerHour); retry after ${retryAfterSeconds} s`,
      { principal, limitPerHour, retryAfterSeconds },
    );
  }
}

/** Concurrent requests kept replacing the registry first (not expected with the spare attempts). */
export class RecomputeContendedError extends AdvisorError {
  readonly retryAfterSeconds = 1;

  constructor(readonly attempts: number) {
    super('RECOMPUTE_CONTENDED', `too many concurrent recompute requests (${attempts} attempts); retry in a second`, { attempts });
  }
}

export interface RecomputeDeps {
  config: AdvisorConfig;
  store: Store;
  invoker: Invoker;
  logger: Logger;
  now: () => number;
}

export interface RecomputeRequest {
  /** Upper-cased, de-duplicated known symbols; empty = the whole universe. */
  assets: string[];
  requestedBy: string;
  reason: string | null;
}

/** The run that will answer the request, and whether the request joined it rather than started it. */
export interface RecomputeAnswer {
  run: Run;
  coalesced: boolean;
}

/** True when a run over `runAssets` computes every asset of `requested` (empty = the whole `universe`). */
export function coversAssets(runAssets: readonly string[], requested: readonly string[], universe: readonly string[]): boolean {
  if (runAssets.length === 0) return true;
  const have = new Set(runAssets);
  return (requested.length === 0 ? universe : requested).every((a) => have.has(a));
}

/**
 * Queued or running, and younger than the run timeout (counted from its start, else its creation): an
 * older one has lost its work (closed as stuck by the next scheduled plan, or its plan never ran).
 * Any other status is finished.
 */
export function isInFlight(run: Run, nowMs: number, runTimeoutMs: number): boolean {
  if (run.status !== 'queued' && run.status !== 'running') return false;
  return (run.startedAtMs ?? run.createdAtMs) > nowMs - runTimeoutMs;
}

/** The fixed clock-hour window of the per-caller limit that contains `nowMs`. */
export function hourWindow(nowMs: number): { startMs: number; endMs: number } {
  const startMs = Math.floor(nowMs / MS_PER_HOUR) * MS_PER_HOUR;
  return { startMs, endMs: startMs + MS_PER_HOUR };
}

/** Of the runs that cover the request, the newest (the one that ingests latest). */
function newestCovering(runs: readonly Run[], request: RecomputeRequest, universe: readonly string[]): Run | undefined {
  return runs.filter((r) => coversAssets(r.assets, request.assets, universe)).sort((a, b) => b.createdAtMs - a.createdAtMs)[0];
}

/** The callers' counts after `principal` starts a run: counts of past windows are dropped. */
export function chargedCallers(callers: Record<string, CallerWindow>, principal: string, windowStartMs: number): Record<string, CallerWindow> {
  const current = Object.entries(callers).filter(([, w]) => w.windowStartMs === windowStartMs);
  const next: Record<string, CallerWindow> = Object.fromEntries(current);
  const key = callerHash(principal);
  next[key] = { windowStartMs, count: (next[key]?.count ?? 0) + 1 };
  return next;
}

/**
 * POST /v1/recompute: join a run in flight that covers the assets, or start one, within
 * `schedule.maxRunsInFlight` and the caller's `schedule.recomputesPerCallerPerHour`.
 *
 * A new run is created (queued, not yet started) before it is registered, so an id handed to a joining
 * request always exists. Registration and the caller's charge are one compare-and-swap of the gate item
 * (store/recompute.ts): of concurrent requests one wins; the others re-read, find the winner covering
 * them, join it and delete the run they created. Only a request that starts a run is charged.
 */
export async function requestRecompute(deps: RecomputeDeps, request: RecomputeRequest): Promise<RecomputeAnswer> {
  const { config, store, logger } = deps;
  const schedule = config.schedule;
  const universe = config.assets.map((a) => a.symbol);
  const timeoutMs = schedule.runTimeoutMinutes * MS_PER_MINUTE;
  const nowMs = deps.now();
  const window = hourWindow(nowMs);
  const caller = callerHash(request.requestedBy);
  let created: Run | null = null;
  const discardCreated = async () => {
    if (!created) return;
    await store.recompute.discardUnregisteredRun(created.id);
    // runs.create put it in the active-run set: take it out, so nobody mistakes it for a run in flight.
    await store.runs.forgetActive(created.id);
  };

  // A scheduled run in flight covers every asset; it is not a recompute run, so it is not registered
  // (nor counted against the bound): read from the active set once.
  let gate = await store.recompute.gate();
  const others = (await store.runs.activeRunIds()).filter((id) => !gate.runIds.includes(id));
  // Only scheduled runs: an ad-hoc run in the active set but not in the gate is another request's
  // candidate that has not won the gate yet (and may be discarded), never one to join.
  const active = (await Promise.all(others.map((id) => store.runs.get(id)))).filter(
    (r): r is Run => r !== null && r.trigger === 'schedule' && isInFlight(r, nowMs, timeoutMs),
  );
  const joinActive = newestCovering(active, request, universe);
  if (joinActive) return { run: joinActive, coalesced: true };

  const attempts = schedule.maxRunsInFlight + SPARE_ATTEMPTS;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) gate = await store.recompute.gate();
    const runs = await Promise.all(gate.runIds.map((id) => store.runs.get(id)));
    const live = runs.filter((r): r is Run => r !== null && isInFlight(r, nowMs, timeoutMs));
    const join = newestCovering(live, request, universe);
    if (join) {
      await discardCreated();
      return { run: join, coalesced: true };
    }
    if (live.length >= schedule.maxRunsInFlight) {
      await discardCreated();
      throw new RecomputeBusyError(live.length, schedule.maxRunsInFlight, schedule.recomputeBusyRetryAfterSeconds);
    }
    // Counts only grow within a window, so a refusal read from a version since replaced still holds.
    const spent = gate.callers[caller]?.windowStartMs === window.startMs ? gate.callers[caller]!.count : 0;
    if (spent >= schedule.recomputesPerCallerPerHour) {
      await discardCreated();
      throw new RecomputeRateLimitedError(request.requestedBy, schedule.recomputesPerCallerPerHour, Math.ceil((window.endMs - nowMs) / 1000));
    }
    if (!created) {
      created = newRun({ trigger: 'adhoc', requestedBy: request.requestedBy, reason: request.reason, assets: request.assets, nowMs });
      await store.runs.create(created);
    }
    // Finished and timed-out runs leave the gate with this replacement.
    const next = { runIds: [...live.map((r) => r.id), created.id], callers: chargedCallers(gate.callers, request.requestedBy, window.startMs) };
    if (await store.recompute.replaceGate(gate.version, next)) {
      await deps.invoker.invoke('plan', { runId: created.id });
      return { run: created, coalesced: false };
    }
    logger.debug('recompute gate replaced concurrently; re-reading', { attempt, runId: created.id });
  }
  await discardCreated();
  throw new RecomputeContendedError(attempts);
}
