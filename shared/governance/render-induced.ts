import { formatParameter } from '../format/parameter-values.js';
import { formatUsd } from '../format/numbers.js';
import type { ParameterChange } from '../model/proposal.js';
import type { LendingRecommendation, Recommendation } from '../model/recommendation.js';
import { inducedLiquidations, type InducedResult } from '../risk/induced.js';
import { escapeMarkdown, table } from './markdown.js';
import { simulatedPositions, type PositionsSnapshot } from './positions.js';

/**
 * issue 16, part 4: the proposal's "Induced liquidations" section: for every proposed LT cut, the positions
 * it would make liquidatable and their debt, from the positions snapshot (a file) or else the Monte Carlo's
 * simulated book (said so); a cut above `proposals.maxInducedLiquidationUsd` is split or flagged.
 */

export interface InducedInput {
  recommendations: readonly Recommendation[];
  changes: readonly ParameterChange[];
  /** A positions file; null: the simulated book of each asset. */
  snapshot: PositionsSnapshot | null;
  maxInducedLiquidationUsd: number;
  /** Positions of the simulated book (the profile's monteCarloPositions). */
  simulatedPositions: number;
}

const ACCOUNTS_SHOWN = 10;

export function inducedOf(input: InducedInput): InducedResult[] {
  const lending = input.recommendations.filter((r): r is LendingRecommendation => r.profileKind === 'lending');
  const lts = Object.fromEntries(lending.map((r) => [r.asset, r.current?.liquidationThresholdBps ?? 0]));
  return input.changes
    .filter((c) => c.parameter === 'liquidationThresholdBps' && c.current !== null && c.recommended < c.current)
    .flatMap((c) => {
      const r = lending.find((x) => x.asset === c.asset);
      const positions = input.snapshot?.positions ?? (r ? simulatedPositions(r, input.simulatedPositions) : []);
      return [inducedLiquidations(positions, lts, c.asset, c.current!, c.recommended, input.maxInducedLiquidationUsd)];
    });
}

function verdictText(r: InducedResult, maxUsd: number): string {
  if (r.verdict === 'within-limit') return `within the ${formatUsd(maxUsd)} limit`;
  if (r.verdict === 'flagged') return `**flagged**: above the ${formatUsd(maxUsd)} limit and cannot be split (one position is larger)`;
  const steps = r.steps!.map((s) => `${formatParameter('liquidationThresholdBps', s.fromBps, 'proposal')} -> ${formatParameter('liquidationThresholdBps', s.toBps, 'proposal')} (${formatUsd(s.debtAtRiskUsd)})`);
  return `**split** into ${steps.length} steps under the ${formatUsd(maxUsd)} limit: ${steps.join('; ')}`;
}

export function inducedSection(input: InducedInput): string[] {
  const results = inducedOf(input);
  if (results.length === 0) return [];
  const source = input.snapshot
    ? `Positions: ${escapeMarkdown(input.snapshot.label)}.`
    : `Positions: **simulated** (the Monte Carlo's synthetic book of ${input.simulatedPositions} positions per asset, spread up to the current LT), not real accounts; give a positions file for real ones.`;
  const lines = ['## Induced liquidations', '', `${source} An LTV cut liquidates no position (it stops new borrowing); LT cuts are below.`, ''];
  lines.push(
    table(
      ['Asset', 'LT cut', 'Positions liquidated', 'Debt at risk', 'Limit', 'Accounts'],
      results.map((r) => [
        escapeMarkdown(r.asset),
        `${formatParameter('liquidationThresholdBps', r.fromBps, 'proposal')} -> ${formatParameter('liquidationThresholdBps', r.toBps, 'proposal')}`,
        String(r.accounts.length),
        formatUsd(r.debtAtRiskUsd),
        verdictText(r, input.maxInducedLiquidationUsd),
        r.accounts.length === 0
          ? 'none'
          : r.accounts.slice(0, ACCOUNTS_SHOWN).map((a) => `\`${escapeMarkdown(a.account)}\` ${formatUsd(a.debtUsd)}`).join(', ') + (r.accounts.length > ACCOUNTS_SHOWN ? ` and ${r.accounts.length - ACCOUNTS_SHOWN} more` : ''),
      ]),
    ),
    '',
  );
  return lines;
}
