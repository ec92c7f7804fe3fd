import { formatNumber } from '../../format/numbers.js';
import { formatParameterValue } from '../../format/parameter-values.js';
import { MS_PER_DAY, MS_PER_HOUR } from '../../util/time.js';
import type { ChangeLimit, ParameterUnit } from './rules.js';

/** How the guard rails' reason sentences print values, limits and durations ("±50 bps", "3 days"). */

/** A value in the reasons' style ("8,300 bps", "$5.40B", "25x"); a rule without a unit prints the number. */
export function formatValue(value: number, unit: ParameterUnit | undefined): string {
  return unit === undefined ? formatNumber(value, 4) : formatParameterValue(value, unit, 'reason');
}

/** A limit as the reasons name it: "±50 bps", "±100 %", "×/÷2". */
export function formatLimit(limit: ChangeLimit, unit: ParameterUnit | undefined): string {
  switch (limit.kind) {
    case 'absolute':
      return `±${formatValue(limit.maxStep, unit)}`;
    case 'relative':
      return `±${formatNumber(limit.maxShare * 100, 2)} %`;
    case 'factor':
      return `×/÷${formatNumber(limit.maxFactor, 4)}`;
  }
}

/** A delay in hours under a day, else in days: "12 h", "3 days". */
export function formatDuration(ms: number): string {
  if (ms < MS_PER_DAY) return `${formatNumber(ms / MS_PER_HOUR, 1)} h`;
  const days = formatNumber(ms / MS_PER_DAY, 1);
  return `${days} ${days === '1' ? 'day' : 'days'}`;
}

/** When an absent input was last good, for the no-data reason. */
export function sinceText(sinceMs: number | null): string {
  return sinceMs === null ? 'none stored' : `last good ${new Date(sinceMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
