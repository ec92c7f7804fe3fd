import type { StewardConfig, StewardParamConfig } from '../../config/steward.js';
import type { StewardRow } from '../../model/steward.js';
import { BPS_PER_UNIT } from '../../util/units.js';
import { KEEP_CURRENT, type CapsUpdate, type CollateralUpdate } from './encode.js';

/**
 * What the risk steward would refuse in a set of calls, checked as RiskSteward.sol checks them
 * (_validateCollateralsUpdate, _validateCapsUpdate, _updateWithinAllowedRange), against the current values:
 * liqProtocolFee not KEEP_CURRENT (ParamChangeNotAllowed; we also refuse a debt-ceiling change, which we never
 * make); LTV, LT, bonus or a cap set to 0 (InvalidUpdateToZero); |new - current| above maxPercentChange
 * (absolute bps for LTV, LT and bonus; relative, maxPercentChange x current / 10,000 in integer division,
 * for caps) (UpdateNotInRange). The minimum delay depends on when the batch is executed: it is the
 * payload's `executableFromMs`, not checked here. Pure.
 */

export interface StewardViolation {
  asset: string;
  field: string;
  current: bigint | null;
  proposed: bigint;
  reason: string;
}

type Currents = StewardRow['current'];

function withinRange(from: bigint, to: bigint, config: StewardParamConfig, relative: boolean): boolean {
  const diff = from > to ? from - to : to - from;
  const maxDiff = relative ? (BigInt(config.maxPercentChange) * from) / BigInt(BPS_PER_UNIT) : BigInt(config.maxPercentChange);
  return diff <= maxDiff;
}

function check(
  out: StewardViolation[],
  asset: string,
  field: string,
  proposed: bigint,
  current: number | null,
  config: StewardParamConfig,
  relative: boolean,
): void {
  if (proposed === KEEP_CURRENT) return;
  const cur = current === null ? null : BigInt(current);
  if (proposed === 0n) out.push({ asset, field, current: cur, proposed, reason: 'set to 0 (InvalidUpdateToZero)' });
  else if (cur === null) out.push({ asset, field, current: cur, proposed, reason: 'no current value to bound the change' });
  else if (!withinRange(cur, proposed, config, relative)) {
    const bound = relative ? `${config.maxPercentChange} bps of the current value` : `${config.maxPercentChange} bps`;
    out.push({ asset, field, current: cur, proposed, reason: `moves ${cur} -> ${proposed}, beyond the steward's ${bound} (UpdateNotInRange)` });
  }
}

/** Every field of every call the steward would refuse; `currents` by token address (lower case). */
export function stewardViolations(
  calls: { collateral: readonly CollateralUpdate[]; caps: readonly CapsUpdate[] },
  currents: ReadonlyMap<string, { asset: string; current: Currents }>,
  riskConfig: StewardConfig['riskConfig'],
): StewardViolation[] {
  const out: StewardViolation[] = [];
  const of = (address: string) => currents.get(address.toLowerCase());
  for (const u of calls.collateral) {
    const known = of(u.asset);
    const asset = known?.asset ?? u.asset;
    if (u.liqProtocolFee !== KEEP_CURRENT) out.push({ asset, field: 'liqProtocolFee', current: null, proposed: u.liqProtocolFee, reason: 'the steward may not change the protocol fee (ParamChangeNotAllowed)' });
    if (u.debtCeiling !== KEEP_CURRENT) out.push({ asset, field: 'debtCeiling', current: null, proposed: u.debtCeiling, reason: 'the advisor never sets a debt ceiling' });
    check(out, asset, 'ltv', u.ltv, known?.current.ltvBps ?? null, riskConfig.ltv, false);
    check(out, asset, 'liqThreshold', u.liqThreshold, known?.current.liquidationThresholdBps ?? null, riskConfig.liquidationThreshold, false);
    check(out, asset, 'liqBonus', u.liqBonus, known?.current.liquidationBonusBps ?? null, riskConfig.liquidationBonus, false);
  }
  for (const u of calls.caps) {
    const known = of(u.asset);
    const asset = known?.asset ?? u.asset;
    check(out, asset, 'supplyCap', u.supplyCap, known?.current.supplyCapTokens ?? null, riskConfig.supplyCap, true);
    check(out, asset, 'borrowCap', u.borrowCap, known?.current.borrowCapTokens ?? null, riskConfig.borrowCap, true);
  }
  return out;
}

/** The current values of a step table by token address (lower case), for stewardViolations. */
export function currentsOf(rows: readonly StewardRow[]): Map<string, { asset: string; current: Currents }> {
  return new Map(rows.map((r) => [r.tokenAddress.toLowerCase(), { asset: r.asset, current: r.current }]));
}
