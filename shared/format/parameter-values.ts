import { unitOf, type ParameterUnit } from '../model/parameters.js';
import { bpsToFraction } from '../util/units.js';
import { formatNumber, formatPct, formatUsd, usdCompactText } from './numbers.js';

/**
 * How a parameter value is printed, for every rendering: the proposal, the webhook, the CLI table, the
 * guard-rail reasons and the dashboard. Each medium keeps the style it has always printed (changing one
 * would change published proposals, stored reasons or the dashboard), so the styles sit side by side here
 * and a reader sees at once where the same number reads differently:
 *
 * | style      | 8300 (bps) | 5.4e9 (usd) | 25 (x) | printed by                                            |
 * |------------|------------|-------------|--------|-------------------------------------------------------|
 * | `proposal` | 83.00 %    | $5.40B      | 25x    | proposal Markdown, webhook `display`, CLI table       |
 * | `reason`   | 8,300 bps  | $5.40B      | 25x    | guard-rail reason sentences (stored with each step)   |
 * | `cell`     | 83         | $5.4B       | 25x    | dashboard table cells (the column header says %)      |
 * | `sentence` | 83 %       | $5.4B       | 25x    | dashboard tooltips and detail tables                  |
 */
export type ValueStyle = 'proposal' | 'reason' | 'cell' | 'sentence';

/** What every rendering prints for a parameter the protocol has no live value for. */
export const NOT_LISTED = 'not listed';

/** U+2212: a real minus sign, as wide as the plus sign, so the dashboard's signed columns line up. */
const MINUS = '\u2212';

/** Fewest decimals that show a value exactly (up to `max`): 73.5, 0.87, 4.5. */
function trimmed(value: number, max: number): string {
  const fixed = value.toFixed(max);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

function signed(value: number, text: string): string {
  if (value > 0) return `+${text}`;
  if (value < 0) return `${MINUS}${text}`;
  return text;
}

/** 7350 bps -> "73.5" (percent, without the sign): bps parameters are multiples of 1 bps, so 2 decimals at most. */
export function percentFromBps(bps: number): string {
  return trimmed(bps / 100, 2);
}

/** The dashboard's leverage: 25 -> "25x", 2.5 -> "2.5x". */
export function leverageText(multiple: number): string {
  return `${trimmed(multiple, 1)}x`;
}

const STYLES: Record<ValueStyle, Record<ParameterUnit, (value: number) => string>> = {
  proposal: { bps: (v) => formatPct(bpsToFraction(v)), usd: formatUsd, x: (v) => `${v}x` },
  reason: { bps: (v) => `${formatNumber(v, 4)} bps`, usd: formatUsd, x: (v) => `${formatNumber(v, 4)}x` },
  cell: { bps: percentFromBps, usd: usdCompactText, x: leverageText },
  sentence: { bps: (v) => `${percentFromBps(v)} %`, usd: usdCompactText, x: leverageText },
};

/** One stored value in its unit, in the style of the medium printing it. */
export function formatParameterValue(value: number, unit: ParameterUnit, style: ValueStyle): string {
  return STYLES[style][unit](value);
}

/** A live value, or "not listed" when the protocol has none (Aave's LTV 0 = not collateral counts as none). */
export function liveValueText(value: number | null, unit: ParameterUnit, style: ValueStyle): string {
  return value === null ? NOT_LISTED : formatParameterValue(value, unit, style);
}

/** A value of a catalogue key (shared/model/parameters.ts), in the key's unit. */
export function formatParameter(key: string, value: number, style: ValueStyle): string {
  return formatParameterValue(value, unitOf(key), style);
}

/**
 * The proposal's change from current to recommended, signed: percentage points for bps ("+0.50 pp"), the
 * relative change for USD caps ("-12.5 %"; the amount when the cap was 0), multiples for leverage ("-5x").
 */
export function proposalDeltaText(current: number, recommended: number, unit: ParameterUnit): string {
  const diff = recommended - current;
  const sign = diff > 0 ? '+' : diff < 0 ? '-' : '';
  const magnitude =
    unit === 'bps'
      ? `${(Math.abs(diff) / 100).toFixed(2)} pp`
      : unit === 'usd'
        ? current === 0
          ? formatUsd(Math.abs(diff))
          : `${((Math.abs(diff) / current) * 100).toFixed(1)} %`
        : `${Math.abs(diff)}x`;
  return `${sign}${magnitude}`;
}

// The dashboard's names for its two styles (its views and tests read these).

/** A stored parameter in the dashboard's cell style: without the unit for bps (the header says %). */
export function parameterText(value: number, unit: ParameterUnit): string {
  return formatParameterValue(value, unit, 'cell');
}

/** A parameter with its unit, for the dashboard's sentences and tooltips: "73.5 %", "$610M", "25x". */
export function parameterWithUnit(value: number, unit: ParameterUnit): string {
  return formatParameterValue(value, unit, 'sentence');
}

/** The dashboard's live value: "not listed", or the value as a cell (or with its unit). */
export function currentText(value: number | null, unit: ParameterUnit, withUnit = false): string {
  return liveValueText(value, unit, withUnit ? 'sentence' : 'cell');
}

/**
 * The dashboard's change from current to proposed: percentage points for bps parameters, relative change
 * for USD caps (a cap moving $2.58B -> $610M reads better as -76 % than as -$1.97B), multiples for leverage.
 * Null when there is nothing to compare (no current value, or a cap from zero).
 */
export function deltaText(current: number | null, proposed: number | null, unit: ParameterUnit): string | null {
  if (current === null || proposed === null) return null;
  const change = proposed - current;
  switch (unit) {
    case 'bps':
      return `${signed(change, trimmed(Math.abs(change) / 100, 2))} pp`;
    case 'usd': {
      if (current === 0) return change === 0 ? '0 %' : null;
      const relative = (change / current) * 100;
      const digits = Math.abs(relative) < 10 ? 1 : 0;
      return `${signed(Math.round(relative * 10 ** digits), Math.abs(relative).toFixed(digits))} %`;
    }
    case 'x':
      return `${signed(change, trimmed(Math.abs(change), 1))}x`;
  }
}
