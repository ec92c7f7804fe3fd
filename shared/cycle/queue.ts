import * as z from 'zod';
import { assetSymbol } from '../config/schema.js';

/** One unit of fanned-out work: pull one asset's market data and compute its recommendations for one run. */
export const assetWorkSchema = z.object({ runId: z.string().min(1).max(64), asset: assetSymbol }).strict();
export type AssetWork = z.infer<typeof assetWorkSchema>;

/**
 * Where a run's per-asset work goes: an SQS queue in the cloud (a worker Lambda per batch), an
 * in-process pool locally. Delivery is at least once; the worker is idempotent per (run, asset).
 */
export interface AssetQueue {
  enqueue(work: readonly AssetWork[]): Promise<void>;
}
