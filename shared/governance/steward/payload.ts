import type { ProtocolProfile } from '../../config/schema.js';
import type { ParameterChange } from '../../model/proposal.js';
import type { Recommendation } from '../../model/recommendation.js';
import type { StewardPayload } from '../../model/steward.js';
import { currentsOf, stewardViolations, type StewardViolation } from './bounds.js';
import { callsOf, safeBatchOf } from './encode.js';
import { executableFromMs, stewardPaths } from './path.js';
import { stewardRows } from './rows.js';

/**
 * The steward payload of one proposal (issue 16): its step table in the steward's units, the Safe batch, the
 * steward paths, and what the steward cannot take. Null for a perp profile or a lending profile without a
 * `steward` block. Pure: the proposal's outbox writer stores it, the renderer prints it, the API serves its batch.
 */

export interface PayloadInput {
  profile: ProtocolProfile;
  recommendations: readonly Recommendation[];
  changes: readonly ParameterChange[];
  nowMs: number;
  /** The Safe batch's name (the proposal's title). */
  name: string;
}

/** The book mid each recommendation priced its caps with (absent when the book was missing). */
function pricesOf(recommendations: readonly Recommendation[]): Record<string, number | undefined> {
  return Object.fromEntries(recommendations.map((r) => [r.asset, r.figures.midUsd]));
}

export function stewardPayloadOf(input: PayloadInput): StewardPayload | null {
  const { profile } = input;
  if (profile.kind !== 'lending' || !profile.steward) return null;
  const steward = profile.steward;
  const { rows, skipped } = stewardRows({ profile, steward, changes: input.changes, pricesUsd: pricesOf(input.recommendations) });
  const startMs = executableFromMs(profile, steward, rows.map((r) => r.asset), input.nowMs);
  const calls = callsOf(rows);
  const batch = safeBatchOf({
    chainId: steward.chainId,
    steward: steward.address,
    safeAddress: steward.safeAddress,
    createdAtMs: input.nowMs,
    name: input.name,
    description:
      `Risk-steward calls of the bounded steps (${rows.map((r) => r.asset).join(', ')}); caps in whole tokens. ` +
      `Executable from ${new Date(startMs).toISOString()} (the steward's minimum delay).`,
    calls,
  });
  return {
    chainId: steward.chainId,
    steward: steward.address,
    rows,
    skipped,
    executableFromMs: startMs,
    paths: stewardPaths({ profile, steward, changes: input.changes, startMs, nowMs: input.nowMs }),
    batch,
  };
}

/** What the steward would refuse in a payload's own rows (empty for every payload the builder makes). */
export function payloadViolations(payload: StewardPayload, riskConfig: NonNullable<Extract<ProtocolProfile, { kind: 'lending' }>['steward']>['riskConfig']): StewardViolation[] {
  return stewardViolations(callsOf(payload.rows), currentsOf(payload.rows), riskConfig);
}
