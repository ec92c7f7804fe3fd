import { AdvisorError } from '../util/errors.js';

/** Why a chain read gave nothing usable; the cycle then falls back to config and says so. */
export type ChainFailureKind = 'timeout' | 'http' | 'rpc' | 'revert' | 'decode' | 'invalid' | 'no-reserves';

/** A chain read failed: the kind (timeout, HTTP status, JSON-RPC error, revert, bad encoding, values out of range). */
export class ChainReadError extends AdvisorError {
  constructor(
    readonly kind: ChainFailureKind,
    readonly profileId: string,
    readonly detail: string,
  ) {
    super(`CHAIN_${kind.toUpperCase().replace('-', '_')}`, `chain read for ${profileId} failed (${kind}): ${detail}`, { kind, profileId });
  }
}

/** A decoded value is outside what the contract can hold (e.g. an LT above 100 %, a bonus not above 10000): never used. */
export class ChainValueError extends AdvisorError {
  constructor(
    readonly call: string,
    readonly problems: readonly string[],
  ) {
    super('CHAIN_VALUE_INVALID', `${call} returned values out of range: ${problems.join('; ')}`, { call, problems });
  }
}
