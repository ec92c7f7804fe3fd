import { attempt, fetchAssetRecommendations, fetchHistory, fetchPrices, fetchProfiles, type Loaded } from '../api/client.js';
import type { Prices, Recommendation } from '../api/schemas.js';
import { lineChart, type Chart, type ChartSpec } from '../charts.js';
import { definitionList, freshness, noData, section, statusBadge, stepBadge } from '../components.js';
import { formatPct, usdCompactText, usdPrice } from '../../../shared/format/numbers.js';
import { currentText, formatParameter, parameterText, parameterWithUnit, percentFromBps } from '../../../shared/format/parameter-values.js';
import { PARAMETERS, rationaleFromOf } from '../../../shared/model/parameters.js';
import { DEPTH_BAND_KEY, HISTORY_TABLE_ROWS, PARAMETER_COLUMNS, parameterTitle, type ParameterColumn } from '../config.js';
import { h } from '../dom.js';
import { dateTimeText } from '../format.js';
import type { Page, PageContext } from '../page.js';
import { overviewHref } from '../routes.js';
import { parameterCell, rowStatus } from '../status.js';

/** `/assets/{asset}`: price, volatility and depth over time, parameter history, and the why of each number. */

interface ProfileHistory {
  recommendation: Recommendation;
  history: Loaded<Recommendation[]>;
}

function chartSlot(spec: ChartSpec | null, what: string, reason: string, charts: Chart[]): HTMLElement {
  if (!spec || spec.xsMs.length === 0) return h('figure', { class: 'chart chart-empty', 'data-chart-missing': what }, noData(what, reason));
  const chart = lineChart(spec);
  charts.push(chart);
  return chart.node;
}

function priceChart(asset: string, prices: Prices): ChartSpec {
  return {
    id: 'price',
    title: `${asset} price`,
    note: `USD, ${prices.interval} closes aggregated across venues`,
    xsMs: prices.points.map(([t]) => t),
    series: [{ label: 'close', values: prices.points.map(([, close]) => close) }],
    format: usdPrice,
    axisFormat: usdCompactText,
  };
}

function volatilityChart(history: readonly Recommendation[], profileName: string): ChartSpec {
  const v = (pick: (r: Recommendation) => number | null) => history.map(pick);
  return {
    id: 'volatility',
    title: 'Volatility, annualized',
    note: `per recommendation version (${profileName})`,
    xsMs: history.map((r) => r.createdAtMs),
    series: [
      { label: 'realized 30 d', values: v((r) => r.volatility.realizedAnnualized.d30) },
      { label: 'realized 7 d', values: v((r) => r.volatility.realizedAnnualized.d7) },
      { label: 'EWMA', values: v((r) => r.volatility.ewmaAnnualized) },
      { label: 'forecast (GARCH)', values: v((r) => r.volatility.forecast.nextBarAnnualized), dash: [6, 4] },
    ],
    format: (x) => formatPct(x, 0),
  };
}

function depthChart(history: readonly Recommendation[]): ChartSpec {
  return {
    id: 'depth',
    title: `Bid depth within \u00b1${DEPTH_BAND_KEY} %`,
    note: 'USD, merged across venues, per recommendation version',
    xsMs: history.map((r) => r.createdAtMs),
    series: [
      { label: 'snapshot used (low percentile)', values: history.map((r) => r.liquidity.depthUsd[DEPTH_BAND_KEY] ?? null) },
      { label: 'latest snapshot', values: history.map((r) => r.liquidity.window?.depth2PctUsdLatest ?? null), dash: [6, 4] },
    ],
    format: usdCompactText,
  };
}

/** Parameter history: the bps parameters as percentages (caps and leverage live in the version table). */
function parameterChart(history: readonly Recommendation[], profileId: string, profileName: string): ChartSpec {
  const columns = PARAMETER_COLUMNS[history[0]?.profileKind ?? 'lending'].filter((c) => c.unit === 'bps');
  return {
    id: `parameters-${profileId}`,
    title: `Recommended parameters, ${profileName}`,
    note: 'proposed after guard rails, %, per version',
    xsMs: history.map((r) => r.createdAtMs),
    series: columns.map((c) => ({ label: c.label, values: history.map((r) => r.parameters[c.key] ?? null) })),
    format: (bps) => `${percentFromBps(bps)} %`,
  };
}

