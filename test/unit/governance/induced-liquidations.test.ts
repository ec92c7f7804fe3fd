import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParameterChange } from '../../../shared/model/proposal.js';
import type { Recommendation } from '../../../shared/model/recommendation.js';
import { loadPositionsFile, PositionsFileError } from '../../../shared/governance/positions.js';
import { inducedOf, inducedSection } from '../../../shared/governance/render-induced.js';
import { recommendationDraft } from '../../support/fixtures.js';

/**
 * issue 16, part 4, acceptance: induced liquidations are listed per LT cut; a cut above
 * proposals.maxInducedLiquidationUsd ($25,000) is split into smaller steps, or flagged when one position
 * alone crosses it; the accounts are listed. Positions from crafted files in the documented format.
 */

const LIMIT_USD = 25_000;
const current = { ltvBps: 8050, liquidationThresholdBps: 8300, liquidationBonusBps: 500, supplyCapUsd: 1e9, borrowCapUsd: 5e8 };
const eth = { ...recommendationDraft({ asset: 'ETH', current } as never), version: 1 } as Recommendation;
const btc = { ...recommendationDraft({ asset: 'BTC', current: { ...current, liquidationThresholdBps: 7800 } } as never), version: 1 } as Recommendation;
const cut: ParameterChange = { asset: 'ETH', parameter: 'liquidationThresholdBps', current: 8300, recommended: 8250, target: 8000, unit: 'bps', status: 'within-bounds', stress: false, reason: 'r', guardRail: 'g' };

function positionsFile(positions: unknown[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'positions-')), 'positions.json');
  writeFileSync(path, JSON.stringify({ asOf: '2026-12-01T00:00:00Z', label: 'crafted book', positions }));
  return path;
}

// Health factor 0.83 x 20,000 / debt: each of the three falls below 1 at a different LT between 83.00 % and 82.50 %.
const THREE = [
  { account: '0xa1', collateral: { ETH: 20_000 }, debt: { USDC: 16_580 } },
  { account: '0xa2', collateral: { ETH: 20_000 }, debt: { USDC: 16_540 } },
  { account: '0xa3', collateral: { ETH: 20_000 }, debt: { USDC: 10_000, DAI: 6_520 } },
  { account: '0xsafe', collateral: { ETH: 100_000 }, debt: { USDC: 50_000 } },
  // ETH and BTC collateral: 0.83 x 50,000 + 0.78 x 10,000 = 49,300 against 45,000 of debt stays safe at 82.5 %.
  { account: '0xmixed', collateral: { ETH: 50_000, BTC: 10_000 }, debt: { USDC: 45_000 } },
];

function section(path: string) {
  const input = { recommendations: [eth, btc], changes: [cut], snapshot: loadPositionsFile(path), maxInducedLiquidationUsd: LIMIT_USD, simulatedPositions: 200 };
  return { results: inducedOf(input), markdown: inducedSection(input).join('\n') };
}

describe('induced liquidations of an LT cut', () => {
  it('a cut whose liquidations cross the limit is split into steps each within it, and the accounts are listed', () => {
    const { results, markdown } = section(positionsFile(THREE));
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(r!.accounts.map((a) => a.account)).toEqual(['0xa1', '0xa2', '0xa3']);
    expect(r!.debtAtRiskUsd).toBe(49_640);
    expect(r!.verdict).toBe('split');
    expect(r!.steps!.map((s) => [s.fromBps, s.toBps, s.debtAtRiskUsd])).toEqual([
      // At 82.70 % 0xa2's health is exactly 1: not yet liquidatable.
      [8300, 8270, 16_580],
      [8270, 8260, 16_540],
      [8260, 8250, 16_520],
    ]);
    for (const step of r!.steps!) expect(step.debtAtRiskUsd).toBeLessThanOrEqual(LIMIT_USD);
    expect(markdown).toContain('## Induced liquidations');
    expect(markdown).toContain('crafted book as of 2026\\-12\\-01T00:00:00Z');
    expect(markdown).toMatch(/\| ETH \| 83\.00 % -> 82\.50 % \| 3 \| \$49\.6k \| \*\*split\*\* into 3 steps under the \$25\.0k limit: 83\.00 % -> 82\.70 % \(\$16\.6k\)/);
    expect(markdown).toContain('`0xa1` $16.6k');
    expect(markdown).not.toContain('0xsafe');
    expect(markdown).not.toContain('0xmixed');
  });

  it('a cut where one position alone crosses the limit is flagged', () => {
    const { results, markdown } = section(positionsFile([...THREE, { account: '0xwhale', collateral: { ETH: 40_000 }, debt: { USDC: 33_100 } }]));
    expect(results[0]!.verdict).toBe('flagged');
    expect(results[0]!.steps).toBeNull();
    expect(results[0]!.accounts[0]).toMatchObject({ account: '0xwhale', debtUsd: 33_100 });
    expect(markdown).toMatch(/\*\*flagged\*\*: above the \$25\.0k limit/);
  });

  it('a cut within the limit is one step; without a file the simulated book is used and said so', () => {
    const { results } = section(positionsFile(THREE.slice(0, 1)));
    expect(results[0]).toMatchObject({ verdict: 'within-limit', debtAtRiskUsd: 16_580 });
    // The synthetic book tops out at 99 % of LT: a 0.5 pp cut liquidates none of it, a 3 pp cut some.
    const simulated = (c: ParameterChange) => inducedSection({ recommendations: [eth], changes: [c], snapshot: null, maxInducedLiquidationUsd: LIMIT_USD, simulatedPositions: 200 }).join('\n');
    expect(simulated(cut)).toContain('**simulated**');
    expect(simulated(cut)).toMatch(/\| ETH \| 83\.00 % -> 82\.50 % \| 0 \| .* \| none \|/);
    expect(simulated({ ...cut, recommended: 8000 })).toMatch(/`simulated\\-ETH\\-\d{3}`/);
  });

  it('a malformed positions file is refused with a named error', () => {
    expect(() => loadPositionsFile(positionsFile([{ account: '0xa1', collateral: { ETH: -1 }, debt: {} }]))).toThrow(PositionsFileError);
  });
});
