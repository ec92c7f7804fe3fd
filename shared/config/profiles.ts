import type { AdvisorConfig, ProtocolProfile } from './schema.js';

/** Profiles that cover an asset (a profile with no asset list covers every asset). */
export function profilesFor(config: AdvisorConfig, asset: string): ProtocolProfile[] {
  return config.profiles.filter((p) => p.assets.length === 0 || p.assets.includes(asset));
}
