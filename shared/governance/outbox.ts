import type { AdvisorConfig } from '../config/schema.js';
import type { Proposal } from '../model/proposal.js';
import type { Recommendation } from '../model/recommendation.js';
import type { Store } from '../store/index.js';
import { changesOf } from './changes.js';
import { renderProposal } from './render.js';
import type { ProposalSink } from './sinks.js';

/** Deterministic id: a retried compute for the same run and profile finds the proposal it already made. */
export function proposalId(profileId: string, runId: string): string {
  return `${profileId}-${runId}`.toLowerCase();
}

export interface DraftInput {
  config: AdvisorConfig;
  runId: string;
  nowMs: number;
  publicBaseUrl: string;
  target: string;
  recommendations: readonly Recommendation[];
}

/**
 * One proposal per profile per run, holding every change the guard rails let through (or that needs a
 * vote). Profiles with nothing to change get no proposal.
 */
export function draftProposals(input: DraftInput): Proposal[] {
  const proposals: Proposal[] = [];
  for (const profile of input.config.profiles) {
    const recommendations = input.recommendations.filter((r) => r.profileId === profile.id).sort((a, b) => a.asset.localeCompare(b.asset));
    const changes = recommendations.flatMap((r) => changesOf(r));
    if (changes.length === 0) continue;
    const simulated = recommendations.some((r) => r.simulated);
    const { title, markdown } = renderProposal({
      profile,
      runId: input.runId,
      methodologyVersion: input.config.methodologyVersion,
      createdAtMs: input.nowMs,
      simulated,
      publicBaseUrl: input.publicBaseUrl,
      recommendations,
      changes,
    });
    proposals.push({
      id: proposalId(profile.id, input.runId),
      profileId: profile.id,
      runId: input.runId,
      createdAtMs: input.nowMs,
      simulated,
      title,
      markdown,
      changes,
      status: 'pending',
      attempts: 0,
      target: input.target,
      externalRef: null,
      sentAtMs: null,
      lastError: null,
    });
  }
  return proposals;
}

export interface DispatchResult {
  sent: string[];
  failed: string[];
  retrying: string[];
  /** Simulated proposals held back from a public target. */
  heldBack: string[];
}

export interface DispatchDeps {
  store: Store;
  sink: ProposalSink;
  maxAttempts: number;
  now: () => number;
}

/**
 * Sends every pending proposal. The proposal was stored before this runs, so nothing is lost if a
 * send fails: it stays pending and is retried on the next dispatch, until `maxAttempts` marks it failed.
 * Simulated data never reaches a public target.
 */
export async function dispatchOutbox(deps: DispatchDeps): Promise<DispatchResult> {
  const result: DispatchResult = { sent: [], failed: [], retrying: [], heldBack: [] };
  for (const proposal of await deps.store.proposals.listPending()) {
    if (proposal.simulated && deps.sink.isPublic) {
      result.heldBack.push(proposal.id);
      continue;
    }
    try {
      const { externalRef } = await deps.sink.send(proposal);
      if (await deps.store.proposals.markSent(proposal.id, externalRef, deps.now())) result.sent.push(proposal.id);
    } catch (error) {
      const status = await deps.store.proposals.recordFailure(proposal.id, (error as Error).message, deps.maxAttempts);
      (status === 'failed' ? result.failed : result.retrying).push(proposal.id);
    }
  }
  return result;
}
