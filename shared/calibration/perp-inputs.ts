import type { PerpProfile, Policy } from '../config/schema.js';
import { loadCandleFiles, tailCalibrationSettings } from './inputs.js';
import type { RiskCalibrationInput, RiskCalibrationSettings } from './risk.js';

/**
 * What calibrate:risk reads for the perp floor (issue 15): every spot file at the perp profile's bar interval
 * (`<SYM>-USDT-5m.csv`), bad prints repaired as the backtest does; settings from the perp profile (its bars,
 * horizon and alpha) and the policy's regime test. The beta quantile the lending tail needs has no perp use:
 * it is fitted at PERP_ORDINARY_CONFIDENCE and only reported.
 */

/** The beta of the perp calibration (reported, unused: a perp has no LTV). */
export const PERP_ORDINARY_CONFIDENCE = 0.95;

export function perpCalibrationFiles(profile: PerpProfile): RegExp {
  return new RegExp(`^([A-Z0-9]+)-USDT-${profile.candleInterval}\\.csv$`);
}

export function loadPerpCalibrationInputs(dataDir: string, profile: PerpProfile): RiskCalibrationInput[] {
  return loadCandleFiles(dataDir, perpCalibrationFiles(profile), `<SYM>-USDT-${profile.candleInterval}.csv`);
}

export function perpRiskCalibrationSettings(profile: PerpProfile, policy: Policy): RiskCalibrationSettings {
  return { ...tailCalibrationSettings(profile, policy, PERP_ORDINARY_CONFIDENCE), expectedShortfallConfidence: profile.stressedShortfallConfidence };
}
