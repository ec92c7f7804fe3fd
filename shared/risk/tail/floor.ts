import { INTERVAL_MS, type Policy, type ProtocolProfile } from '../../config/schema.js';
import { TAIL_HISTORY_RECORDS } from '../../config/tail-calibration.generated.js';
import { MS_PER_MINUTE } from '../../util/time.js';
import type { CandleLike } from '../series.js';
import { emptyTailHistory, extendTailHistory, type TailHistory } from './history.js';
import { calibrationFits, throughTheCycleTail, type ThroughTheCycleFigures } from './ttc.js';

/**
 * The floor under the filtered tail (issue 14). A lending profile with a through-the-cycle calibration that
 * fits its shape gets the TTC floor (ttc.ts) from the asset's whole history: the caller's record when it
 * passes one (the walk-forward: every bar before the step), else the record on file at the calibration's
 * cutoff (config/tail-calibration.generated.ts) extended with the candles given (the live engine, which fetches only
 * its lookback), else the candles alone. Any other profile keeps the unconditional floor: share x the
 * trailing unconditional tail (profile.unconditionalFloorShare ?? policy.unconditionalFloorShare).
 */

export interface TailFloor {
  kind: 'through-the-cycle' | 'unconditional-share';
  adverseMove: number;
  ordinaryMove: number;
  expectedShortfall: number;
  throughTheCycle: ThroughTheCycleFigures | null;
}

export interface TailFloorInput {
  asset: string;
  profile: ProtocolProfile;
  policy: Policy;
  candles: readonly CandleLike[];
  /** The trailing unconditional figures (a total loss standing in where there was no window). */
  unconditional: { adverseMove: number; ordinaryMove: number; expectedShortfall: number };
  history?: TailHistory;
}

export function tailFloor(input: TailFloorInput): TailFloor {
  const { profile, policy, unconditional } = input;
  const calibration = profile.kind === 'lending' ? profile.throughTheCycleTail : undefined;
  if (profile.kind === 'lending' && calibration) {
    const intervalMs = INTERVAL_MS[profile.candleInterval];
    const shape = { intervalMs, horizonBars: (profile.horizonMinutes * MS_PER_MINUTE) / intervalMs, confidence: profile.confidence, ordinaryConfidence: profile.ltvConfidence };
    if (calibrationFits(calibration, shape)) {
      const history = input.history ?? historyOnFile(input.asset, intervalMs, calibration.blockBars, input.candles);
      const ttc = throughTheCycleTail(history, calibration);
      if (ttc) return { kind: 'through-the-cycle', adverseMove: ttc.adverseMove, ordinaryMove: ttc.ordinaryMove, expectedShortfall: ttc.expectedShortfall, throughTheCycle: ttc };
    }
  }
  const share = profile.unconditionalFloorShare ?? policy.unconditionalFloorShare;
  return {
    kind: 'unconditional-share',
    adverseMove: share * unconditional.adverseMove,
    ordinaryMove: share * unconditional.ordinaryMove,
    expectedShortfall: share * unconditional.expectedShortfall,
    throughTheCycle: null,
  };
}

/** The asset's record on file (when it fits the bars) extended with the candles, or the candles alone. */
export function historyOnFile(asset: string, intervalMs: number, blockBars: number, candles: readonly CandleLike[]): TailHistory {
  const record = TAIL_HISTORY_RECORDS[asset];
  const start = record && record.intervalMs === intervalMs && record.blockBars === blockBars ? record : emptyTailHistory(intervalMs, blockBars);
  return extendTailHistory(start, candles);
}
