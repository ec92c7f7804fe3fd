import { readLendingChain } from '../chain/read.js';
import type { PlanDeps } from './plan.js';

/**
 * issue 16, part 2: the plan function reads each lending profile's live parameters (one multicall per
 * profile with a `chain` block) and stores the reading with the run, so every worker of the run uses the
 * same values. Without ADVISOR_RPC_URL nothing is read (config values, as before). A failed read is stored
 * too (workers then fall back to config and say why); only a failed store write is logged and skipped.
 */
export async function readChainOnce(deps: PlanDeps, runId: string): Promise<void> {
  const { rpcUrl } = deps;
  if (!rpcUrl) return;
  for (const profile of deps.config.profiles) {
    if (profile.kind !== 'lending' || !profile.chain) continue;
    const reading = await readLendingChain({ profileId: profile.id, chain: profile.chain, rpcUrl, nowMs: deps.now() });
    if (reading.status === 'failed') {
      deps.logger.warn('chain read failed: current values from config', { runId, profileId: profile.id, error: reading.error, durationMs: reading.durationMs });
    } else {
      const assetErrors = Object.keys(reading.assetErrors);
      deps.logger.info('chain read', { runId, profileId: profile.id, reserves: Object.keys(reading.reserves).length, assetErrors, durationMs: reading.durationMs });
    }
    try {
      await deps.store.runs.recordChainReading(runId, reading);
    } catch (error) {
      deps.logger.warn('chain reading not stored: workers use config values', { runId, profileId: profile.id, error: error as Error });
    }
  }
}
