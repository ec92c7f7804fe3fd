import { isoOf } from '../util/time.js';

/** Number formatting of the calibration report (compact: 15.3%, $29M; not the proposal's "15.34 %"). */

export function significant(value: number, digits = 4): number {
  return Number(value.toPrecision(digits));
}

export function isoDate(ms: number): string {
  return isoOf(ms).slice(0, 10);
}

export function pct(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function signedPct(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

/** "min..max" of fractions as percentages. */
export function pctRange(values: number[], digits = 1): string {
  return `${pct(Math.min(...values), digits)}..${pct(Math.max(...values), digits)}`;
}

export function usd(value: number): string {
  if (value >= 1e6) return `$${(value / 1e6).toFixed(value >= 1e7 ? 0 : 1)}M`;
  if (value >= 1e3) return `$${(value / 1e3).toFixed(0)}k`;
  return `$${value.toFixed(0)}`;
}

/** Plain fixed-width table for the terminal (first column left-aligned, the rest right-aligned). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
