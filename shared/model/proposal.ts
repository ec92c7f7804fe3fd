import { createHash } from 'node:crypto';
import { decodeTime } from 'ulid';
import * as z from 'zod';
import { PARAMETER_UNITS } from './parameters.js';
import { stewardPayloadSchema } from './steward.js';

export const parameterChangeSchema = z.object({
  asset: z.string(),
  parameter: z.string(),
  /** Null when the protocol has no current value for this parameter. */
  current: z.number().nullable(),
  /** What this proposal asks to set now: the guard-railed step. */
  recommended: z.number(),
  /** The unconstrained recommendation (equal to `recommended` unless the step is bounded). */
  target: z.number(),
  unit: z.enum(PARAMETER_UNITS),
  /** within-bounds (a steward may apply it), bounded-needs-vote, new-listing-needs-vote. */
  status: z.string(),
  /** A tightening beyond the stress line (fast path). */
  stress: z.boolean(),
  /** Why the target is what it is (the methodology). */
  reason: z.string(),
  /** What the guard rails did and why. */
  guardRail: z.string(),
});
export type ParameterChange = z.infer<typeof parameterChangeSchema>;

/** Every status of the outbox; `sent`, `failed` and `superseded` are final. */
export const PROPOSAL_STATUSES = ['pending', 'sent', 'failed', 'superseded'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export const proposalSchema = z.object({
  /** Deterministic: `<profileId>-<runId>`, so a retried finalize never creates a second proposal. */
  id: z.string(),
  profileId: z.string(),
  runId: z.string(),
  createdAtMs: z.number(),
  simulated: z.boolean(),
  /** Drafted from replayed history: goes to the local outbox only unless ADVISOR_PUBLISH_HISTORICAL=true. Absent = false. */
  historical: z.boolean().optional(),
  title: z.string(),
  markdown: z.string(),
  changes: z.array(parameterChangeSchema),
  /** `superseded`: a newer run proposed for the same market and asset set first; never sent (see supersededBy). */
  status: z.enum(PROPOSAL_STATUSES),
  attempts: z.number().int().min(0),
  target: z.string(),
  /**
   * Where it landed: an outbox file path, a forum post (`<forum>/p/<post id>`), `webhook:<id>`; several
   * targets are separated by a space.
   */
  externalRef: z.string().nullable(),
  sentAtMs: z.number().nullable(),
  lastError: z.string().nullable(),
  /** For a superseded proposal: the id of the newer run's proposal for the same market and asset set. */
  supersededBy: z.string().optional(),
  /** The dispatcher sending it right now (see ProposalRepository.claim); absent when nobody is. */
  leaseOwner: z.string().optional(),
  /** Until when that dispatcher holds it (epoch ms); after that another may take it over. */
  leaseUntilMs: z.number().optional(),
  /** issue 16: the risk-steward calls of a lending proposal's bounded steps (shared/governance/steward/); absent otherwise. */
  steward: stewardPayloadSchema.optional(),
});
export type Proposal = z.infer<typeof proposalSchema>;

/**
 * The market and asset set a proposal speaks for: its profile, whether it is simulated, and its sorted
 * assets (hashed, to keep the key short). A newer run's proposal with the same key supersedes it.
 */
export function assetSetKeyOf(proposal: Pick<Proposal, 'profileId' | 'simulated' | 'changes'>): string {
  const assets = [...new Set(proposal.changes.map((c) => c.asset))].sort();
  const digest = createHash('sha256').update(assets.join('\n')).digest('hex').slice(0, 24);
  return `${proposal.profileId}#${proposal.simulated ? 'simulated' : 'live'}#${digest}`;
}

/**
 * How recent the run behind a proposal is, as a string that sorts in time order: the run's start (run
 * ids are ULIDs, which carry it; ties broken by the id). Not the proposal's creation time: an
 * interrupted run closed late stores its proposal after a newer run's. Null for a run id that is not a
 * ULID (none is made so; hand-made fixtures): such a proposal neither supersedes nor is superseded.
 */
export function runRankOf(proposal: Pick<Proposal, 'runId'>): string | null {
  let startedAtMs: number;
  try {
    startedAtMs = decodeTime(proposal.runId);
  } catch {
    return null;
  }
  return `${String(startedAtMs).padStart(15, '0')}#${proposal.runId}`;
}
