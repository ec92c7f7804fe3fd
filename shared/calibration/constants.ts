import type { AssetConfig } from '../config/schema.js';
import { BOOK_DEPTH_EXPONENT } from '../market/simulator.js';
import { MS_PER_DAY } from '../util/time.js';

/**
 * The simulator calibration's constants: each one is a methodological choice, and docs/calibration.md
 * (generated from them) repeats them.
 */

/** An asset to calibrate: the universe entry of shared/config/universe.ts. */
export interface AssetSpec {
  symbol: string;
  name: string;
  venuePairs: AssetConfig['venuePairs'];
}

export const HOURS_PER_YEAR = 8760;
/** The simulator draws one Student-t innovation per 5-minute step: 12 per hourly bar. */
export const SIM_STEPS_PER_HOUR = 12;
export const SIM_STEPS_PER_YEAR = 365 * 288;

/** Rolling realized volatility: 30-day windows, one every day, inside gap-free segments. */
export const RV_WINDOW_BARS = 30 * 24;
export const RV_STRIDE_BARS = 24;

/** Local volatility for standardizing returns: EWMA with a one-day half-life (close to the simulator's ~29 h GARCH). */
export const EWMA_HALF_LIFE_BARS = 24;
export const EWMA_SEED_BARS = 24;
/** An hourly move beyond this many local sigmas is a jump (and is left out of the kurtosis). */
export const JUMP_THRESHOLD_SIGMAS = 6;
/** Pseudo-counts per side shrinking the jump down-share toward 1/2 (few jumps per asset). */
export const JUMP_SHARE_PRIOR = 5;
export const TAIL_DOF_RANGE = [2.5, 30] as const;

/** Validation: the drawdown figures of the methodology (4 h window, window-open reference). */
export const DRAWDOWN_WINDOW_BARS = 4;
export const CONFIDENCES = [0.99, 0.999] as const;
export const SIM_SEED = 42;
export const SIM_ORIGIN_MS = Date.UTC(2024, 0, 1);
export const SIM_YEARS = 3;
export const SIM_END_MS = SIM_ORIGIN_MS + SIM_YEARS * 365 * MS_PER_DAY;
/** Other seeds run on the final parameters, to show how much of the fit is seed luck. */
export const ROBUSTNESS_SEEDS = [1, 2, 3, 4];
/** Acceptance: simulated q99 / q99.9 within 15 % of the real ones; the fit aims tighter to leave room for rounding. */
export const ACCEPT_RELATIVE_ERROR = 0.15;
export const FIT_RELATIVE_ERROR = 0.05;
export const MAX_FIT_ITERATIONS = 14;
export const JUMPS_PER_YEAR_RANGE = [1, 365] as const;
export const JUMP_SIZE_RANGE = [0.005, 0.4] as const;

/** Depth within 2 % of mid; truncated books are extrapolated with the simulator's own book shape law. */
export const DEPTH_BAND = 0.02;
/** The simulator's book shape law, used to extrapolate truncated books. */
export const SIM_BOOK_DEPTH_EXPONENT = BOOK_DEPTH_EXPONENT;
/** Binance volume around a snapshot (to normalize its depth) and at the end of the file (to scale it to now). */
export const SNAPSHOT_VOLUME_HALF_WINDOW_MS = 15 * MS_PER_DAY;
export const RECENT_VOLUME_WINDOW_MS = 90 * MS_PER_DAY;
export const MIN_VOLUME_BARS = 72;
/**
 * The deepest observed book (Bitstamp, OKX, Binance.US: second-tier spot venues) is taken to hold the share of
 * the simulator's smallest venue (kraken, 0.2 of the total), so the three-venue total is 1 / 0.2 = 5 of them.
 */
export const SMALLEST_SIM_VENUE_SHARE = 0.2;

/** Stress episodes worth knowing whether a file covers (UTC hours). */
export const STRESS_EPISODES = [
  { name: 'COVID 2020-03-12', fromMs: Date.UTC(2020, 2, 12), toMs: Date.UTC(2020, 2, 14) },
  { name: 'LUNA 2022-05-09', fromMs: Date.UTC(2022, 4, 9), toMs: Date.UTC(2022, 4, 13) },
  { name: 'FTX 2022-11-08', fromMs: Date.UTC(2022, 10, 8), toMs: Date.UTC(2022, 10, 11) },
];
