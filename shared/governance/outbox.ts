import { randomUUID } from 'node:crypto';
import type { AdvisorConfig } from '../config/schema.js';
import type { Proposal } from '../model/proposal.js';
import type { Recommendation } from '../model/recommendation.js';
import type { Store } from '../store/index.js';
import { LeaseLostError } from '../store/proposals.js';
import { changesOf } from './changes.js';
import { RateLimitedError, isPermanentDeliveryFailure } from './errors.js';
import { inducedSection } from './render-induced.js';
import type { PositionsSnapshot } from './positions.js';
import { renderProposal } from './render.js';
import type { ChangesSince } from './since.js';
import { stewardPayloadOf } from './steward/payload.js';
import type { ProposalSink } from './sinks.js';

/**
 * Deterministic id: a retried finalizer for the same run and profile finds the proposal it already made.
 * A profile split into parts numbers them: `<profile>-<run>-2of3`.
 */
export function proposalId(profileId: string, runId: string, part?: { index: number; count: number }): string {
  const suffix = part && part.count > 1 ? `-${part.index}of${part.count}` : '';
  return `${profileId}-${runId}${suffix}`.toLowerCase();
}

/** Splits a sorted list into consecutive groups of at most `size`. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}

export interface DraftInput {
  config: AdvisorConfig;
  runId: string;
  nowMs: number;
  publicBaseUrl: string;
  target: string;
  recommendations: readonly Recommendation[];
  /**
   * The profiles to draft for (the finalizer's publication decisions, shared/governance/cadence.ts);
   * absent: every profile with changes.
   */
  profiles?: ReadonlySet<string>;
  /** Per profile id: what changed since its last published proposal, for the proposal's section on it. */
  since?: ReadonlyMap<string, ChangesSince>;
  /** issue 16: the positions snapshot for induced liquidations; absent: each asset's simulated book. */
  positions?: PositionsSnapshot | null;
}

/**
 * One proposal per profile per run, holding every change the guard rails let through (or that needs a
 * vote); split into parts of at most `proposals.maxAssetsPerProposal` assets (by symbol) for a large
 * universe. Profiles with nothing to change get no proposal.
 */
export function draftProposals(input: DraftInput): Proposal[] {
  const proposals: Proposal[] = [];
  for (const profile of input.config.profiles) {
    if (input.profiles && !input.profiles.has(profile.id)) continue;
    const changed = input.recommendations
      .filter((r) => r.profileId === profile.id && changesOf(r).length > 0)
      .sort((a, b) => a.asset.localeCompare(b.asset));
    const parts = chunk(changed, input.config.proposals.maxAssetsPerProposal);
    const since = input.since?.get(profile.id);
    const inParts = new Set(changed.map((r) => r.asset));
    parts.forEach((recommendations, i) => {
      // Each part shows the moves of its own assets; the first also those of assets in no part (withdrawn changes).
      const own = new Set(recommendations.map((r) => r.asset));
      const partSince = since && { ...since, moves: since.moves.filter((m) => own.has(m.asset) || (i === 0 && !inParts.has(m.asset))) };
      proposals.push(draftPart(input, profile, recommendations, { index: i + 1, count: parts.length }, partSince));
    });
  }
  return proposals;
}

function draftPart(
  input: DraftInput,
  profile: AdvisorConfig['profiles'][number],
  recommendations: readonly Recommendation[],
  part: { index: number; count: number },
  since: ChangesSince | undefined,
): Proposal {
    const changes = recommendations.flatMap((r) => changesOf(r));
    const simulated = recommendations.some((r) => r.simulated);
    const historical = recommendations.some((r) => r.historical === true);
    const id = proposalId(profile.id, input.runId, part);
    // issue 16: the risk-steward calls of the bounded steps (lending profiles with a steward block), named after the proposal.
    const steward = stewardPayloadOf({ profile, recommendations, changes, nowMs: input.nowMs, name: `${profile.name}: ${id}` });
    const { title, markdown } = renderProposal({
      profile,
      runId: input.runId,
      methodologyVersion: input.config.methodologyVersion,
      createdAtMs: input.nowMs,
      simulated,
      historical,
      publicBaseUrl: input.publicBaseUrl,
      recommendations,
      changes,
      part,
      ...(since ? { since } : {}),
      steward: { payload: steward, url: `${input.publicBaseUrl}/v1/proposals/${encodeURIComponent(id)}/payload` },
      induced: profile.kind === 'lending'
        ? inducedSection({ recommendations, changes, snapshot: input.positions ?? null, maxInducedLiquidationUsd: input.config.proposals.maxInducedLiquidationUsd, simulatedPositions: profile.monteCarloPositions })
        : [],
    });
    return {
      id,
      profileId: profile.id,
      runId: input.runId,
      createdAtMs: input.nowMs,
      simulated,
      historical,
      title,
      markdown,
      changes,
      status: 'pending',
      attempts: 0,
      target: input.target,
      externalRef: null,
      sentAtMs: null,
      lastError: null,
      ...(steward ? { steward } : {}),
    };
}

