import Table from 'cli-table3';
import type { ProtocolProfile } from '../shared/config/schema.js';
import { parameterViewOf } from '../shared/governance/changes.js';
import { formatValue } from '../shared/governance/render.js';
import type { Recommendation } from '../shared/model/recommendation.js';
import { formatPct } from '../shared/risk/format.js';

/** Human-readable tables of the latest recommendations, one per profile, for the terminal. */

/**
 * current -> proposed now, and the target on a second line when the guard rails hold part of it back: the
 * same fields, words and numbers as the proposal's change table (governance/changes.ts parameterViewOf).
 */
function parameterCell(r: Recommendation, parameter: string): string {
  const view = parameterViewOf(r, parameter);
  if (!view) return '-';
  // Held for want of data: the live value, said to be held, never a computed-looking figure.
  if (view.status === 'no-data') return view.current === null ? NO_DATA : `${formatValue(view.unit, view.current)} (${NO_DATA})`;
  const next = formatValue(view.unit, view.proposed);
  const line = view.unchanged ? `${formatValue(view.unit, view.current)}${view.current === null ? '' : ' (=)'}` : `${formatValue(view.unit, view.current)} -> ${next}`;
  return view.target === view.proposed ? line : `${line}\ntarget ${formatValue(view.unit, view.target)}`;
}

/** Shown for a figure the engine could not compute: never a placeholder number. */
export const NO_DATA = 'no data';

function statusOf(r: Recommendation): string {
  if (r.status === 'unfit') return r.profileKind === 'lending' ? 'NOT COLLATERAL' : 'NOT LISTABLE';
  if (r.status === 'no-data') return 'held: no data';
  return r.quality.passed ? 'ok' : 'weak data';
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
  const columns =
    profile.kind === 'lending'
      ? { head: ['LTV', 'Liq. threshold', 'Liq. bonus', 'Supply cap'], parameters: ['ltvBps', 'liquidationThresholdBps', 'liquidationBonusBps', 'supplyCapUsd'] }
      : { head: ['Max leverage', 'Maint. margin', 'Init. margin'], parameters: ['maxLeverage', 'maintenanceMarginBps', 'initialMarginBps'] };
  const table = new Table({
    head: ['Asset', 'Status', ...columns.head, moveHeader, 'Slippage', 'v'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    if (r.profileKind !== profile.kind) continue;
    table.push([
      r.asset,
      statusOf(r),
      ...columns.parameters.map((p) => parameterCell(r, p)),
      pctOrNoData(r.volatility.adverseMove),
      slippageCell(r),
      String(r.version),
    ]);
  }
  return table.toString();
}
