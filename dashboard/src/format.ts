import type { ParameterUnit } from './config.js';

/**
 * Number formatting with units. Pure and locale-fixed (en-US, UTC) so that what a reader sees does not
 * depend on their browser and the tests can state it exactly.
 */

/** U+2212: a real minus sign, as wide as the plus sign, so signed columns line up. */
const MINUS = '\u2212';

const usdCompact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 3 });
const usdPlain = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });

function signed(value: number, text: string): string {
  if (value > 0) return `+${text}`;
  if (value < 0) return `${MINUS}${text}`;
  return text;
}

/** Fewest decimals that show a value exactly (up to `max`): 73.5, 0.87, 4.5. */
function trimmed(value: number, max: number): string {
  const fixed = value.toFixed(max);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** 7350 bps -> "73.5" (percent, without the sign): bps parameters are multiples of 1 bps, so 2 decimals at most. */
export function percentFromBps(bps: number): string {
  return trimmed(bps / 100, 2);
}

/** 2.58e9 -> "$2.58B", 48_000 -> "$48K". */
export function usdCompactText(usd: number): string {
  return usdCompact.format(usd);
}

/** Prices: "$64,210.5" above $1, "$0.1234" below (four significant digits). */
export function usdPrice(usd: number): string {
  if (Math.abs(usd) >= 1) return usdPlain.format(usd);
  return `$${usd.toPrecision(4)}`;
}

export function leverageText(multiple: number): string {
  return `${trimmed(multiple, 1)}x`;
}

/** A stored parameter in its display unit, without the column's unit for bps (the header says %). */
export function parameterText(value: number, unit: ParameterUnit): string {
  switch (unit) {
    case 'bps':
      return percentFromBps(value);
    case 'usd':
      return usdCompactText(value);
    case 'x':
      return leverageText(value);
  }
}

/**
 * A live value, or "not listed" when the protocol has none (Aave's LTV 0 = not collateral counts as none):
 * the proposal, webhook and CLI use the same words.
 */
export function currentText(value: number | null, unit: ParameterUnit, withUnit = false): string {
  if (value === null) return 'not listed';
  return withUnit ? parameterWithUnit(value, unit) : parameterText(value, unit);
}

/** A parameter with its unit, for sentences and tooltips: "73.5 %", "$610M", "25x". */
export function parameterWithUnit(value: number, unit: ParameterUnit): string {
  return unit === 'bps' ? `${percentFromBps(value)} %` : parameterText(value, unit);
}

/**
 * The change from current to proposed: percentage points for bps parameters, relative change for USD
 * caps (a cap moving $2.58B -> $610M reads better as -76 % than as -$1.97B), multiples for leverage.
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

/** A fraction as a percentage: 0.8303 -> "83.0 %". */
export function percentFromFraction(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** An age in words: "< 1 min", "12 min", "3 h 5 min", "2 d 4 h". */
export function durationText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return '< 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** "data 12 min old" */
export function ageText(ageMs: number): string {
  return `data ${durationText(ageMs)} old`;
}

/** Epoch ms as "2026-11-25 14:20 UTC". */
export function dateTimeText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Epoch ms as "2026-11-25". */
export function dateText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
