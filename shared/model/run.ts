import * as z from 'zod';

export const runStatus = z.enum(['queued', 'running', 'succeeded', 'failed']);

export const runSchema = z.object({
  id: z.string(),
  trigger: z.enum(['schedule', 'adhoc']),
  /** Who asked: "schedule", or the caller of POST /v1/recompute. */
  requestedBy: z.string(),
  reason: z.string().nullable(),
  /** Assets to cover; empty = the whole universe. */
  assets: z.array(z.string()),
  status: runStatus,
  createdAtMs: z.number(),
  startedAtMs: z.number().nullable(),
  finishedAtMs: z.number().nullable(),
  recommendations: z.array(z.object({ asset: z.string(), profileId: z.string(), version: z.number().int() })),
  proposals: z.array(z.string()),
  errors: z.array(z.object({ asset: z.string().nullable(), stage: z.string(), message: z.string() })),
});
export type Run = z.infer<typeof runSchema>;