function rationaleOf(recommendation: Recommendation, column: ParameterColumn): string | null {
  return recommendation.rationale.find((r) => r.parameter === column.key)?.text ?? null;
}

function sharedRationaleNote(column: ParameterColumn): string {
  const other = rationaleFromOf(column.key);
  return other ? `explained with ${parameterTitle(other)}` : 'no rationale stored for this parameter';
}

function parameterTable(r: Recommendation): HTMLElement {
  const columns = PARAMETER_COLUMNS[r.profileKind];
  return h(
    'table',
    { class: 'detail' },
    h('caption', null, 'Current, proposed now (after guard rails) and the unconstrained target, with the reasoning'),
    h(
      'thead',
      null,
      h('tr', null, ['Parameter', 'Current', 'Now', 'Target', 'Guard rail', 'Why this number'].map((t) => h('th', { scope: 'col' }, t))),
    ),
    h(
      'tbody',
      null,
      columns.map((column) => {
        const cell = parameterCell(r, column);
        const show = (value: number | null) => (value === null ? '-' : parameterWithUnit(value, column.unit));
        const rationale = rationaleOf(r, column);
        return h(
          'tr',
          { class: `dir-${cell.direction}`, 'data-parameter': column.key },
          h('th', { scope: 'row' }, column.title),
          h('td', { class: 'num' }, currentText(cell.current, column.unit, true)),
          h('td', { class: 'num proposed' }, show(cell.proposed)),
          h('td', { class: 'num' }, show(cell.target)),
          h('td', { class: 'rail' }, cell.step ? [stepBadge(cell.step.status), h('span', { class: 'reason' }, cell.step.reason)] : '-'),
          h('td', { class: 'rationale' }, rationale ?? h('span', { class: 'muted' }, sharedRationaleNote(column))),
        );
      }),
    ),
  );
}

/** A figure the engine could not compute (missing input) reads "no data", never a placeholder number. */
const pctOrNoData = (value: number | null, digits: number) => (value === null ? 'no data' : formatPct(value, digits));

function figures(r: Recommendation): HTMLElement {
  const v = r.volatility;
  const l = r.liquidity;
  const entries: [string, string | Node][] = [
    ['Adverse move', `${pctOrNoData(v.adverseMove, 2)} over ${v.horizonMinutes} min (${v.adverseMoveSource} tail)`],
    ['Regime', `${v.regime}: forecast ${formatPct(v.forecast.nextBarAnnualized, 0)} (${v.forecast.model})${v.forecast.longRunAnnualized === null ? '' : ` vs long-run ${formatPct(v.forecast.longRunAnnualized, 0)}`}`],
    ['Expected shortfall', pctOrNoData(v.expectedShortfall, 2)],
    ['Worst observed', pctOrNoData(v.historicalWorst, 2)],
    ['Slippage', `${pctOrNoData(l.slippageUsed, 2)} selling ${usdCompactText(l.liquidationSizeUsd)}`],
    ['Spread', `${l.spreadBps.toFixed(1)} bps`],
    ['Depth \u00b12 %', l.depthUsd[DEPTH_BAND_KEY] === undefined ? 'no data' : usdCompactText(l.depthUsd[DEPTH_BAND_KEY])],
    ['Data quality', r.quality.passed ? 'passed' : `failed: ${r.quality.issues.filter((i) => i.severity === 'failure').map((i) => i.message).join('; ')}`],
  ];
  // Lending carries both cross-checks; null (an input missing or stale) reads "no data", never a zero.
  const usdOrNoData = (value: number | null) => (value === null ? 'no data' : usdCompactText(value));
  if (r.crossCheck !== undefined) {
    entries.push(['SmartLTV cross-check', r.crossCheck === null ? 'no data' : `${formatPct(r.crossCheck.smartLtv, 1)} (gap ${r.crossCheck.gapPp.toFixed(1)} pp${r.crossCheck.flagged ? ', flagged' : ''})`]);
  }
  if (r.monteCarlo !== undefined) {
    entries.push(['Bad debt (Monte Carlo)', r.monteCarlo === null ? 'no data' : `expected ${usdCompactText(r.monteCarlo.expectedBadDebtUsd)}; probability ${formatPct(r.monteCarlo.probabilityOfBadDebt, 2)}`]);
  }
  if (r.openInterest) entries.push([PARAMETERS.openInterest.title, `${usdOrNoData(r.openInterest.lowerCapUsd)} / ${usdOrNoData(r.openInterest.upperCapUsd)}`]);
  if (r.liquidationPenaltyBps !== undefined) entries.push([PARAMETERS.liquidationPenaltyBps.title, r.liquidationPenaltyBps === null ? 'no data' : formatParameter('liquidationPenaltyBps', r.liquidationPenaltyBps, 'sentence')]);
  if (r.insuranceFundTargetUsd !== undefined) entries.push([PARAMETERS.insuranceFundTargetUsd.title, usdOrNoData(r.insuranceFundTargetUsd)]);
  return definitionList(entries);
}

