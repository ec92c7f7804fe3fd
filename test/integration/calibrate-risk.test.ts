import { describe, expect, it } from 'vitest';
import { loadCalibrationInputs, riskCalibrationSettings } from '../../shared/calibration/inputs.js';
import { calibrateRisk } from '../../shared/calibration/risk.js';
import { buildConfig } from '../../shared/config/load.js';
import { loadPerpCalibrationInputs, perpRiskCalibrationSettings } from '../../shared/calibration/perp-inputs.js';
import { PERP_TAIL_HISTORY_RECORDS, PERP_THROUGH_THE_CYCLE_TAIL } from '../../shared/config/perp-tail-calibration.generated.js';
import type { LendingProfile, PerpProfile } from '../../shared/config/schema.js';
import { TAIL_HISTORY_RECORDS, THROUGH_THE_CYCLE_TAIL } from '../../shared/config/tail-calibration.generated.js';
import { HAS_REAL_DATA, REAL_DATA_DIR } from '../support/real-data.js';

/**
 * issue 14: every constant of the through-the-cycle tail is fitted by `npm run calibrate:risk -- --to
 * <cutoff>` on data before the cutoff, and the defaults are exactly its output: re-run it at the cutoff the
 * generated file names and compare.
 */
describe.skipIf(!HAS_REAL_DATA)('calibrate:risk: the defaults are its output', () => {
  it(`the default lending profile's through-the-cycle constants and records equal calibrate:risk -- --to ${THROUGH_THE_CYCLE_TAIL.cutoff}`, () => {
    const config = buildConfig();
    const profile = config.profiles.find((p): p is LendingProfile => p.kind === 'lending')!;
    expect(profile.throughTheCycleTail).toEqual(THROUGH_THE_CYCLE_TAIL);
    const cutoffMs = Date.parse(`${THROUGH_THE_CYCLE_TAIL.cutoff}T00:00:00Z`);
    const result = calibrateRisk(loadCalibrationInputs(REAL_DATA_DIR), cutoffMs, riskCalibrationSettings(profile, config.policy));
    expect(result.tail).toEqual(THROUGH_THE_CYCLE_TAIL);
    for (const [symbol, record] of Object.entries(TAIL_HISTORY_RECORDS)) expect(result.records[symbol]).toEqual(record);
    // Nothing at or after the cutoff was read.
    for (const record of Object.values(result.records)) expect(record.lastOpenMs!).toBeLessThan(cutoffMs);
  });

  it(`issue 15: the default perp profile's constants and 5-minute records equal calibrate:risk -- --to ${PERP_THROUGH_THE_CYCLE_TAIL.cutoff}`, () => {
    const config = buildConfig();
    const profile = config.profiles.find((p): p is PerpProfile => p.kind === 'perp')!;
    expect(profile.throughTheCycleTail).toEqual(PERP_THROUGH_THE_CYCLE_TAIL);
    const cutoffMs = Date.parse(`${PERP_THROUGH_THE_CYCLE_TAIL.cutoff}T00:00:00Z`);
    const result = calibrateRisk(loadPerpCalibrationInputs(REAL_DATA_DIR, profile), cutoffMs, perpRiskCalibrationSettings(profile, config.policy));
    expect(result.tail).toEqual(PERP_THROUGH_THE_CYCLE_TAIL);
    for (const [symbol, record] of Object.entries(PERP_TAIL_HISTORY_RECORDS)) expect(result.records[symbol]).toEqual(record);
    for (const record of Object.values(result.records)) expect(record.lastOpenMs!).toBeLessThan(cutoffMs);
  });
});
