import type { ChangeLimit } from './rules.js';

/** The interval arithmetic of the rules: where a limit allows a value to go, and rounding at its edge. */

export interface Interval {
  low: number;
  high: number;
}

/** The closed interval a limit allows around `current`. */
export function allowedInterval(limit: ChangeLimit, current: number): Interval {
  switch (limit.kind) {
    case 'absolute':
      return { low: current - limit.maxStep, high: current + limit.maxStep };
    case 'relative': {
      const span = limit.maxShare * Math.abs(current);
      return { low: current - span, high: current + span };
    }
    case 'factor': {
      const a = current / limit.maxFactor;
      const b = current * limit.maxFactor;
      return { low: Math.min(a, b), high: Math.max(a, b) };
    }
  }
}

/** True when `value` lies strictly inside the interval `limit` allows around `current`. */
export function strictlyInside(limit: ChangeLimit, current: number, value: number): boolean {
  const { low, high } = allowedInterval(limit, current);
  return value > low && value < high;
}

/** What is wrong with a limit's size, named by `where`; empty when it is usable. */
export function limitProblems(limit: ChangeLimit, where: string): string[] {
  switch (limit.kind) {
    case 'absolute':
      return Number.isFinite(limit.maxStep) && limit.maxStep >= 0 ? [] : [`${where}: maxStep must be a finite number >= 0 (got ${limit.maxStep})`];
    case 'relative':
      return Number.isFinite(limit.maxShare) && limit.maxShare >= 0 ? [] : [`${where}: maxShare must be a finite number >= 0 (got ${limit.maxShare})`];
    case 'factor':
      return Number.isFinite(limit.maxFactor) && limit.maxFactor >= 1 ? [] : [`${where}: maxFactor must be a finite number >= 1 (got ${limit.maxFactor})`];
    default:
      return [`${where}: unknown limit kind ${(limit as { kind: unknown }).kind}`];
  }
}

/**
 * Rounds a step cut by the limit toward `current` to a multiple of `resolution`, never past `current`
 * nor past the unrounded step (guards against floating-point rounding outward).
 */
export function roundTowardCurrent(value: number, current: number, resolution: number): number {
  if (value > current) return Math.max(current, Math.min(value, Math.floor(value / resolution) * resolution));
  if (value < current) return Math.min(current, Math.max(value, Math.ceil(value / resolution) * resolution));
  return value;
}

/** Up to a multiple of the resolution: the lowest value a limit's low end lets through. */
export function ceilToResolution(value: number, resolution: number): number {
  return Math.ceil(value / resolution - 1e-9) * resolution;
}
