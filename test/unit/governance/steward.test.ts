import { maxUint256 } from 'viem';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../shared/config/load.js';
import type { LendingProfile } from '../../../shared/config/schema.js';
import { currentsOf, stewardViolations } from '../../../shared/governance/steward/bounds.js';
import { callsOf, KEEP_CURRENT } from '../../../shared/governance/steward/encode.js';
import { payloadViolations, stewardPayloadOf } from '../../../shared/governance/steward/payload.js';
import { pathVerdict, stewardSections } from '../../../shared/governance/steward/render.js';
import { proposedCapTokens } from '../../../shared/governance/steward/rows.js';
import type { ParameterChange, Proposal } from '../../../shared/model/proposal.js';
import type { Recommendation } from '../../../shared/model/recommendation.js';
import { MS_PER_DAY } from '../../../shared/util/time.js';
import { decodeBatch, decodedTable, expectedTable } from '../../support/steward.js';

const config = buildConfig();
const lending = config.profiles.find((p) => p.kind === 'lending') as LendingProfile;
const perp = config.profiles.find((p) => p.kind === 'perp')!;
const NOW = Date.UTC(2026, 11, 1);

function change(asset: string, parameter: string, current: number | null, recommended: number, target: number, status = 'bounded-needs-vote'): ParameterChange {
  return { asset, parameter, current, recommended, target, unit: parameter.endsWith('Usd') ? 'usd' : 'bps', status, stress: false, reason: 'r', guardRail: 'g' };
}

const CHANGES: ParameterChange[] = [
  change('ETH', 'liquidationThresholdBps', 8300, 8250, 8050),
  change('ETH', 'supplyCapUsd', 5.4e9, 2.7e9, 3.8e8),
  change('ETH', 'liquidationBonusBps', 500, 550, 550, 'within-bounds'),
  change('BTC', 'ltvBps', 7300, 7350, 7350, 'within-bounds'),
  change('BTC', 'borrowCapUsd', 1.68e9, 1.2e9, 1.2e9, 'within-bounds'),
  change('SOL', 'liquidationThresholdBps', 7000, 6950, 6950, 'within-bounds'),
  change('LINK', 'ltvBps', null, 6000, 6000, 'new-listing-needs-vote'),
];
const RECOMMENDATIONS = [
  { asset: 'ETH', figures: { midUsd: 3000 } },
  { asset: 'BTC', figures: { midUsd: 60_000 } },
  { asset: 'SOL', figures: { midUsd: 150 } },
] as unknown as Recommendation[];

function payloadFor(profile: LendingProfile = lending, changes = CHANGES) {
  return stewardPayloadOf({ profile, recommendations: RECOMMENDATIONS, changes, nowMs: NOW, name: 'test' })!;
}

describe('steward calls', () => {
  it('KEEP_CURRENT is type(uint256).max - 42, as EngineFlags', () => {
    expect(KEEP_CURRENT).toBe(2n ** 256n - 1n - 42n);
    expect(KEEP_CURRENT).toBe(maxUint256 - 42n);
  });

  it('a perp profile, or a lending one without a steward block, has no payload', () => {
    expect(stewardPayloadOf({ profile: perp, recommendations: RECOMMENDATIONS, changes: CHANGES, nowMs: NOW, name: 'x' })).toBeNull();
    const { steward: _omit, ...bare } = lending;
    expect(stewardPayloadOf({ profile: bare as LendingProfile, recommendations: RECOMMENDATIONS, changes: CHANGES, nowMs: NOW, name: 'x' })).toBeNull();
  });

  it('decodes back into the step table: bps as proposed, caps in whole tokens, everything else KEEP_CURRENT', () => {
    const payload = payloadFor();
    const steward = lending.steward!;
    expect(payload.batch!.chainId).toBe('1');
    expect(payload.batch!.transactions).toHaveLength(2);
    const decoded = decodedTable(decodeBatch(payload.batch!, steward.address));
    const eth = steward.tokens.ETH!.address.toLowerCase();
    const btc = steward.tokens.BTC!.address.toLowerCase();
    expect(decoded.get(eth)).toEqual({ ltvBps: null, liquidationThresholdBps: 8250, liquidationBonusBps: 550, supplyCapTokens: 900_000, borrowCapTokens: null });
    expect(decoded.get(btc)).toEqual({ ltvBps: 7350, liquidationThresholdBps: null, liquidationBonusBps: null, supplyCapTokens: null, borrowCapTokens: 20_000 });
    expect([...decoded.keys()].sort()).toEqual([btc, eth].sort());
    // The same table the proposal's change table implies.
    const proposal = { changes: CHANGES, steward: payload } as unknown as Proposal;
    expect(decoded).toEqual(expectedTable(proposal, lending));
  });

  it('says what the steward cannot take: an asset it does not list, a new listing', () => {
    const skipped = payloadFor().skipped.map((s) => `${s.asset} ${s.parameter}`);
    expect(skipped).toEqual(['SOL liquidationThresholdBps', 'LINK ltvBps']);
  });

  it('caps: USD / price rounded down, never below the cut bound nor 0', () => {
    expect(proposedCapTokens(1_199_999, 60_000, 28, 10_000, 1)).toBe(19);
    // 50 USD-tokens from 101: the /2 bound (ceil 101 / 2 = 51) wins over rounding down.
    expect(proposedCapTokens(50 * 60_000, 60_000, 101, 10_000, 1)).toBe(51);
    // A raise never goes past the steward's +100 %.
    expect(proposedCapTokens(250 * 60_000, 60_000, 100, 10_000, 1)).toBe(200);
    expect(proposedCapTokens(0, 60_000, 1, 10_000, 1)).toBe(1);
  });
});

