import * as z from 'zod';
import { publicationDecisionSchema } from './publication.js';

/**
 * queued -> running -> succeeded | partial | failed, or queued | running -> interrupted.
 * `partial`: some assets have no recommendation (failed, or never reported); `failed`: none has one.
 * `interrupted`: the process that owned the run died before it finished; it drafts no proposal.
 */
export const runStatus = z.enum(['queued', 'running', 'succeeded', 'partial', 'failed', 'interrupted']);
export type RunStatus = z.infer<typeof runStatus>;
/** Statuses a run never leaves. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'partial', 'failed', 'interrupted'];

export const runErrorSchema = z.object({ asset: z.string().nullable(), stage: z.string(), message: z.string() });
export const recommendationRefSchema = z.object({ asset: z.string(), profileId: z.string(), version: z.number().int() });

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
  recommendations: z.array(recommendationRefSchema),
  proposals: z.array(z.string()),
  /**
   * Per market (profile): whether the run published a proposal and why, with the figures (issue 16;
   * shared/governance/cadence.ts). A run that publishes nothing for a market says so here. Absent on
   * runs finished before it existed.
   */
  publication: z.array(publicationDecisionSchema).default([]),
  errors: z.array(runErrorSchema),
  /** Assets the run fans out to (one queue message each); null until the run starts. */
  assetsTotal: z.number().int().nonnegative().nullable().default(null),
  /** Assets whose worker has recorded an outcome (success or failure); the last one finalizes the run. */
  assetsDone: z.number().int().nonnegative().default(0),
});
export type Run = z.infer<typeof runSchema>;

/** What one asset's worker produced in a run: pk RUN#<id>, sk ASSET#<symbol>. Written once. */
export const assetOutcomeSchema = z.object({
  runId: z.string(),
  asset: z.string(),
  status: z.enum(['succeeded', 'failed']),
  recommendations: z.array(recommendationRefSchema),
  errors: z.array(runErrorSchema),
  /** Capture time of the market snapshot the recommendations used; null when ingest failed. */
  snapshotTakenAtMs: z.number().nullable(),
  finishedAtMs: z.number(),
});
export type AssetOutcome = z.infer<typeof assetOutcomeSchema>;
