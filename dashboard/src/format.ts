/**
 * Time formatting for the dashboard. Pure and locale-fixed (UTC) so that what a reader sees does not
 * depend on their browser and the tests can state it exactly. Numbers, USD and parameter values are
 * formatted by shared/format (numbers.ts, parameter-values.ts), the same module the proposal and the CLI use.
 */
import { MS_PER_MINUTE } from '../../shared/util/time.js';

/** An age in words: "< 1 min", "12 min", "3 h 5 min", "2 d 4 h". */
export function durationText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / MS_PER_MINUTE);
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