function tiersTable(r: Recommendation): HTMLElement | null {
  if (!r.tiers || r.tiers.length === 0) return null;
  return h(
    'table',
    { class: 'detail compact' },
    h('caption', null, 'Margin tiers by position notional'),
    h('thead', null, h('tr', null, ['Notional', 'Maint. margin', 'Init. margin', 'Max leverage'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      null,
      r.tiers.map((t) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, `${usdCompactText(t.lowerBoundUsd)} \u2013 ${t.upperBoundUsd === null ? '\u221e' : usdCompactText(t.upperBoundUsd)}`),
          h('td', { class: 'num' }, `${percentFromBps(t.maintenanceMarginBps)} %`),
          h('td', { class: 'num' }, `${percentFromBps(t.initialMarginBps)} %`),
          h('td', { class: 'num' }, t.reduceOnly ? 'reduce-only' : `${t.maxLeverage}x`),
        ),
      ),
    ),
  );
}

function versionTable(history: readonly Recommendation[]): HTMLElement {
  const newestFirst = [...history].reverse().slice(0, HISTORY_TABLE_ROWS);
  const columns = PARAMETER_COLUMNS[history[0]?.profileKind ?? 'lending'];
  return h(
    'table',
    { class: 'detail compact versions' },
    h('caption', null, `Recommended-parameter history (latest ${newestFirst.length} of ${history.length} versions)`),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Computed'), columns.map((c) => h('th', { scope: 'col' }, c.label)), h('th', { scope: 'col' }, 'Status'))),
    h(
      'tbody',
      null,
      newestFirst.map((r) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, `v${r.version}`),
          h('td', null, dateTimeText(r.createdAtMs)),
          columns.map((c) => {
            const value = r.parameters[c.key];
            return h('td', { class: 'num' }, value === undefined ? '-' : c.unit === 'bps' ? `${parameterText(value, c.unit)} %` : parameterText(value, c.unit));
          }),
          h('td', null, statusBadge(rowStatus(r))),
        ),
      ),
    ),
  );
}

function profileSection(entry: ProfileHistory, profileName: string): HTMLElement {
  const r = entry.recommendation;
  const status = rowStatus(r);
  const tiers = tiersTable(r);
  const id = `profile-${r.profileId}`;
  return h(
    'section',
    { class: 'panel profile', 'aria-labelledby': `${id}-title`, 'data-profile': r.profileId },
    h('h2', { id: `${id}-title` }, profileName, h('span', { class: 'kind' }, ` ${r.profileKind}`), ' ', statusBadge(status)),
    h('p', { class: 'profile-meta' }, `version ${r.version}, computed ${dateTimeText(r.createdAtMs)}, methodology ${r.methodologyVersion ?? '-'}`),
    r.unfitReasons.length > 0 ? h('ul', { class: 'unfit' }, r.unfitReasons.map((reason) => h('li', null, reason))) : null,
    h('div', { class: 'table-wrap' }, parameterTable(r)),
    h('div', { class: tiers ? 'split' : 'single' }, h('div', null, h('h3', null, 'Inputs'), figures(r)), tiers),
    entry.history.ok
      ? entry.history.value.length > 0
        ? h('div', { class: 'table-wrap' }, versionTable(entry.history.value))
        : noData('history', 'no stored versions')
      : noData('history', entry.history.message),
  );
}