export interface DispatchResult {
  sent: string[];
  /** Failed for good: rejected by the target (e.g. a 422), or out of attempts. The error is kept. */
  failed: string[];
  /** Failed this time; still pending with the attempt counted. */
  retrying: string[];
  /** Simulated proposals held back from a public target (no local outbox to take them). */
  heldBack: string[];
  /**
   * Not tried, or not finished, and no attempt counted: the target rate-limited us for longer than a
   * dispatch may wait, or the dispatch ran out of time.
   */
  deferred: string[];
  /** Another dispatcher holds them (a lease); it will finish them. */
  busy: string[];
  /** Delivered, but recording it failed: the next dispatch finds the delivery and records it. */
  unconfirmed: string[];
  /** Not sent: a newer run proposed for the same market and asset set (status `superseded`). */
  superseded: string[];
  /**
   * This dispatcher's lease ran out mid-send and another took the proposal over (LeaseLostError): it
   * changed nothing, and the holder finishes it.
   */
  leaseLost: string[];
  /** The error of every proposal that did not go out, as stored. */
  errors: { id: string; message: string }[];
}

/**
 * How long a dispatcher holds a proposal it is sending. Longer than one send can take in the publish
 * Lambda (its timeout is 1 min), so a live dispatcher never loses its lease mid-send; short enough that a
 * crashed one delays its proposals by a couple of minutes only.
 */
export const DEFAULT_LEASE_MS = 120_000;

/** Pending proposals one dispatch looks at. */
export const DEFAULT_DISPATCH_BATCH = 100;

export interface DispatchDeps {
  store: Store;
  sink: ProposalSink;
  /**
   * Where simulated proposals go when `sink` is public: a non-public sink (the local outbox), or none,
   * in which case they are held back and stay pending. Simulated data never reaches a public target.
   */
  simulatedSink?: ProposalSink | null;
  maxAttempts: number;
  now: () => number;
  leaseMs?: number;
  /** No new send starts at or after this time (epoch ms): e.g. the Lambda's deadline less one send. */
  deadlineMs?: number;
  /** Names this dispatcher in leases; a fresh random id by default. */
  owner?: string;
  batchSize?: number;
}

function emptyResult(): DispatchResult {
  return { sent: [], failed: [], retrying: [], heldBack: [], deferred: [], busy: [], unconfirmed: [], superseded: [], leaseLost: [], errors: [] };
}

/** The proposals of this dispatch with the sink each goes to, oldest first. */
async function plan(deps: DispatchDeps, result: DispatchResult): Promise<{ proposal: Proposal; sink: ProposalSink }[]> {
  const batch = deps.batchSize ?? DEFAULT_DISPATCH_BATCH;
  if (!deps.sink.isPublic) return (await deps.store.proposals.listPending(batch)).map((proposal) => ({ proposal, sink: deps.sink }));
  // Listed apart, so pending simulated proposals never crowd real ones out of the batch.
  const [real, simulated] = await Promise.all([
    deps.store.proposals.listPending(batch, { simulated: false }),
    deps.store.proposals.listPending(batch, { simulated: true }),
  ]);
  const local = deps.simulatedSink && !deps.simulatedSink.isPublic ? deps.simulatedSink : null;
  const planned = real.map((proposal) => ({ proposal, sink: deps.sink }));
  for (const proposal of simulated) {
    if (local) planned.push({ proposal, sink: local });
    else result.heldBack.push(proposal.id);
  }
  return planned.sort((a, b) => a.proposal.createdAtMs - b.proposal.createdAtMs || a.proposal.id.localeCompare(b.proposal.id));
}

