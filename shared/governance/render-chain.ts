import { formatParameter, proposalDeltaText } from '../format/parameter-values.js';
import { formatPct } from '../format/numbers.js';
import { labelOf, unitOf } from '../model/parameters.js';
import type { Recommendation } from '../model/recommendation.js';
import { escapeMarkdown, table } from './markdown.js';

/**
 * issue 16, part 2: the proposal's "Current values" section: where each current value came from (chain or
 * config), what each said and the difference, and a warning when the chain read fell short.
 */

const FIELDS = ['ltvBps', 'liquidationThresholdBps', 'liquidationBonusBps', 'supplyCapUsd', 'borrowCapUsd'] as const;

/** Differences smaller than this (a cap converted at a price) are not called differences. */
const SAME_USD_SHARE = 1e-9;

function differs(field: string, config: number, chain: number): boolean {
  return unitOf(field) === 'usd' ? Math.abs(chain - config) > SAME_USD_SHARE * Math.max(Math.abs(config), 1) : chain !== config;
}

export function currentValuesSection(recommendations: readonly Recommendation[], assets: readonly string[]): string[] {
  const shown = recommendations.flatMap((r) => (r.profileKind === 'lending' && r.currentSource && assets.includes(r.asset) ? [{ r, s: r.currentSource }] : []));
  if (shown.length === 0) return [];
  const lines = ['## Current values', ''];
  const warnings = [...new Set(shown.flatMap(({ s }) => (s.warning ? [s.warning] : [])))];
  for (const warning of warnings) lines.push(`> **Warning:** ${escapeMarkdown(warning)}`, '');
  if (shown.every(({ s }) => s.origin === 'config' && s.chain === null)) {
    lines.push('Current values are from the configuration (no chain read: `ADVISOR_RPC_URL` is not set, or the market has no `chain` block).', '');
    return lines;
  }
  const read = shown.find(({ s }) => s.readAtMs !== null)?.s;
  if (read) lines.push(`Read from the chain at ${new Date(read.readAtMs!).toISOString()} through \`${escapeMarkdown(read.rpcHost ?? '?')}\` (one multicall); config values are the fallback. Caps on chain are in tokens, shown in USD at the asset's last close.`, '');
  const rows = shown.flatMap(({ r, s }) =>
    FIELDS.map((field) => {
      const config = s.config?.[field];
      const chain = s.chain?.[field];
      const used = r.current?.[field];
      const difference = config !== undefined && chain !== undefined && differs(field, config, chain) ? `**${proposalDeltaText(config, chain, unitOf(field))}**` : config !== undefined && chain !== undefined ? 'same' : '-';
      return [
        escapeMarkdown(r.asset),
        labelOf(field),
        used === undefined ? 'not listed' : formatParameter(field, used, 'proposal'),
        s.fields[field] ?? '-',
        config === undefined ? '-' : formatParameter(field, config, 'proposal'),
        chain === undefined ? '-' : formatParameter(field, chain, 'proposal'),
        difference,
      ];
    }),
  );
  lines.push(table(['Asset', 'Parameter', 'Current (used)', 'Source', 'Config', 'Chain', 'Chain - config'], rows), '');
  const notes = shown.flatMap(({ r, s }) => s.notes.map((n) => `- ${escapeMarkdown(r.asset)}: ${escapeMarkdown(n)}`));
  if (notes.length > 0) lines.push(...notes, '');
  const steward = shown.find(({ s }) => s.steward !== null)?.s.steward;
  if (steward) {
    lines.push(
      `Step bounds from the risk steward (\`getRiskConfig\`): ${steward.maxStepBps} bps per update for LTV, LT and bonus, caps ${formatPct(steward.capMaxChangeShare, 0)}, ` +
        `${steward.minDelayDays.toFixed(1)} days between updates; last updates from \`getTimelock\`.`,
      '',
    );
  }
  return lines;
}
