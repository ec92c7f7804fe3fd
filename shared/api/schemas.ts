import { z } from 'zod';
import { assetSymbol } from '../config/schema.js';

export const recomputeBodySchema = z
  .object({
    /** Assets to recompute (case-insensitive); omitted = the whole universe. */
    assets: z
      .array(z.string().trim().toUpperCase().pipe(assetSymbol))
      .min(1)
      .max(200)
      .optional(),
    /** Why the committee asks (kept on the run). */
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
export type RecomputeBody = z.infer<typeof recomputeBodySchema>;

export const historyQuerySchema = z
  .object({
    profile: z.string().min(1).max(40).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(2000).optional(),
  })
  .strict();
