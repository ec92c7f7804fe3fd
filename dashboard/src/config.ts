/**
 * The dashboard's display rules: which parameters are columns, how statuses are named, when data counts
 * as stale, how much is fetched, the chart colours. Views read these; they hold no literals of their own.
 * What a parameter is called and in which unit comes from the shared catalogue (shared/model/parameters.ts).
 */
import { steeredParameter, type ParameterUnit, type ProfileKind, type SteeredParameterKey } from '../../shared/model/parameters.js';
import type { StepStatus } from '../../shared/model/step-status.js';
import { MS_PER_HOUR } from '../../shared/util/time.js';

export type { ParameterUnit, ProfileKind };

export interface ParameterColumn {
  /** The key in a recommendation's `parameters` / `current` / `target` and in its `steps`. */
  key: string;
  /** Column header (short) and the name used in sentences. */
  label: string;
  title: string;
  unit: ParameterUnit;
}

/** A steered parameter as a column: its short label, title and unit from the catalogue (shared/model/parameters.ts). */
function columnOf(key: SteeredParameterKey): ParameterColumn {
  const facts = steeredParameter(key)!;
  return { key, label: facts.shortLabel, title: facts.title, unit: facts.unit };
}

/** The overview's columns per profile kind, in reading order (perps lead with leverage). */
export const PARAMETER_COLUMNS: Record<ProfileKind, readonly ParameterColumn[]> = {
  lending: (['ltvBps', 'liquidationThresholdBps', 'liquidationBonusBps', 'supplyCapUsd', 'borrowCapUsd'] as const).map(columnOf),
  perp: (['maxLeverage', 'maintenanceMarginBps', 'initialMarginBps'] as const).map(columnOf),
};

/** A parameter key in words ("maintenanceMarginBps" -> "Maintenance margin (smallest tier)"); unknown keys as sent. */
export function parameterTitle(key: string): string {
  return steeredParameter(key)?.title ?? key;
}

/** The short form ("Maint. margin"), for dense tables. */
export function parameterLabel(key: string): string {
  return steeredParameter(key)?.shortLabel ?? key;
}

/** Unit suffix in column headers: percentages are bare numbers in the cells; $ and x travel with the value. */
export const UNIT_HEADER: Record<ParameterUnit, string> = { bps: '%', usd: '', x: '' };

export const FRESHNESS = {
  /**
   * Market data older than this is shown in red. The default schedule runs a cycle every hour, so two
   * missed cycles mean the scheduler or the venues are failing (the engine itself only calls data weak
   * after 24 h, which is far too late for a reader to notice).
   */
  staleAfterMs: 2 * MS_PER_HOUR,
};

/** A row's overall status, from its steps (see status.ts for the precedence). */
export type RowStatusKind = 'unfit' | 'frozen' | 'vote' | 'steward' | 'hold';

/** `label` in legends and on the asset page; `short` in the overview's cells (the full one is their tooltip). */
export const ROW_STATUS: Record<RowStatusKind, { label: string; short: string; help: string }> = {
  unfit: { label: 'not collateral', short: 'not collateral', help: 'The engine refuses the asset (too little history or a book that cannot absorb the liquidation size).' },
  frozen: { label: 'frozen', short: 'frozen', help: 'A manual override: the asset is never changed automatically.' },
  vote: { label: 'needs a governance vote', short: 'needs vote', help: 'A target beyond the Risk Steward bounds, or a new listing: only a governance vote can set it.' },
  steward: { label: 'within steward bounds', short: 'within bounds', help: 'Every change fits one Risk Steward update.' },
  hold: { label: 'no change', short: 'no change', help: 'Nothing to propose: unchanged, or held by hysteresis, the minimum delay or weak evidence.' },
};

/** Perps say "not listable" where lending says "not collateral". */
export const UNFIT_LABEL: Record<ProfileKind, string> = { lending: 'not collateral', perp: 'not listable' };

/** Guard-rail step statuses as the API names them, in words. Unknown ones are shown as sent. */
export const STEP_STATUS_LABEL: Record<string, string> = {
  unchanged: 'unchanged',
  'within-bounds': 'within steward bounds',
  'bounded-needs-vote': 'bounded: target needs a vote',
  'new-listing-needs-vote': 'new listing: needs a vote',
  'held-hysteresis': 'held: below hysteresis',
  'held-min-delay': 'held: minimum delay',
  'held-weak-evidence': 'held: weak evidence',
  'no-data': 'held: no data (input missing)',
  frozen: 'frozen',
} satisfies Record<StepStatus, string>;

export const PROPOSAL_STATUS_LABEL: Record<string, string> = { pending: 'pending', sent: 'sent', failed: 'failed', superseded: 'superseded (not sent)' };

/** How much the pages fetch (the API's own maxima: recommendations 500, history 100 per page). */
export const FETCH = {
  recommendationsPageLimit: 100,
  recommendationsMaxPages: 20,
  historyPageLimit: 100,
  historyMaxPages: 3,
  proposalsPageLimit: 50,
  priceInterval: '1h',
  priceDays: 30,
  timeoutMs: 15_000,
};

/** The depth band charted over time: merged bid depth within +-2 % of mid. */
export const DEPTH_BAND_KEY = '2';

/** Rows of the per-profile version table on the asset page. */
export const HISTORY_TABLE_ROWS = 12;

/**
 * Chart series colours: distinguishable for the common colour-vision deficiencies (Okabe-Ito based) and
 * at least 3:1 against the white plot area.
 */
export const CHART_COLORS = ['#0b5fa5', '#c2410c', '#047857', '#7c3aed', '#a16207', '#be123c'] as const;

export const CHART_HEIGHT_PX = 220;
