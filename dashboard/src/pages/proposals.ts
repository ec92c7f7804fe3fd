import { attempt, fetchProposals } from '../api/client.js';
import type { ProposalSummary } from '../api/schemas.js';
import { noData, stepBadge } from '../components.js';
import { parameterWithUnit } from '../../../shared/format/parameter-values.js';
import { PARAMETER_UNITS } from '../../../shared/model/parameters.js';
import { PROPOSAL_STATUS_LABEL, parameterLabel, parameterTitle, type ParameterUnit } from '../config.js';
import { h } from '../dom.js';
import { dateTimeText } from '../format.js';
import type { Page } from '../page.js';
import { assetHref, safeExternalUrl } from '../routes.js';

/** `/proposals`: every proposal, newest first, with its forum posts and the changes it asks for. */

const UNITS: ReadonlySet<string> = new Set<ParameterUnit>(PARAMETER_UNITS);

function valueText(value: number | null, unit: string): string {
  if (value === null) return '-';
  return UNITS.has(unit) ? parameterWithUnit(value, unit as ParameterUnit) : String(value);
}

function forumLinks(p: ProposalSummary): HTMLElement {
  const urls = p.links.map(safeExternalUrl).filter((u): u is string => u !== null);
  if (urls.length === 0) {
    return h('span', { class: 'muted' }, p.status === 'sent' ? 'no forum post' : 'not posted yet', h('span', { class: 'sub' }, `target: ${p.target}`));
  }
  return h(
    'ul',
    { class: 'links' },
    urls.map((url, i) => h('li', null, h('a', { href: url, rel: 'noopener noreferrer external', class: 'forum-link' }, urls.length > 1 ? `forum post ${i + 1}` : 'forum post'))),
  );
}

function changesDetail(p: ProposalSummary): HTMLElement {
  const assets = [...new Set(p.changes.map((c) => c.asset))].sort();
  return h(
    'details',
    null,
    h('summary', null, `${p.changes.length} change${p.changes.length === 1 ? '' : 's'}: `, assets.join(', ')),
    h(
      'table',
      { class: 'detail compact' },
      h('thead', null, h('tr', null, ['Asset', 'Parameter', 'Current', 'Proposed', 'Target', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        null,
        p.changes.map((c) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, h('a', { href: assetHref(c.asset) }, c.asset)),
            h('td', { title: parameterTitle(c.parameter) }, parameterLabel(c.parameter)),
            h('td', { class: 'num' }, c.current === null ? 'not listed' : valueText(c.current, c.unit)),
            h('td', { class: 'num' }, valueText(c.recommended, c.unit)),
            h('td', { class: 'num' }, valueText(c.target, c.unit)),
            h('td', null, stepBadge(c.status)),
          ),
        ),
      ),
    ),
  );
}

/** The tags already say SIMULATED / HISTORICAL: do not repeat the title's own prefixes. */
function titleText(p: ProposalSummary): string {
  let title = p.simulated ? p.title.replace(/^\s*\[SIMULATED\]\s*/i, '') : p.title;
  if (p.historical === true) title = title.replace(/^\s*\[HISTORICAL REPLAY\]\s*/i, '');
  return title;
}

/** A proposal is two rows: its facts, then its changes across the whole width (they are a table of their own). */
function rows(p: ProposalSummary): HTMLElement[] {
  return [row(p), h('tr', { class: 'changes-row' }, h('td', { colspan: 5 }, p.changes.length === 0 ? h('span', { class: 'muted' }, 'no changes') : changesDetail(p)))];
}

function row(p: ProposalSummary): HTMLElement {
  return h(
    'tr',
    { 'data-proposal': p.id },
    h('td', { class: 'nowrap' }, dateTimeText(p.createdAtMs)),
    h('th', { scope: 'row', class: 'title' }, p.simulated ? h('span', { class: 'tag tag-sim' }, 'SIMULATED') : null, p.historical === true ? h('span', { class: 'tag tag-sim' }, 'HISTORICAL') : null, titleText(p), h('span', { class: 'id' }, p.id)),
    h('td', null, p.profileId),
    h('td', { class: 'nowrap' }, h('span', { class: `badge proposal-${p.status}` }, PROPOSAL_STATUS_LABEL[p.status] ?? p.status), p.sentAtMs === null ? null : h('span', { class: 'sub' }, dateTimeText(p.sentAtMs))),
    h('td', { class: 'forum' }, forumLinks(p)),
  );
}

export const proposalsPage: Page = async (context) => {
  const { root } = context;
  context.setTitle('Proposals');
  root.append(
    h('h1', null, 'Proposals'),
    h('p', { class: 'lead' }, 'What the advisor proposed to each market, newest first, and where it was posted. Simulated proposals only ever go to the local outbox.'),
  );
  const first = await attempt(fetchProposals(null));
  if (!context.isCurrent()) return;
  if (!first.ok) {
    root.append(noData('proposals', first.message));
    return;
  }
  if (first.value.items.length === 0) {
    root.append(noData('proposals', 'no cycle has proposed a change yet'));
    return;
  }
  context.markSimulated(first.value.items.some((p) => p.simulated));
  context.markHistorical(first.value.items.some((p) => p.historical === true));
  const body = h('tbody', null, first.value.items.map(rows));
  const table = h(
    'table',
    { class: 'detail proposals' },
    h('caption', null, 'Proposals and their forum posts'),
    h('thead', null, h('tr', null, ['Created', 'Proposal', 'Market', 'Status', 'Forum'].map((t) => h('th', { scope: 'col' }, t)))),
    body,
  );
  root.append(h('div', { class: 'table-wrap' }, table));

  // Further pages on demand: the outbox grows by one proposal per market and cycle.
  let cursor = first.value.nextCursor;
  if (cursor === null) return;
  const more = h('button', { type: 'button', class: 'more' }, 'Load older proposals');
  const status = h('span', { role: 'status', class: 'muted' });
  more.addEventListener('click', async () => {
    more.disabled = true;
    const next = await attempt(fetchProposals(cursor));
    if (!context.isCurrent()) return;
    if (!next.ok) {
      status.textContent = `Could not load more: ${next.message}`;
      more.disabled = false;
      return;
    }
    body.append(...next.value.items.flatMap(rows));
    cursor = next.value.nextCursor;
    if (cursor === null) more.remove();
    else more.disabled = false;
  });
  root.append(h('p', null, more, ' ', status));
};
