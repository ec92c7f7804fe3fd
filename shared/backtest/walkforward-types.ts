import type { Policy, ProtocolProfile } from '../config/schema.js';
import type { ThroughTheCycleTail } from '../config/tail.js';
import type { BookSummary } from '../model/snapshot.js';
import type { StepStatus } from '../risk/guardrails.js';
import type { ComputedParameters, ParameterInputs } from '../risk/engine/types.js';
import type { CandleLike } from '../risk/series.js';
import type { StepBinds } from './binds.js';
import type { Coverage } from './coverage.js';
import type { HeldFixed } from './heldfixed.js';
import type { MonitorSimulation } from './monitor-sim.js';
import type { TimeScale } from './timescale.js';

/** The walk-forward's inputs and records (walkforward.ts runs it). */

export interface BacktestSeries {
  /** Report name, e.g. 'BTC', 'BTC-PERP', 'FTT-1D'. */
  id: string;
  /** Asset symbol the engine is asked about. */
  asset: string;
  /** Where the bars come from (file name). */
  source: string;
  /** Bar interval as read ('1h', '5m', '1d'). */
  barLabel: string;
  /** Bars on the engine's clock (see timescale.ts), ascending, gaps allowed. */
  candles: readonly CandleLike[];
  /** Engine clock to calendar time; identity when absent. */
  timeScale?: TimeScale;
}

export type Recommend = (inputs: ParameterInputs) => ComputedParameters;

export interface WalkForwardOptions {
  /** Profile on the engine's clock (daily bars: see timescale.ts dailyBarProfile). */
  profile: ProtocolProfile;
  policy: Policy;
  /** Liquidity used at every step (there are no historical books: a fixed shape, see liquidity.ts). */
  books: readonly BookSummary[];
  /** Calendar window of steps: from inclusive, to exclusive (epoch ms). */
  fromMs?: number;
  toMs?: number;
  /** Steps need at least this much trailing history, in engine days (default: the profile's minHistoryDays). */
  warmupDays?: number;
  /**
   * After this many calendar days without an evaluated step (a data gap), the steward state restarts at
   * the next target instead of walking from parameters set before the gap. Default 7.
   */
  restartAfterDays?: number;
  /**
   * Counterfactual emergency path (emergency.ts): a stress tightening the steward bounds cannot reach is
   * set in full by a vote this many calendar days after it is flagged. Default 1.
   */
  emergencyVoteDelayDays?: number;
  /** After the vote, the emergency path follows the target both ways for this many days. Default 14. */
  emergencyMandateDays?: number;
  /** The engine (default computeParameters); injectable for tests. */
  recommend?: Recommend;
  onProgress?: (progress: { done: number; total: number; atMs: number }) => void;
  /**
   * issue 14: the through-the-cycle calibration in force at each step, ascending by fromMs (calendar): the
   * latest with fromMs <= the step; before the first, the profile's fallback floor. Absent: the profile's own.
   */
  tailCalibrations?: readonly { fromMs: number; tail: ThroughTheCycleTail }[];
}

/** The tail and liquidity a step's recommendation was built on (lending and perp alike). */
interface StepTailInputs {
  /** D_alpha(h) the engine used = max(filtered, floor). */
  adverseMove: number;
  unconditionalMove: number;
  filteredMove: number;
  adverseMoveSource: 'filtered' | 'unconditional';
  regime: 'calm' | 'normal' | 'stressed';
  slippage: number;
  /** The volatility fit the step ended on (annualized), which the stress monitor updates bar by bar (monitor-sim.ts). */
  forecast: { alpha: number; beta: number; nextBarAnnualized: number; longRunAnnualized: number | null };
}

export interface LendingRecommendation extends StepTailInputs {
  kind: 'lending';
  bonusBps: number;
  target: { ltBps: number; ltvBps: number; buffer: number };
  applied: { ltBps: number; ltvBps: number; buffer: number; status: StepStatus | 'listed'; stress: boolean; needsVote: boolean };
  /** The counterfactual steward whose flagged stress tightenings are voted through (emergency.ts). */
  emergency: { ltBps: number; buffer: number; flagged: boolean; voted: boolean };
  naive: { adverseMove: number; ltBps: number; buffer: number };
  monteCarlo: NonNullable<ComputedParametersLending['monteCarlo']>;
}

export interface PerpRecommendation extends StepTailInputs {
  kind: 'perp';
  feeBuffer: number;
  target: { mmrBps: number; maxLeverage: number; buffer: number };
  applied: { mmrBps: number; maxLeverage: number; buffer: number; status: StepStatus | 'listed'; stress: boolean; needsVote: boolean };
  emergency: { mmrBps: number; buffer: number; flagged: boolean; voted: boolean };
  naive: { adverseMove: number; mmrBps: number; buffer: number };
  insuranceFundTargetUsd: number;
}

type ComputedParametersLending = Extract<ComputedParameters, { profileKind: 'lending' }>;

export interface StepOutcome {
  /** Complete h-windows opening during the step's day. */
  windows: number;
  /** Largest realized adverse move (long side) of those windows. */
  worstMove: number;
  breaches: { target: number; applied: number; emergency: number; naive: number };
  /** Perps only: the short side (up moves) against the target's buffer, for information. */
  worstRise?: number;
  shortBreaches?: number;
}

export interface StepRecord {
  /** Step time, calendar (UTC midnight). */
  atMs: number;
  /** Last close the engine saw. */
  price: number;
  status: 'ok' | 'unfit' | 'no-data';
  unfitReasons: string[];
  /** Everything decided at the step, from bars before it only. */
  recommendation: LendingRecommendation | PerpRecommendation;
  /** What happened next. */
  outcome: StepOutcome;
  /** The floors and clamps that bound this step's numbers (binds.ts); only the ones that bound. */
  binds: StepBinds;
}

export interface SeriesResult {
  id: string;
  asset: string;
  source: string;
  barLabel: string;
  profileId: string;
  profileKind: 'lending' | 'perp';
  /** Calendar horizon of a window, minutes (4 h lending; 1 day for daily bars; 5 min perps). */
  horizonMinutes: number;
  confidence: number;
  steps: StepRecord[];
  /** Days not evaluated: without a complete window (data gaps), or with too little trailing history. */
  skipped: { warmup: number; noWindows: number };
  coverage: { target: Coverage | null; applied: Coverage | null; emergency: Coverage | null; naive: Coverage | null; shortSide: Coverage | null };
  heldFixed: HeldFixed | null;
  /** The stress monitor simulated on every bar (monitor-sim.ts); absent on daily series. */
  monitor?: MonitorSimulation;
  /** Its emergency cuts, as enacted (issue 15). */
  emergencies?: MonitorSimulation['emergencies'];
}
