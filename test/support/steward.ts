import { expect } from 'vitest';
import type { LendingProfile } from '../../shared/config/schema.js';
import { decodeStewardCall, KEEP_CURRENT, type CapsUpdate, type CollateralUpdate } from '../../shared/governance/steward/encode.js';
import { proposedCapTokens, tokensNearest } from '../../shared/governance/steward/rows.js';
import type { Proposal } from '../../shared/model/proposal.js';
import type { SafeBatch, StewardRow } from '../../shared/model/steward.js';
import type { Hex } from 'viem';

/** Every call of a Safe batch, decoded back into the steward's arguments (to the steward, value 0). */
export function decodeBatch(batch: SafeBatch, stewardAddress: string): { collateral: CollateralUpdate[]; caps: CapsUpdate[] } {
  const collateral: CollateralUpdate[] = [];
  const caps: CapsUpdate[] = [];
  for (const tx of batch.transactions) {
    expect(tx.to).toBe(stewardAddress);
    expect(tx.value).toBe('0');
    const call = decodeStewardCall(tx.data as Hex);
    if (call.functionName === 'updateCollateralSide') collateral.push(...(call.updates as CollateralUpdate[]));
    else if (call.functionName === 'updateCaps') caps.push(...(call.updates as CapsUpdate[]));
    else throw new TypeError(`unexpected call ${call.functionName}`);
  }
  return { collateral, caps };
}

type Fields = Pick<StewardRow, 'ltvBps' | 'liquidationThresholdBps' | 'liquidationBonusBps' | 'supplyCapTokens' | 'borrowCapTokens'>;
const num = (v: bigint): number | null => (v === KEEP_CURRENT ? null : Number(v));

/** The step table the decoded calls say, by token address (lower case). */
export function decodedTable(calls: { collateral: readonly CollateralUpdate[]; caps: readonly CapsUpdate[] }): Map<string, Fields> {
  const out = new Map<string, Fields>();
  const row = (address: string) => {
    const key = address.toLowerCase();
    const existing = out.get(key) ?? { ltvBps: null, liquidationThresholdBps: null, liquidationBonusBps: null, supplyCapTokens: null, borrowCapTokens: null };
    out.set(key, existing);
    return existing;
  };
  for (const u of calls.collateral) {
    expect(u.liqProtocolFee).toBe(KEEP_CURRENT);
    expect(u.debtCeiling).toBe(KEEP_CURRENT);
    Object.assign(row(u.asset), { ltvBps: num(u.ltv), liquidationThresholdBps: num(u.liqThreshold), liquidationBonusBps: num(u.liqBonus) });
  }
  for (const u of calls.caps) Object.assign(row(u.asset), { supplyCapTokens: num(u.supplyCap), borrowCapTokens: num(u.borrowCap) });
  return out;
}

/**
 * The step table a proposal's own change table implies for the steward (by token address): every change a steward
 * may take (within bounds, or the bounded step of one that needs a vote) of a listed, non-zero value of an asset the
 * steward has; bps as proposed, caps in whole tokens at the price stored in the payload.
 */
export function expectedTable(proposal: Proposal, profile: LendingProfile): Map<string, Fields> {
  const steward = profile.steward!;
  const prices = new Map(proposal.steward!.rows.map((r) => [r.asset, r.priceUsd]));
  const out = new Map<string, Fields>();
  for (const c of proposal.changes) {
    const token = steward.tokens[c.asset];
    if (!token || !['within-bounds', 'bounded-needs-vote'].includes(c.status) || c.current === null || c.current === 0) continue;
    const key = token.address.toLowerCase();
    const row = out.get(key) ?? { ltvBps: null, liquidationThresholdBps: null, liquidationBonusBps: null, supplyCapTokens: null, borrowCapTokens: null };
    if (c.parameter === 'supplyCapUsd' || c.parameter === 'borrowCapUsd') {
      const price = prices.get(c.asset);
      if (price == null) continue;
      const config = steward.riskConfig[c.parameter === 'supplyCapUsd' ? 'supplyCap' : 'borrowCap'];
      const tokens = proposedCapTokens(c.recommended, price, tokensNearest(c.current, price), config.maxPercentChange, profile.capMaxChangeShare);
      row[c.parameter === 'supplyCapUsd' ? 'supplyCapTokens' : 'borrowCapTokens'] = tokens;
    } else if (c.parameter === 'ltvBps' || c.parameter === 'liquidationThresholdBps' || c.parameter === 'liquidationBonusBps') {
      row[c.parameter] = c.recommended;
    } else continue;
    out.set(key, row);
  }
  return out;
}
