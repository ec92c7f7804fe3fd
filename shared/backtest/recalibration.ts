import { calibrateRisk, RiskCalibrationError, type RiskCalibrationInput, type RiskCalibrationSettings } from '../calibration/risk.js';
import type { ThroughTheCycleTail } from '../config/tail.js';

/**
 * No step of the walk-forward uses a constant fitted on data at or after it (issue 14). The configured
 * through-the-cycle calibration holds from its cutoff on; before it, the backtest refits the same
 * calibration (calibrate:risk) at every 1 January on the data before that day, as an annual review would.
 * Years with fewer than three assets old enough to fit it (2018-2019 on the shared data) have none: their
 * steps use the profile's fallback floor (share x trailing unconditional tail).
 */

export interface ScheduledCalibration {
  fromMs: number;
  tail: ThroughTheCycleTail;
  /** False for the configured calibration, true for a refit. */
  refitted: boolean;
}

export function calibrationSchedule(
  configured: ThroughTheCycleTail,
  inputs: readonly RiskCalibrationInput[],
  settings: RiskCalibrationSettings,
  firstStepMs: number | undefined,
): ScheduledCalibration[] {
  const cutoffMs = Date.parse(`${configured.cutoff}T00:00:00Z`);
  const schedule: ScheduledCalibration[] = [];
  const firstBarMs = Math.min(...inputs.map((i) => i.candles[0]?.openTimeMs ?? Number.POSITIVE_INFINITY));
  if (Number.isFinite(firstBarMs) && (firstStepMs === undefined || firstStepMs < cutoffMs)) {
    for (let year = new Date(firstBarMs).getUTCFullYear() + 1; Date.UTC(year, 0, 1) < cutoffMs; year++) {
      const fromMs = Date.UTC(year, 0, 1);
      try {
        schedule.push({ fromMs, tail: calibrateRisk(inputs, fromMs, settings).tail, refitted: true });
      } catch (error) {
        if (!(error instanceof RiskCalibrationError)) throw error;
      }
    }
  }
  schedule.push({ fromMs: cutoffMs, tail: configured, refitted: false });
  return schedule;
}
