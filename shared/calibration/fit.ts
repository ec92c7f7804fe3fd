import { simulatorCalibrationSchema, type AssetConfig, type SimulatorCalibration } from '../config/schema.js';
import { SimulatedMarket } from '../market/simulator.js';
import { splitAtGaps } from '../risk/series.js';
import { clamp } from '../numerics/statistics.js';
import { MS_PER_HOUR } from '../util/time.js';
import {
  ACCEPT_RELATIVE_ERROR,
  FIT_RELATIVE_ERROR,
  JUMP_SIZE_RANGE,
  JUMPS_PER_YEAR_RANGE,
  MAX_FIT_ITERATIONS,
  ROBUSTNESS_SEEDS,
  SIM_END_MS,
  SIM_ORIGIN_MS,
  SIM_SEED,
  type AssetSpec,
} from './constants.js';
import { significant } from './format.js';
import type { HourlyHistory } from './history.js';
import type { LiquidityEstimate } from './liquidity.js';
import { estimateReturns, type ReturnEstimates } from './returns.js';
import { tailFigures, type TailFigures } from './tails.js';

/** Runs the simulator as the advisor does and tunes the jump parameters to the real tails. */

function assetConfig(spec: AssetSpec, simulator: SimulatorCalibration): AssetConfig {
  return { symbol: spec.symbol, name: spec.name, venuePairs: spec.venuePairs, simulator, frozen: false };
}

/** Tail figures of the simulator's binance 1h bars over the validation span, for one seed. */
export function simulatedTail(spec: AssetSpec, simulator: SimulatorCalibration, seed: number): TailFigures {
  const market = new SimulatedMarket({ seed, originMs: SIM_ORIGIN_MS });
  const candles = market.candlesSync({
    asset: assetConfig(spec, simulator),
    venue: 'binance',
    interval: '1h',
    startMs: SIM_ORIGIN_MS,
    endMs: SIM_END_MS,
  });
  return tailFigures(splitAtGaps(candles, MS_PER_HOUR));
}

export function relativeError(simulated: number, real: number): number {
  return simulated / real - 1;
}

function worstTailError(sim: TailFigures, real: TailFigures): number {
  return Math.max(Math.abs(Math.log(sim.q99 / real.q99)), Math.abs(Math.log(sim.q999 / real.q999)));
}

/**
 * Rough log-log sensitivities of (q99, q99.9) to (jumpsPerYear, jumpMeanAbsLogReturn), read off a grid of
 * simulator runs: more jumps mostly lift q99 (each one also spikes the GARCH variance for a day or two),
 * bigger jumps mostly lift q99.9. Only the direction and rough size matter: the loop keeps the best point.
 */
const SENSITIVITY = { q99: { rate: 0.3, size: 0.5 }, q999: { rate: 0.15, size: 0.8 } };
const MAX_LOG_STEP = 0.7;
const STEP_DAMPING = 0.8;

interface FitResult {
  calibration: SimulatorCalibration;
  sim: TailFigures;
  iterations: number;
}

/**
 * Tunes jumpsPerYear and jumpMeanAbsLogReturn (volatility, tail dof and down-share stay at their data
 * estimates) until the seed-42 simulation matches the real q99 and q99.9: damped Newton steps in log space
 * with the fixed sensitivities above. The simulator is noisy in the jump rate (it changes which steps jump),
 * so the best point seen is kept rather than the last one.
 */
