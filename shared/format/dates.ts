/** Calendar dates for proposals (pure; UTC, so output is the same everywhere). */

/** Epoch ms -> "2026-12-13" (UTC). */
export function formatDateUtc(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** Epoch ms -> "2026-12-13 00:00 UTC". */
export function formatDateTimeUtc(timeMs: number): string {
  return `${new Date(timeMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
