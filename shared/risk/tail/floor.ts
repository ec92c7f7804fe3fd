import { INTERVAL_MS, type Policy, type ProtocolProfile } from '../../config/schema.js';
import { PERP_TAIL_HISTORY_RECORDS } from '../../config/perp-tail-calibration.generated.js';
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
 *
 * A perp profile with a fitting calibration (issue 15) gets the same TTC figures from its own bars (5-minute
 * records, config/perp-tail-calibration.generated.ts), and its adverse move is floored by the TTC expected
 * shortfall, not the alpha quantile: the margin must hold in the stressed regime, where the moves beyond the
 * quantile are the ones a calm-regime quantile misses (the stressed expected shortfall of the Basel FRTB,
 * at 97.5 %, which replaced a 99 % VaR; profile.stressedShortfallConfidence), and never below the
 * unconditional floor it had before (share x the trailing month's tail). docs/methodology.md#perps.
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
  const calibration = profile.throughTheCycleTail;
  if (calibration) {
    const intervalMs = INTERVAL_MS[profile.candleInterval];
    const ordinaryConfidence = profile.kind === 'lending' ? profile.ltvConfidence : calibration.ordinaryConfidence;
    const shape = { intervalMs, horizonBars: (profile.horizonMinutes * MS_PER_MINUTE) / intervalMs, confidence: profile.confidence, ordinaryConfidence };
    // A perp floor reads the expected shortfall at the profile's stressed confidence: only a calibration fitted at it.
    const shortfallFits = profile.kind === 'lending' || calibration.expectedShortfallConfidence === profile.stressedShortfallConfidence;
    if (calibrationFits(calibration, shape) && shortfallFits) {
      const records = profile.kind === 'lending' ? TAIL_HISTORY_RECORDS : PERP_TAIL_HISTORY_RECORDS;
      const history = input.history ?? historyOnFile(input.asset, intervalMs, calibration.blockBars, input.candles, records);
      const ttc = throughTheCycleTail(history, calibration);
      if (ttc && profile.kind === 'lending') {
        return { kind: 'through-the-cycle', adverseMove: ttc.adverseMove, ordinaryMove: ttc.ordinaryMove, expectedShortfall: ttc.expectedShortfall, throughTheCycle: ttc };
      }
      if (ttc) {
        // A perp keeps the trailing month's floor beside it: the margin holds in past stress and in the recent tail.
        const share = profile.unconditionalFloorShare ?? policy.unconditionalFloorShare;
        return {
          kind: 'through-the-cycle',
          adverseMove: Math.max(ttc.expectedShortfall, share * unconditional.adverseMove),
          ordinaryMove: ttc.ordinaryMove,
          expectedShortfall: Math.max(ttc.expectedShortfall, share * unconditional.expectedShortfall),
          throughTheCycle: ttc,
        };
      }
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
export function historyOnFile(asset: string, intervalMs: number, blockBars: number, candles: readonly CandleLike[], records: Record<string, TailHistory> = TAIL_HISTORY_RECORDS): TailHistory {
  const record = records[asset];
  const start = record && record.intervalMs === intervalMs && record.blockBars === blockBars ? record : emptyTailHistory(intervalMs, blockBars);
  return extendTailHistory(start, candles);
}
