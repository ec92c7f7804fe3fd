import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repairBadPrints } from '../backtest/badprints.js';
import { parseCandleCsv } from '../backtest/csv.js';
import { INTERVAL_MS, type LendingProfile, type PerpProfile, type Policy } from '../config/schema.js';
import { AdvisorError } from '../util/errors.js';
import { MS_PER_DAY, MS_PER_MINUTE } from '../util/time.js';
import type { RiskCalibrationInput, RiskCalibrationSettings } from './risk.js';

/**
 * What calibrate:risk reads: every Binance spot hourly file `<SYM>-USDT-1h.csv` of the data directory (the
 * perpetuals in perp/ are the same assets again and are left out), bad prints repaired as the backtest
 * does (shared/backtest/badprints.ts); and its settings, all from the lending profile and the policy.
 */

export const SPOT_HOURLY = /^([A-Z0-9]+)-USDT-1h\.csv$/;

export class CalibrationDataError extends AdvisorError {
  constructor(reason: string, dataDir: string) {
    super('CALIBRATION_DATA_MISSING', reason, { dataDir });
  }
}

export function loadCalibrationInputs(dataDir: string): RiskCalibrationInput[] {
  return loadCandleFiles(dataDir, SPOT_HOURLY, '<SYM>-USDT-1h.csv');
}

/**
 * Every file of `dataDir` whose name matches `pattern` (its first group is the symbol), sorted by name,
 * bad prints repaired; refused when the directory or every such file is missing (`expected` names them).
 */
export function loadCandleFiles(dataDir: string, pattern: RegExp, expected: string): RiskCalibrationInput[] {
  if (!existsSync(dataDir)) throw new CalibrationDataError(`data directory ${dataDir} does not exist`, dataDir);
  const files = readdirSync(dataDir).filter((f) => pattern.test(f)).sort();
  if (files.length === 0) throw new CalibrationDataError(`no ${expected} file in ${dataDir}`, dataDir);
  return files.map((file) => ({
    symbol: pattern.exec(file)![1]!,
    candles: repairBadPrints(parseCandleCsv(readFileSync(path.join(dataDir, file), 'utf8'), file)).candles,
  }));
}

/** The settings of the lending profile's tail: its bars, horizon and confidences; the policy's regime test. */
export function riskCalibrationSettings(profile: LendingProfile, policy: Policy): RiskCalibrationSettings {
  return tailCalibrationSettings(profile, policy, profile.ltvConfidence);
}

/** A profile's tail settings (lending or perp): its bars, horizon, confidence and look-back; the policy's regime test. */
export function tailCalibrationSettings(
  profile: Pick<LendingProfile | PerpProfile, 'candleInterval' | 'horizonMinutes' | 'confidence' | 'lookbackDays'>,
  policy: Policy,
  ordinaryConfidence: number,
): RiskCalibrationSettings {
  const intervalMs = INTERVAL_MS[profile.candleInterval];
  const barsPerDay = MS_PER_DAY / intervalMs;
  return {
    intervalMs,
    horizonBars: (profile.horizonMinutes * MS_PER_MINUTE) / intervalMs,
    confidence: profile.confidence,
    ordinaryConfidence,
    // Blocks of the batch-means error: the EWMA half-life, the memory the engine gives volatility.
    blockBars: Math.round(policy.ewmaHalfLifeDays * barsPerDay),
    ewmaHalfLifeBars: policy.ewmaHalfLifeDays * barsPerDay,
    ewmaSeedBars: policy.garch.ewmaSeedBars,
    longRunMs: profile.lookbackDays * MS_PER_DAY,
    stressedRegimeRatio: policy.stressedRegimeRatio,
  };
}
