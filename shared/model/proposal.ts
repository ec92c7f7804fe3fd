import * as z from 'zod';

export const parameterChangeSchema = z.object({
  asset: z.string(),
  parameter: z.string(),
  /** Null when the protocol has no current value for this parameter. */
  current: z.number().nullable(),
  /** What this proposal asks to set now: the guard-railed step. */
  recommended: z.number(),
  /** The unconstrained recommendation (equal to `recommended` unless the step is bounded). */
  target: z.number(),
  unit: z.enum(['bps', 'usd', 'x']),
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

export const proposalSchema = z.object({
  /** Deterministic: `<profileId>-<runId>`, so a retried compute never creates a second proposal. */
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
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int().min(0),
  target: z.string(),
  /**
   * Where it landed: an outbox file path, a forum post (`<forum>/p/<post id>`), `webhook:<id>`; several
   * targets are separated by a space.
   */
  externalRef: z.string().nullable(),
  sentAtMs: z.number().nullable(),
  lastError: z.string().nullable(),
  /** The dispatcher sending it right now (see ProposalRepository.claim); absent when nobody is. */
  leaseOwner: z.string().optional(),
  /** Until when that dispatcher holds it (epoch ms); after that another may take it over. */
  leaseUntilMs: z.number().optional(),
});
export type Proposal = z.infer<typeof proposalSchema>;