/**
 * Sends every pending proposal, each at most once at a time (a lease) and never twice to the forum:
 *
 * 1. claim it (conditional write; another dispatcher's live lease means skip it);
 * 2. if a newer run proposed for the same market and asset set, mark it superseded instead of sending
 *    stale numbers;
 * 3. send it: the sink looks for an earlier delivery of the same proposal before delivering, and
 *    retries transient failures with backoff within this dispatch;
 * 4. mark it sent with where it landed, or record the failure: a rejection (4xx such as 422, or a
 *    redirect) fails it at once with the target's message; anything else counts an attempt, and the
 *    `maxAttempts`-th fails it. A rate limit longer than we may wait defers it (no attempt counted) and
 *    every later proposal for that target too, since they would hit the same limit.
 *
 * Every write after the claim is conditioned on this dispatcher still holding the lease: one whose
 * lease ran out and was taken over gets a LeaseLostError for that proposal, changes nothing, and goes
 * on with the others. The proposal was stored before this runs, so nothing is lost: a crash anywhere
 * leaves it pending, and once its lease runs out the next dispatch sends it, the sink's lookup finding
 * what was delivered.
 */
export async function dispatchOutbox(deps: DispatchDeps): Promise<DispatchResult> {
  const result = emptyResult();
  const owner = deps.owner ?? randomUUID();
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const rateLimited = new Set<ProposalSink>();
  for (const { proposal, sink } of await plan(deps, result)) {
    if ((deps.deadlineMs !== undefined && deps.now() >= deps.deadlineMs) || rateLimited.has(sink)) {
      result.deferred.push(proposal.id);
      continue;
    }
    const claimed = await deps.store.proposals.claim(proposal.id, owner, deps.now(), leaseMs);
    if (!claimed) {
      result.busy.push(proposal.id);
      continue;
    }
    try {
      await dispatchOne(deps, { proposal: claimed, sink, owner, rateLimited }, result);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      result.leaseLost.push(proposal.id);
      result.errors.push({ id: proposal.id, message: error.message });
    }
  }
  return result;
}

/** Steps 2-4 for one claimed proposal; a LeaseLostError from any write goes up to the loop. */
async function dispatchOne(
  deps: DispatchDeps,
  work: { proposal: Proposal; sink: ProposalSink; owner: string; rateLimited: Set<ProposalSink> },
  result: DispatchResult,
): Promise<void> {
  const { proposal, sink, owner } = work;
  const proposals = deps.store.proposals;
  const newer = await proposals.newerOfSameSet(proposal);
  if (newer) {
    await proposals.markSuperseded(proposal.id, newer, owner);
    result.superseded.push(proposal.id);
    return;
  }
  let externalRef: string;
  try {
    ({ externalRef } = await sink.send(proposal));
  } catch (error) {
    const message = (error as Error).message;
    result.errors.push({ id: proposal.id, message });
    if (error instanceof RateLimitedError) {
      work.rateLimited.add(sink);
      await proposals.recordDeferral(proposal.id, message, owner);
      result.deferred.push(proposal.id);
      return;
    }
    const status = await proposals.recordFailure(proposal.id, message, deps.maxAttempts, { permanent: isPermanentDeliveryFailure(error), owner });
    (status === 'failed' ? result.failed : result.retrying).push(proposal.id);
    return;
  }
  try {
    await proposals.markSent(proposal.id, externalRef, deps.now(), owner);
    result.sent.push(proposal.id);
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    // Delivered but not recorded. Not a failure (it would count an attempt against a delivered
    // proposal): it stays pending, and the next dispatch's lookup finds the delivery and records it.
    const message = `delivered to ${externalRef} but not recorded: ${(error as Error).message}`;
    result.unconfirmed.push(proposal.id);
    result.errors.push({ id: proposal.id, message });
    await proposals.recordDeferral(proposal.id, message, owner).catch(() => undefined);
  }
}
