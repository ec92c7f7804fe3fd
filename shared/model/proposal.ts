import { z } from 'zod';

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
  title: z.string(),
  markdown: z.string(),
  changes: z.array(parameterChangeSchema),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int().min(0),
  target: z.string(),
  /** Where it landed: an outbox file path, or later a forum post id. */
  externalRef: z.string().nullable(),
  sentAtMs: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type Proposal = z.infer<typeof proposalSchema>;
