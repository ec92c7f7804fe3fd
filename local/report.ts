import Table from 'cli-table3';
import type { ProtocolProfile } from '../shared/config/schema.js';
import { formatValue } from '../shared/governance/render.js';
import type { Recommendation } from '../shared/model/recommendation.js';
import { formatPct, formatUsd } from '../shared/risk/format.js';

/** Human-readable tables of the latest recommendations, one per profile, for the terminal. */

function arrow(unit: 'bps' | 'usd' | 'x', current: number | null | undefined, recommended: number): string {
  const next = formatValue(unit, recommended);
  if (current === undefined || current === null) return next;
  if (current === recommended) return `${next} (=)`;
  return `${formatValue(unit, current)} -> ${next}`;
}

function statusOf(r: Recommendation): string {
  if (r.status === 'unfit') return r.profileKind === 'lending' ? 'NOT COLLATERAL' : 'NOT LISTABLE';
  return r.quality.passed ? 'ok' : 'weak data';
}

export function recommendationTable(profile: ProtocolProfile, recommendations: readonly Recommendation[]): string {
  const rows = recommendations.filter((r) => r.profileId === profile.id).sort((a, b) => a.asset.localeCompare(b.asset));
  const horizon = profile.horizonMinutes >= 60 ? `${profile.horizonMinutes / 60} h` : `${profile.horizonMinutes} min`;
  const moveHeader = `${horizon} move q${(profile.confidence * 100).toFixed(1)}`;
  if (profile.kind === 'lending') {
    const table = new Table({
      head: ['Asset', 'Status', 'LTV', 'Liq. threshold', 'Liq. bonus', 'Supply cap', moveHeader, 'Slippage', 'v'],
      style: { head: [], border: [], compact: true },
    });
    for (const r of rows) {
      if (r.profileKind !== 'lending') continue;
      const c = r.current;
      table.push([
        r.asset,
        statusOf(r),
        arrow('bps', c?.ltvBps, r.parameters.ltvBps),
        arrow('bps', c?.liquidationThresholdBps, r.parameters.liquidationThresholdBps),
        arrow('bps', c?.liquidationBonusBps, r.parameters.liquidationBonusBps),
        formatUsd(r.parameters.supplyCapUsd),
        formatPct(r.volatility.adverseMove),
        formatPct(r.liquidity.slippageUsed),
        String(r.version),
      ]);
    }
    return table.toString();
  }
  const table = new Table({
    head: ['Asset', 'Status', 'Max leverage', 'Maint. margin', 'Init. margin', moveHeader, 'Slippage', 'v'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    if (r.profileKind !== 'perp') continue;
    const c = r.current;
    table.push([
      r.asset,
      statusOf(r),
      arrow('x', c?.maxLeverage, r.parameters.maxLeverage),
      arrow('bps', c?.maintenanceMarginBps, r.parameters.maintenanceMarginBps),
      arrow('bps', c?.initialMarginBps, r.parameters.initialMarginBps),
      formatPct(r.volatility.adverseMove),
      formatPct(r.liquidity.slippageUsed),
      String(r.version),
    ]);
  }
  return table.toString();
}
