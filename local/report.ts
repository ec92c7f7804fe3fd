import Table from 'cli-table3';
import type { ProtocolProfile } from '../shared/config/schema.js';
import { parameterViewOf } from '../shared/governance/changes.js';
import { formatPct } from '../shared/format/numbers.js';
import { liveValueText } from '../shared/format/parameter-values.js';
import { steeredParameter, type SteeredParameterKey } from '../shared/model/parameters.js';
import type { Recommendation } from '../shared/model/recommendation.js';

/** Human-readable tables of the latest recommendations, one per profile, for the terminal. */

/**
 * current -> proposed now, and the target on a second line when the guard rails hold part of it back: the
 * same fields, words and numbers as the proposal's change table (governance/changes.ts parameterViewOf).
 */
function parameterCell(r: Recommendation, parameter: string): string {
  const view = parameterViewOf(r, parameter);
  if (!view) return '-';
  // Held for want of data: the live value, said to be held, never a computed-looking figure.
  if (view.status === 'no-data') return view.current === null ? NO_DATA : `${liveValueText(view.current, view.unit, 'proposal')} (${NO_DATA})`;
  const next = liveValueText(view.proposed, view.unit, 'proposal');
  const line = view.unchanged ? `${liveValueText(view.current, view.unit, 'proposal')}${view.current === null ? '' : ' (=)'}` : `${liveValueText(view.current, view.unit, 'proposal')} -> ${next}`;
  return view.target === view.proposed ? line : `${line}\ntarget ${liveValueText(view.target, view.unit, 'proposal')}`;
}

/** The table's parameter columns per profile kind, in reading order (names from the catalogue). */
const TERMINAL_COLUMNS: Record<ProtocolProfile['kind'], readonly SteeredParameterKey[]> = {
  lending: ['ltvBps', 'liquidationThresholdBps', 'liquidationBonusBps', 'supplyCapUsd'],
  perp: ['maxLeverage', 'maintenanceMarginBps', 'initialMarginBps'],
};

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
  const parameters = TERMINAL_COLUMNS[profile.kind];
  const table = new Table({
    head: ['Asset', 'Status', ...parameters.map((p) => steeredParameter(p)!.terminalLabel), moveHeader, 'Slippage', 'v'],
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    if (r.profileKind !== profile.kind) continue;
    table.push([
      r.asset,
      statusOf(r),
      ...parameters.map((p) => parameterCell(r, p)),
      pctOrNoData(r.volatility.adverseMove),
      slippageCell(r),
      String(r.version),
    ]);
  }
  return table.toString();
}
