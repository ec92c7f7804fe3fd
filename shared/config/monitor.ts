import * as z from 'zod';

/**
 * The stress monitor's constants (shared/risk/monitor/, issue 15): when a move since the reference price of
 * the parameters in force, or the conditional volatility, calls for an alert and an emergency cut. Defaults
 * with their reasons in defaults.ts (DEFAULT_MONITOR).
 */
export const monitorSchema = z
  .object({
    /** Minutes between monitor ticks (cloud: the EventBridge rate; local: `npm start`). */
    everyMinutes: z.number().int().positive(),
    /** A move against the position consuming at least this share of the market's buffer alerts. */
    alertBufferShare: z.number().gt(0).max(1),
    /**
     * The same for the worst move within the last horizon window (a crash inside h), against the unscaled
     * buffer: alerts at this share (consumed shares are reported on the alertBufferShare scale).
     */
    windowAlertBufferShare: z.number().gt(0).max(1),
    /** ... and at least this share is critical (the buffer is nearly gone) rather than a warning. */
    criticalBufferShare: z.number().gt(0).max(1),
    /**
     * Conditional per-bar volatility over the fit's long-run level above this ratio: the regime turned
     * stressed since the fit, an alert even without a large move.
     */
    stressedVolatilityRatio: z.number().gt(1),
    /**
     * The episode ends (an all-clear) once the move is back under this share of the buffer and the
     * volatility ratio under stressedVolatilityRatio for clearAfterMinutes in a row.
     */
    clearBufferShare: z.number().min(0).max(1),
    clearAfterMinutes: z.number().int().positive(),
    /**
     * The emergency path as enacted (backtest scoring): after an emergency the cut value holds, and then the
     * engine's daily target is followed both ways, for this many days; then the steward path resumes.
     */
    mandateDays: z.number().positive(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.criticalBufferShare < m.alertBufferShare) ctx.addIssue({ code: 'custom', path: ['criticalBufferShare'], message: 'criticalBufferShare is below alertBufferShare' });
    if (m.clearBufferShare >= m.alertBufferShare) ctx.addIssue({ code: 'custom', path: ['clearBufferShare'], message: 'clearBufferShare must be below alertBufferShare (hysteresis)' });
  });
export type MonitorConfig = z.infer<typeof monitorSchema>;
