import type { ChainReading } from '../model/chain.js';

/** The run's record of chain reads that fell short (stage `chain`): whole reads failed, and single assets or the steward. */
export function chainWarningsOf(readings: Readonly<Record<string, ChainReading>>): { asset: string | null; stage: string; message: string }[] {
  return Object.values(readings).flatMap((r) => {
    if (r.status === 'failed') return [{ asset: null, stage: 'chain', message: `${r.error?.message ?? 'chain read failed'}; current values from config` }];
    return Object.entries(r.assetErrors).map(([asset, message]) => ({
      asset: asset.startsWith('(') ? null : asset,
      stage: 'chain',
      message: `${r.profileId}: ${message}; ${asset.startsWith('(') ? 'step bounds' : 'current values'} from config`,
    }));
  });
}
