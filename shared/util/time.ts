/** Milliseconds per minute, hour and day: every ms <-> minute/hour/day conversion uses these. */
export const MS_PER_SECOND = 1_000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** Floors a timestamp to a multiple of `stepMs`. */
export function floorTo(timeMs: number, stepMs: number): number {
  return Math.floor(timeMs / stepMs) * stepMs;
}

export function isoOf(timeMs: number): string {
  return new Date(timeMs).toISOString();
}
