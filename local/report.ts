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

/** Shown for a figure the engine could not compute: never a placeholder number. */
export const NO_DATA = 'no data';

function statusOf(r: Recommendation): string {
  if (r.status === 'unfit') return r.profileKind === 'lending' ? 'NOT COLLATERAL' : 'NOT LISTABLE';
  if (r.status === 'no-data') return 'held: no data';
  return r.quality.passed ? 'ok' : 'weak data';
}

/** A parameter cell: held for want of data shows the live value and says so; unlisted with no data shows no data. */
function cell(r: Recommendation, parameter: string, unit: 'bps' | 'usd' | 'x', current: number | null | undefined, recommended: number): string {
  const step = r.steps.find((s) => s.parameter === parameter);
  if (step?.status === 'no-data') return step.current === null ? NO_DATA : `${formatValue(unit, step.current)} (${NO_DATA})`;
  return arrow(unit, current, recommended);
}

const pctOrNoData = (value: number | null | undefined) => (value === null || value === undefined ? NO_DATA : formatPct(value));

function slippageCell(r: Recommendation): string {
  if (r.liquidity.slippageUsed !== null) return formatPct(r.liquidity.slippageUsed);
  return r.liquidity.liquidationSizeFillable === false ? 'unfillable' : NO_DATA;
}

/** One line per missing input of the latest recommendations, for the end of a run's output. */
export function missingDataLines(recommendations: readonly Recommendation[]): string[] {
  return recommendations.flatMap((r) =>
    (r.alerts ?? []).map(
      (a) =>
        `  ${a.severity === 'critical' ? 'ALERT' : 'warning'}: ${r.asset} ${r.profileId}: ${a.stale ? `${a.input} stale` : `no ${a.input}`}` +
        ` (${a.sinceMs === null ? 'none stored' : `since ${new Date(a.sinceMs).toISOString()}`}); held: ${a.parameters.join(', ')}`,
    ),
  );
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
        cell(r, 'ltvBps', 'bps', c?.ltvBps, r.parameters.ltvBps),
        cell(r, 'liquidationThresholdBps', 'bps', c?.liquidationThresholdBps, r.parameters.liquidationThresholdBps),
        cell(r, 'liquidationBonusBps', 'bps', c?.liquidationBonusBps, r.parameters.liquidationBonusBps),
        r.steps.find((s) => s.parameter === 'supplyCapUsd')?.status === 'no-data' ? cell(r, 'supplyCapUsd', 'usd', c?.supplyCapUsd, r.parameters.supplyCapUsd) : formatUsd(r.parameters.supplyCapUsd),
        pctOrNoData(r.volatility.adverseMove),
        slippageCell(r),
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
      cell(r, 'maxLeverage', 'x', c?.maxLeverage, r.parameters.maxLeverage),
      cell(r, 'maintenanceMarginBps', 'bps', c?.maintenanceMarginBps, r.parameters.maintenanceMarginBps),
      cell(r, 'initialMarginBps', 'bps', c?.initialMarginBps, r.parameters.initialMarginBps),
      pctOrNoData(r.volatility.adverseMove),
      slippageCell(r),
      String(r.version),
    ]);
  }
  return table.toString();
}
