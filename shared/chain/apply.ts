import type { LendingParameters, LendingProfile } from '../config/schema.js';
import type { ChainReading, CurrentSource } from '../model/chain.js';
import { MS_PER_DAY } from '../util/time.js';
import { bpsToFraction } from '../util/units.js';

/**
 * issue 16, part 2: a lending profile as the guard rails should see it for one asset, given the cycle's
 * chain reading. Chain values replace the configured `current` values field by field, the steward's
 * bounds replace the step knobs and its last-update times the asset's `currentUpdatedAt`; the config is
 * the fallback for every value the chain did not give. Pure: the reading is data, read by the plan
 * function (shared/chain/read.ts), and the result says where each value came from.
 */

type Field = keyof LendingParameters;
const FIELDS: readonly Field[] = ['ltvBps', 'liquidationThresholdBps', 'liquidationBonusBps', 'supplyCapUsd', 'borrowCapUsd'];

export interface AppliedChain {
  profile: LendingProfile;
  source: CurrentSource;
}

function configOnly(profile: LendingProfile, asset: string, origin: CurrentSource['origin'], warning: string | null, reading: ChainReading | null, notes: string[] = []): AppliedChain {
  const config = profile.current[asset] ?? null;
  return {
    profile,
    source: {
      origin,
      warning,
      readAtMs: reading?.readAtMs ?? null,
      rpcHost: reading?.rpcHost ?? null,
      config,
      chain: null,
      fields: config ? Object.fromEntries(FIELDS.map((f) => [f, 'config'])) : {},
      notes,
      steward: null,
    },
  };
}

/** Chain values in the advisor's units; a field is left out when the chain gives no usable value (with a note why). */
function chainValues(reading: ChainReading, asset: string, priceUsd: number | null, notes: string[]): Partial<LendingParameters> {
  const r = reading.reserves[asset]!;
  const values: Partial<LendingParameters> = { ltvBps: r.ltvBps, liquidationThresholdBps: r.liquidationThresholdBps };
  if (r.liquidationThresholdBps > 0) values.liquidationBonusBps = r.liquidationBonusBps;
  else notes.push('not collateral on chain (LT 0): the liquidation bonus is from config');
  const usd = (tokens: number, name: string): number | undefined => {
    if (tokens === 0) {
      notes.push(`${name} is 0 on chain, which Aave reads as no cap: the configured cap is kept`);
      return undefined;
    }
    if (priceUsd === null || !(priceUsd > 0)) {
      notes.push(`${name} of ${tokens} tokens has no price to convert it to USD: the configured cap is kept`);
      return undefined;
    }
    return tokens * priceUsd;
  };
  const supply = usd(r.supplyCapTokens, 'supply cap');
  if (supply !== undefined) values.supplyCapUsd = supply;
  // Borrowing disabled is the advisor's borrow cap of 0 (the config's encoding of "not borrowable").
  const borrow = r.borrowingEnabled ? usd(r.borrowCapTokens, 'borrow cap') : 0;
  if (borrow !== undefined) values.borrowCapUsd = borrow;
  return values;
}

/** The steward's bounds as the profile's knobs: the tightest bound of the three bps parameters and of the two caps, the longest delay. */
function stewardKnobs(reading: ChainReading, notes: string[]): Pick<LendingProfile, 'maxStepBps' | 'capMaxChangeShare' | 'minDelayDays'> | null {
  const s = reading.steward;
  if (!s) return null;
  const maxStepBps = Math.min(s.ltv.maxChangeBps, s.liquidationThreshold.maxChangeBps, s.liquidationBonus.maxChangeBps);
  const capBps = Math.min(s.supplyCap.maxChangeBps, s.borrowCap.maxChangeBps);
  if (maxStepBps <= 0 || capBps <= 0) {
    notes.push('the steward allows no change of some parameter (maxPercentChange 0): the configured step bounds are kept');
    return null;
  }
  const delays = [s.ltv, s.liquidationThreshold, s.liquidationBonus, s.supplyCap, s.borrowCap].map((b) => b.minDelayMs);
  return { maxStepBps, capMaxChangeShare: bpsToFraction(capBps), minDelayDays: Math.max(...delays) / MS_PER_DAY };
}

/**
 * The profile the engine should use for `asset` and where its current values came from. `reading`
 * undefined: no RPC configured (config values, no warning). `priceUsd`: the asset's last close, to turn
 * caps in tokens into USD.
 */
export function applyChainReading(profile: LendingProfile, asset: string, reading: ChainReading | null | undefined, priceUsd: number | null): AppliedChain {
  if (!reading || !profile.chain) return configOnly(profile, asset, 'config', null, null);
  if (reading.status === 'failed') {
    return configOnly(profile, asset, 'config-fallback', `chain read failed, current values are from config: ${reading.error?.message ?? 'unknown error'}`, reading);
  }
  if (!reading.reserves[asset]) {
    const error = reading.assetErrors[asset];
    if (error) return configOnly(profile, asset, 'config-fallback', `chain read of ${asset} failed, current values are from config: ${error}`, reading);
    return configOnly(profile, asset, 'config', null, reading, [`${asset} has no reserve address in the profile's chain config`]);
  }
  const notes: string[] = [];
  const config = profile.current[asset] ?? null;
  const chain = chainValues(reading, asset, priceUsd, notes);
  const merged: Partial<LendingParameters> = { ...(config ?? {}), ...chain };
  const complete = FIELDS.every((f) => merged[f] !== undefined);
  if (!complete) notes.push('the chain left some value unknown and config has none for this asset: treated as not listed');
  const fields = Object.fromEntries(FIELDS.filter((f) => merged[f] !== undefined).map((f) => [f, chain[f] !== undefined ? 'chain' : 'config'])) as CurrentSource['fields'];
  const knobs = stewardKnobs(reading, notes);
  const times = Object.values(reading.reserves[asset]!.lastUpdatedMs ?? {}).filter((t): t is number => t !== null);
  const configuredMs = profile.currentUpdatedAt[asset] ? Date.parse(profile.currentUpdatedAt[asset]!) : null;
  const lastUpdatedMs = times.length > 0 ? Math.max(...times, configuredMs ?? 0) : configuredMs;
  const current = { ...profile.current };
  if (complete) current[asset] = merged as LendingParameters;
  else delete current[asset];
  const currentUpdatedAt = { ...profile.currentUpdatedAt };
  if (lastUpdatedMs !== null) currentUpdatedAt[asset] = new Date(lastUpdatedMs).toISOString();
  const warning = reading.assetErrors['(steward)'] ? `steward read failed, step bounds are from config: ${reading.assetErrors['(steward)']}` : null;
  return {
    profile: { ...profile, ...(knobs ?? {}), current, currentUpdatedAt },
    source: {
      origin: 'chain',
      warning,
      readAtMs: reading.readAtMs,
      rpcHost: reading.rpcHost,
      config,
      chain,
      fields,
      notes,
      steward: knobs ? { ...knobs, lastUpdatedMs } : null,
    },
  };
}
