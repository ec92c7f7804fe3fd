import { FRESHNESS, STEP_STATUS_LABEL, UNIT_HEADER, type ParameterColumn } from './config.js';
import { h } from './dom.js';
import { currentText, deltaText, parameterText } from '../../shared/format/parameter-values.js';
import { ageText, durationText } from './format.js';
import type { ParameterCell, RowStatus } from './status.js';
import { isStale } from './status.js';

/** Small pieces shared by the pages. */

export function statusBadge(status: RowStatus, size: 'full' | 'short' = 'full'): HTMLElement {
  return h('span', { class: `badge badge-${status.kind}`, title: `${status.label}: ${status.help}` }, size === 'short' ? status.short : status.label);
}

export function stepBadge(stepStatus: string): HTMLElement {
  return h('span', { class: `step step-${stepStatus}` }, STEP_STATUS_LABEL[stepStatus] ?? stepStatus);
}

/** "data 12 min old" ("12 min" in a column headed Data age), red and said in words when stale. */
export function freshness(ageMs: number, size: 'full' | 'short' = 'full'): HTMLElement {
  const stale = isStale(ageMs);
  return h(
    'span',
    { class: stale ? 'age stale' : 'age', title: stale ? `older than ${durationText(FRESHNESS.staleAfterMs)}: the cycle may be failing` : ageText(ageMs) },
    size === 'short' ? durationText(ageMs) : ageText(ageMs),
    stale ? ' (stale)' : null,
  );
}

export function noData(what: string, reason: string): HTMLElement {
  return h('p', { class: 'no-data', role: 'status' }, h('strong', null, `No data: ${what}.`), ` ${reason}`);
}

export function columnHeader(column: ParameterColumn): HTMLElement {
  const unit = UNIT_HEADER[column.unit];
  return h('th', { scope: 'col', title: column.title }, column.label, unit ? h('span', { class: 'unit' }, ` ${unit}`) : null);
}

/**
 * current -> proposed, the change coloured by risk direction, and the target when the guard rails hold
 * part of it back. The tooltip carries the guard rail's own sentence.
 */
export function parameterCellView(cell: ParameterCell): HTMLElement {
  const { unit } = cell.column;
  const step = cell.step?.status;
  const current = currentText(cell.current, unit);
  const shown = cell.proposed ?? cell.target;
  const delta = cell.proposed === cell.current ? null : deltaText(cell.current, cell.proposed, unit);
  const tooltip = [cell.column.title, cell.step?.reason].filter(Boolean).join(': ');
  return h(
    'td',
    { class: `param dir-${cell.direction}`, title: tooltip, 'data-parameter': cell.column.key },
    h(
      'span',
      { class: 'values' },
      h('span', { class: 'current' }, current),
      h('span', { class: 'arrow' }, ' \u2192 '),
      h('span', { class: 'proposed' }, shown === null ? '-' : parameterText(shown, unit)),
    ),
    h(
      'span',
      { class: 'sub' },
      delta === null ? null : h('span', { class: 'delta' }, delta),
      step === 'new-listing-needs-vote' ? h('span', { class: 'tag' }, 'new listing') : null,
      step?.startsWith('held-') ? h('span', { class: 'tag' }, 'held') : null,
      step === 'frozen' ? h('span', { class: 'tag' }, 'frozen') : null,
    ),
    cell.targetDiffers && cell.target !== null ? h('span', { class: 'target' }, `target ${parameterText(cell.target, unit)}`) : null,
  );
}

/** The colour key: what blue and orange mean, in words (colour is never the only cue: deltas are signed). */
export function directionLegend(): HTMLElement {
  return h(
    'p',
    { class: 'legend' },
    h('span', { class: 'legend-item dir-tighten' }, h('span', { class: 'swatch' }), 'tightening: less risk, less capacity (lower LTV, LT or caps; higher margins)'),
    h('span', { class: 'legend-item dir-loosen' }, h('span', { class: 'swatch' }), 'loosening: more capacity, more risk'),
    h('span', { class: 'legend-item' }, h('span', { class: 'target' }, 'target'), ' the unconstrained value when one steward step cannot reach it'),
    h('span', { class: 'legend-item' }, h('strong', null, 'new listing'), ' no live value: only a vote can set one'),
  );
}

/** The notes over every page when the numbers are not today's live market. */
const DATA_BANNERS = {
  simulated: {
    className: 'simulated-banner',
    label: 'SIMULATED',
    text: 'Market data comes from the seeded simulator, not from live venues. These numbers are a demonstration: nothing is sent to a real forum.',
  },
  /** Replayed recordings: real data, but not today's market, and kept off the public forum. */
  historical: {
    className: 'simulated-banner historical-banner',
    label: 'HISTORICAL REPLAY',
    text: 'Market data is replayed from recordings of past markets, not from live venues. Proposals go to the local outbox only.',
  },
} as const;

export function dataBanner(kind: keyof typeof DATA_BANNERS): HTMLElement {
  const banner = DATA_BANNERS[kind];
  return h('div', { class: banner.className, role: 'note', 'data-testid': `${kind}-banner` }, h('strong', null, banner.label), ` ${banner.text}`);
}

export function section(title: string, id: string | null, ...children: (Node | null)[]): HTMLElement {
  return h('section', { class: 'panel', 'aria-labelledby': id ? `${id}-title` : null }, h('h2', { id: id ? `${id}-title` : null }, title), ...children);
}

export function definitionList(entries: readonly (readonly [string, string | Node])[]): HTMLElement {
  return h('dl', { class: 'facts' }, entries.map(([term, value]) => h('div', null, h('dt', null, term), h('dd', null, value))));
}
