import { formatNumber } from '../format/numbers.js';
import { liveValueText, proposalDeltaText } from '../format/parameter-values.js';
import { labelOf } from '../model/parameters.js';
import type { ParameterMove, PublishedRef } from '../model/publication.js';
import { escapeMarkdown, table } from './markdown.js';

/**
 * The proposal's "Changes since the last published proposal" section (issue 16): what moved against the
 * last proposal published for the market, so a reader of a forum thread sees the difference, not the
 * whole table again. Its own module, apart from the rest of the rendering (render.ts calls it).
 */

export interface ChangesSince {
  /** The last published proposal of the market; null: this is the first. */
  since: PublishedRef | null;
  /** The parameters of this proposal's assets compared with it (shared/governance/cadence.ts movesAgainst). */
  moves: readonly ParameterMove[];
  /** Why this proposal goes now (the decision's summary). */
  reason: string;
}

function dateText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

export function changesSinceHeading(since: PublishedRef | null): string {
  if (!since) return '## Changes since the last published proposal';
  const more = since.proposalIds.length > 1 ? ` and ${since.proposalIds.length - 1} more part${since.proposalIds.length > 2 ? 's' : ''}` : '';
  return `## Changes since the last published proposal (${escapeMarkdown(since.proposalIds[0]!)}${more}, ${dateText(since.publishedAtMs)})`;
}

/** The section's lines; empty when there is nothing to say (no comparison was made). */
export function changesSinceSection(input: ChangesSince | undefined): string[] {
  if (!input) return [];
  const lines = [changesSinceHeading(input.since), ''];
  if (!input.since) {
    lines.push('None was published for this market before: every change below is new.', '');
    return lines;
  }
  const moved = input.moves.filter((m) => m.material || (m.move ?? 0) > 0);
  const still = input.moves.length - moved.length;
  lines.push(`Why now: ${escapeMarkdown(input.reason)}.`, '');
  if (moved.length === 0) {
    lines.push(`Nothing moved on these assets (${input.moves.length} parameter${input.moves.length === 1 ? '' : 's'} as published).`, '');
    return lines;
  }
  const value = (m: ParameterMove, v: number | null) => liveValueText(v, m.unit, 'proposal');
  lines.push(
    table(
      ['Asset', 'Parameter', 'Last published', 'Now', 'Move', 'Hysteresis', 'Beyond it'],
      moved.map((m) => [
        escapeMarkdown(m.asset),
        labelOf(m.parameter),
        value(m, m.published),
        `**${value(m, m.now)}**`,
        m.published === null || m.now === null ? (m.now === null ? 'withdrawn' : 'new') : proposalDeltaText(m.published, m.now, m.unit),
        escapeMarkdown(m.hysteresis),
        m.material ? `yes${m.hysteresisShare !== null && Number.isFinite(m.hysteresisShare) ? ` (${formatNumber(m.hysteresisShare, 2)}x)` : ''}` : 'no',
      ]),
    ),
    '',
    '"Last published" is what that proposal asked, or the live value where it asked nothing; "Now" is what this one asks, or the live value where it asks nothing.' +
      (still > 0 ? ` ${still} other parameter${still === 1 ? ' is' : 's are'} as published.` : ''),
    '',
  );
  return lines;
}