describe('steward bounds', () => {
  it('every call of a built payload is within the bounds of the current values', () => {
    expect(payloadViolations(payloadFor(), lending.steward!.riskConfig)).toEqual([]);
  });

  it('fails a crafted out-of-bounds step: LT 1 pp, a cap x3, a zero, the protocol fee', () => {
    const rows = structuredClone(payloadFor().rows);
    const eth = rows.find((r) => r.asset === 'ETH')!;
    const btc = rows.find((r) => r.asset === 'BTC')!;
    eth.liquidationThresholdBps = 8200; // 8300 -> 8200: 100 bps > 50
    eth.supplyCapTokens = eth.current.supplyCapTokens! * 3; // +200 % > 100 %
    btc.ltvBps = 0;
    const calls = callsOf(rows);
    calls.collateral[0] = { ...calls.collateral[0]!, liqProtocolFee: 1000n };
    const found = stewardViolations(calls, currentsOf(rows), lending.steward!.riskConfig).map((v) => `${v.asset} ${v.field}: ${v.reason}`);
    expect(found).toEqual([
      expect.stringMatching(/^BTC liqProtocolFee: .*ParamChangeNotAllowed/),
      expect.stringMatching(/^BTC ltv: set to 0/),
      expect.stringMatching(/^ETH liqThreshold: moves 8300 -> 8200, beyond the steward's 50 bps/),
      expect.stringMatching(/^ETH supplyCap: .*10000 bps of the current value/),
    ]);
    // One bps inside the bound passes: the check is not just "anything changed".
    eth.liquidationThresholdBps = 8250;
    eth.supplyCapTokens = eth.current.supplyCapTokens! * 2;
    btc.ltvBps = 7350;
    expect(stewardViolations(callsOf(rows), currentsOf(rows), lending.steward!.riskConfig)).toEqual([]);
  });
});

describe('steward path', () => {
  it('LT 83 % -> 80.5 %: 5 steps three days apart, the first being the proposal\'s; only a vote is in time', () => {
    const path = payloadFor().paths.find((p) => p.asset === 'ETH' && p.parameter === 'liquidationThresholdBps')!;
    expect(path.steps.map((s) => s.value)).toEqual([8250, 8200, 8150, 8100, 8050]);
    expect(path.steps.map((s) => (s.atMs - NOW) / MS_PER_DAY)).toEqual([0, 3, 6, 9, 12]);
    expect(path.doneByMs).toBe(NOW + 12 * MS_PER_DAY);
    expect(path.voteDoneByMs).toBe(NOW + 5 * MS_PER_DAY);
    expect(path.tighten).toBe(true);
    expect(pathVerdict(path)).toMatch(/only a vote can reach it in time/);
  });

  it('caps halve per step down to the target; targets within one step get no path', () => {
    const paths = payloadFor().paths;
    const cap = paths.find((p) => p.parameter === 'supplyCapUsd')!;
    expect(cap.steps.map((s) => s.value)).toEqual([2.7e9, 1.35e9, 6.75e8, 3.8e8]);
    expect(paths.map((p) => `${p.asset} ${p.parameter}`)).toEqual(['ETH liquidationThresholdBps', 'ETH supplyCapUsd']);
  });

  it('starts when the minimum delay since the last update allows, for the whole batch', () => {
    const updated = { ...lending, currentUpdatedAt: { BTC: new Date(NOW - MS_PER_DAY).toISOString() } };
    const payload = payloadFor(updated);
    expect(payload.executableFromMs).toBe(NOW + 2 * MS_PER_DAY);
    expect(payload.paths[0]!.steps[0]!.atMs).toBe(NOW + 2 * MS_PER_DAY);
  });

  it('a path no slower than a vote says so; a loosening slower than a vote is no hurry', () => {
    const short = payloadFor(lending, [change('ETH', 'liquidationThresholdBps', 8300, 8250, 8200)]).paths[0]!;
    expect(pathVerdict(short)).toBe('the steward is no slower than a vote');
    const loosen = payloadFor(lending, [change('ETH', 'liquidationThresholdBps', 8300, 8350, 8900)]).paths[0]!;
    expect(pathVerdict(loosen)).toMatch(/a loosening, no hurry/);
  });

  it('renders the payload link, the step table and the path', () => {
    const md = stewardSections(payloadFor(), 'http://127.0.0.1:8787/v1/proposals/p1/payload').join('\n');
    expect(md).toContain('## Steward payload');
    expect(md).toContain('<http://127.0.0.1:8787/v1/proposals/p1/payload>');
    expect(md).toContain('| ETH | WETH');
    expect(md).toContain('83.00 % -> **82.50 %**');
    expect(md).toContain('1,800,000 -> **900,000**');
    expect(md).toMatch(/\| ETH \| Liquidation threshold \| 83\.00 % -> 80\.50 % \| 5 \| 82\.50 % on 2026-12-01 \| 2026-12-13 \| \*\*only a vote can reach it in time\*\*/);
  });
});