export function fitJumps(spec: AssetSpec, start: SimulatorCalibration, real: TailFigures): FitResult {
  let current = start;
  let best: FitResult | null = null;
  for (let iteration = 1; iteration <= MAX_FIT_ITERATIONS; iteration++) {
    const sim = simulatedTail(spec, current, SIM_SEED);
    if (!best || worstTailError(sim, real) < worstTailError(best.sim, real)) best = { calibration: current, sim, iterations: iteration };
    if (worstTailError(sim, real) < Math.log(1 + FIT_RELATIVE_ERROR)) break;
    const e99 = Math.log(real.q99 / sim.q99);
    const e999 = Math.log(real.q999 / sim.q999);
    const { q99, q999 } = SENSITIVITY;
    const det = q99.rate * q999.size - q99.size * q999.rate;
    const step = (x: number) => clamp(STEP_DAMPING * x, -MAX_LOG_STEP, MAX_LOG_STEP);
    const dLogRate = step((q999.size * e99 - q99.size * e999) / det);
    const dLogSize = step((q99.rate * e999 - q999.rate * e99) / det);
    current = {
      ...current,
      jumpsPerYear: clamp(current.jumpsPerYear * Math.exp(dLogRate), ...JUMPS_PER_YEAR_RANGE),
      jumpMeanAbsLogReturn: clamp(current.jumpMeanAbsLogReturn * Math.exp(dLogSize), ...JUMP_SIZE_RANGE),
    };
  }
  return best!;
}

/** Rounds to 4 significant digits (the start price stays the exact last close). */
export function rounded(c: SimulatorCalibration): SimulatorCalibration {
  return simulatorCalibrationSchema.parse({
    startPriceUsd: c.startPriceUsd,
    annualVolatility: significant(c.annualVolatility),
    tailDegreesOfFreedom: significant(c.tailDegreesOfFreedom),
    jumpsPerYear: significant(c.jumpsPerYear),
    jumpMeanAbsLogReturn: significant(c.jumpMeanAbsLogReturn),
    jumpDownShare: significant(c.jumpDownShare),
    depth2PctUsd: significant(c.depth2PctUsd),
    spreadBps: significant(c.spreadBps),
  });
}

/** Everything the calibration learned about one asset: data estimates, fit, validation. */
export interface AssetResult {
  spec: AssetSpec;
  history: HourlyHistory;
  estimates: ReturnEstimates;
  liquidity: LiquidityEstimate;
  real: TailFigures;
  sim: TailFigures;
  robustness: TailFigures[];
  fitIterations: number;
  calibration: SimulatorCalibration;
}

export function calibrateAsset(spec: AssetSpec, history: HourlyHistory, liquidity: LiquidityEstimate): AssetResult {
  const real = tailFigures(history.segments);
  const estimates = estimateReturns(history.segments);
  const start: SimulatorCalibration = {
    startPriceUsd: history.candles[history.candles.length - 1]!.close,
    annualVolatility: estimates.diffusiveVol,
    tailDegreesOfFreedom: estimates.tailDegreesOfFreedom,
    jumpsPerYear: clamp(estimates.jumpsPerYear, ...JUMPS_PER_YEAR_RANGE),
    jumpMeanAbsLogReturn: clamp(estimates.jumpMeanAbsLogReturn, ...JUMP_SIZE_RANGE),
    jumpDownShare: estimates.jumpDownShare,
    depth2PctUsd: liquidity.depth2PctUsd,
    spreadBps: liquidity.spreadBps,
  };
  const fit = fitJumps(spec, start, real);
  const calibration = rounded(fit.calibration);
  return {
    spec,
    history,
    estimates,
    liquidity,
    real,
    // Validation on the rounded figures actually written.
    sim: simulatedTail(spec, calibration, SIM_SEED),
    robustness: ROBUSTNESS_SEEDS.map((seed) => simulatedTail(spec, calibration, seed)),
    fitIterations: fit.iterations,
    calibration,
  };
}

/** Both simulated quantiles within ACCEPT_RELATIVE_ERROR of the real ones. */
export function passes(result: AssetResult): boolean {
  return (
    Math.abs(relativeError(result.sim.q99, result.real.q99)) <= ACCEPT_RELATIVE_ERROR &&
    Math.abs(relativeError(result.sim.q999, result.real.q999)) <= ACCEPT_RELATIVE_ERROR
  );
}
