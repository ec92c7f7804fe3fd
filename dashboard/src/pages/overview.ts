import { attempt, fetchAllRecommendations, type RecommendationSet } from '../api/client.js';
import type { Profile, Recommendation } from '../api/schemas.js';
import { columnHeader, directionLegend, freshness, noData, parameterCellView, statusBadge } from '../components.js';
import { PARAMETER_COLUMNS, ROW_STATUS, type RowStatusKind } from '../config.js';
import { h } from '../dom.js';
import { dateTimeText } from '../format.js';
import type { Page } from '../page.js';
import { assetHref } from '../routes.js';
import { assetsOf, oldestSnapshotMs, parameterCells, rowStatus } from '../status.js';

/** `/`: one table, a row per asset, a column group per profile: current -> recommended and the status. */

/** Profiles in the API's order; a recommendation of a profile the list lacks still gets its group. */
function profilesShown(set: RecommendationSet): Profile[] {
  const withData = new Set(set.recommendations.map((r) => r.profileId));
  const profiles = set.profiles.filter((p) => withData.has(p.id));
  for (const r of set.recommendations) {
    if (!profiles.some((p) => p.id === r.profileId)) profiles.push({ id: r.profileId, kind: r.profileKind, name: r.profileId });
  }
  return profiles;
}

function statusCounts(recommendations: readonly Recommendation[]): HTMLElement {
  const counts = new Map<RowStatusKind, number>();
  for (const r of recommendations) counts.set(rowStatus(r).kind, (counts.get(rowStatus(r).kind) ?? 0) + 1);
  const order: RowStatusKind[] = ['vote', 'steward', 'hold', 'frozen', 'unfit'];
  return h(
    'ul',
    { class: 'counts', 'aria-label': 'recommendations by status' },
    order.map((kind) =>
      h('li', null, h('span', { class: `badge badge-${kind}`, title: ROW_STATUS[kind].help }, ROW_STATUS[kind].label), ` ${counts.get(kind) ?? 0}`),
    ),
  );
}

function table(set: RecommendationSet, nowMs: number): HTMLElement {
  const profiles = profilesShown(set);
  const byKey = new Map(set.recommendations.map((r) => [`${r.asset}\u0000${r.profileId}`, r]));
  const assets = assetsOf(set.recommendations);

  const colgroups = [h('colgroup', null, h('col', { class: 'col-asset' })), ...profiles.map((p) => h('colgroup', { class: 'group', span: PARAMETER_COLUMNS[p.kind].length + 1 })), h('colgroup', null, h('col'))];
  const groupRow = h(
    'tr',
    null,
    h('th', { scope: 'col', rowspan: 2, class: 'asset-col' }, 'Asset'),
    profiles.map((p) =>
      h('th', { scope: 'colgroup', colspan: PARAMETER_COLUMNS[p.kind].length + 1, class: 'group-head' }, p.name, h('span', { class: 'kind' }, ` ${p.kind}`)),
    ),
    h('th', { scope: 'col', rowspan: 2 }, 'Data age'),
  );
  const columnRow = h(
    'tr',
    null,
    profiles.map((p) => [...PARAMETER_COLUMNS[p.kind].map((c, i) => {
      const th = columnHeader(c);
      if (i === 0) th.classList.add('group-start');
      return th;
    }), h('th', { scope: 'col' }, 'Status')]),
  );

  const rows = assets.map((asset) => {
    const recs = profiles.map((p) => byKey.get(`${asset}\u0000${p.id}`) ?? null);
    const present = recs.filter((r): r is Recommendation => r !== null);
    const oldest = oldestSnapshotMs(present);
    return h(
      'tr',
      { 'data-asset': asset },
      h('th', { scope: 'row' }, h('a', { href: assetHref(asset) }, asset)),
      profiles.map((p, i) => {
        const r = recs[i];
        const width = PARAMETER_COLUMNS[p.kind].length + 1;
        if (!r) return h('td', { colspan: width, class: 'not-covered group-start' }, 'not covered by this profile');
        const cells = parameterCells(r).map((cell) => parameterCellView(cell));
        cells[0]?.classList.add('group-start');
        const status = rowStatus(r);
        return [...cells, h('td', { class: 'status' }, statusBadge(status, 'short'))];
      }),
      h('td', { class: 'data-age' }, oldest === null ? '-' : freshness(nowMs - oldest, 'short')),
    );
  });

  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'overview' },
      h('caption', null, 'Current \u2192 recommended parameters per asset and market; hover a cell for the guard rail\u2019s reason'),
      colgroups,
      h('thead', null, groupRow, columnRow),
      h('tbody', null, rows),
    ),
  );
}

export const overviewPage: Page = async (context) => {
  const { root } = context;
  context.setTitle('Risk parameters');
  root.append(
    h('h1', null, 'Risk parameters'),
    h(
      'p',
      { class: 'lead' },
      'The protocol\u2019s current value \u2192 what a Risk Steward may set now, after the guard rails; a target beyond one step needs a governance vote. ',
      'Open an asset for its charts and the reasoning behind every number.',
    ),
  );
  const loaded = await attempt(fetchAllRecommendations());
  if (!context.isCurrent()) return;
  if (!loaded.ok) {
    root.append(noData('recommendations', loaded.message));
    return;
  }
  const set = loaded.value;
  context.markSimulated(set.simulated || set.recommendations.some((r) => r.simulated));
  context.markHistorical(set.historical || set.recommendations.some((r) => r.historical === true));
  if (set.recommendations.length === 0) {
    root.append(noData('recommendations', 'No advisory cycle has stored a recommendation yet.'));
    return;
  }
  const now = context.nowMs();
  const oldest = oldestSnapshotMs(set.recommendations)!;
  const newest = Math.max(...set.recommendations.map((r) => r.createdAtMs));
  root.append(
    h(
      'div',
      { class: 'summary' },
      h('p', null, `${set.recommendations.length} recommendations, ${assetsOf(set.recommendations).length} assets. Computed ${dateTimeText(newest)}; oldest `, freshness(now - oldest), '.'),
      statusCounts(set.recommendations),
    ),
    directionLegend(),
    table(set, now),
    set.rejected > 0 ? noData(`${set.rejected} recommendation(s)`, 'They did not match what this page can read (see the browser console).') : '',
  );
};
