import { z } from 'zod';

export const parameterChangeSchema = z.object({
  asset: z.string(),
  parameter: z.string(),
  /** Null when the protocol has no current value for this parameter. */
  current: z.number().nullable(),
  recommended: z.number(),
  unit: z.enum(['bps', 'usd', 'x']),
  reason: z.string(),
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