export function assetPage(asset: string): Page {
  return async (context: PageContext) => {
    const { root } = context;
    context.setTitle(asset);
    root.append(h('p', { class: 'crumbs' }, h('a', { href: overviewHref }, '\u2190 All assets')), h('h1', null, asset));
    const [latest, prices, profiles] = await Promise.all([attempt(fetchAssetRecommendations(asset)), attempt(fetchPrices(asset)), attempt(fetchProfiles())]);
    if (!context.isCurrent()) return;
    if (!latest.ok) {
      root.append(noData(`recommendations for ${asset}`, latest.message));
      return;
    }
    const recommendations = latest.value.recommendations;
    context.markSimulated(latest.value.simulated || recommendations.some((r) => r.simulated));
    context.markHistorical(latest.value.historical || recommendations.some((r) => r.historical === true));
    const histories = await Promise.all(recommendations.map((r) => attempt(fetchHistory(asset, r.profileId))));
    if (!context.isCurrent()) return;
    const entries: ProfileHistory[] = recommendations.map((recommendation, i) => ({ recommendation, history: histories[i]! }));
    // The asset endpoint does not name profiles; without the list, the id is readable enough.
    const profileNames = new Map<string, string>(profiles.ok ? profiles.value.map((p) => [p.id, p.name]) : []);
    for (const r of recommendations) if (!profileNames.has(r.profileId)) profileNames.set(r.profileId, r.profileId);

    const oldest = recommendations.length > 0 ? Math.min(...recommendations.map((r) => r.snapshotTakenAtMs)) : null;
    if (oldest !== null) {
      const newest = Math.max(...recommendations.map((r) => r.createdAtMs));
      root.append(h('p', { class: 'lead' }, freshness(context.nowMs() - oldest), ` \u00b7 computed ${dateTimeText(newest)} \u00b7 ${recommendations.length} market(s)`));
    }

    // Volatility and depth from the lending profile when there is one: hourly bars over a year, the
    // steadier view; perps measure on 5-minute bars over 30 days.
    const reference = entries.find((e) => e.recommendation.profileKind === 'lending') ?? entries[0];
    const referenceHistory = reference?.history.ok ? reference.history.value : null;
    const referenceReason = !reference ? 'no recommendation for this asset' : reference.history.ok ? 'no stored versions' : reference.history.message;

    const charts: Chart[] = [];
    context.onLeave(() => charts.forEach((c) => c.destroy()));
    const grid = h(
      'div',
      { class: 'charts' },
      chartSlot(prices.ok ? priceChart(asset, prices.value) : null, 'price history', prices.ok ? 'no bars stored' : prices.message, charts),
      chartSlot(referenceHistory ? volatilityChart(referenceHistory, profileNames.get(reference!.recommendation.profileId)!) : null, 'volatility history', referenceReason, charts),
      chartSlot(referenceHistory ? depthChart(referenceHistory) : null, 'depth history', referenceReason, charts),
      entries.map((e) =>
        chartSlot(
          e.history.ok ? parameterChart(e.history.value, e.recommendation.profileId, profileNames.get(e.recommendation.profileId)!) : null,
          `parameter history (${e.recommendation.profileId})`,
          e.history.ok ? 'no stored versions' : e.history.message,
          charts,
        ),
      ),
    );
    root.append(
      recommendations.length === 0 ? noData(`recommendations for ${asset}`, 'no cycle has covered this asset yet') : '',
      section('Over time', 'over-time', grid),
      ...entries.map((e) => profileSection(e, profileNames.get(e.recommendation.profileId)!)),
    );
    for (const chart of charts) chart.mount();
  };
}
