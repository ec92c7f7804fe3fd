import type { PriceSeries } from '../risk/series.js';
import { clamp, quantileSorted } from '../numerics/statistics.js';
import {
  EWMA_HALF_LIFE_BARS,
  EWMA_SEED_BARS,
  HOURS_PER_YEAR,
  JUMP_SHARE_PRIOR,
  JUMP_THRESHOLD_SIGMAS,
  SIM_STEPS_PER_HOUR,
  TAIL_DOF_RANGE,
} from './constants.js';
import { excessKurtosis, mean } from './moments.js';
import { returnSegmentsOf, rollingRealizedVols } from './tails.js';

/** Return statistics behind the simulator's volatility, tail and jump parameters. */

interface StandardizedReturns {
  /** r_t / sigma_t for the non-jump bars after the EWMA burn-in. */
  z: number[];
  jumpLogReturns: number[];
  /** Every segment's returns with the jump bars removed (the "diffusive" returns). */
  diffusiveSegments: Float64Array[];
  /** Hours of returns examined for jumps (the exposure behind jumpsPerYear). */
  examinedHours: number;
}

/**
 * Standardizes each return by a trailing EWMA volatility (known before the bar), so that volatility
 * clustering is not mistaken for tail weight. The EWMA is fed winsorized returns (at the jump threshold):
 * one jump must not inflate sigma enough to hide the next one.
 */
export function standardizeReturns(returnSegments: readonly Float64Array[]): StandardizedReturns {
  const lambda = Math.pow(0.5, 1 / EWMA_HALF_LIFE_BARS);
  const z: number[] = [];
  const jumpLogReturns: number[] = [];
  const diffusiveSegments: Float64Array[] = [];
  let examinedHours = 0;
  for (const r of returnSegments) {
    if (r.length <= 2 * EWMA_SEED_BARS) {
      diffusiveSegments.push(r);
      continue;
    }
    let variance = 0;
    for (let i = 0; i < EWMA_SEED_BARS; i++) variance += r[i]! * r[i]!;
    variance /= EWMA_SEED_BARS;
    const diffusive: number[] = Array.from(r.subarray(0, EWMA_SEED_BARS));
    for (let i = EWMA_SEED_BARS; i < r.length; i++) {
      const score = r[i]! / Math.sqrt(variance);
      if (Math.abs(score) > JUMP_THRESHOLD_SIGMAS) jumpLogReturns.push(r[i]!);
      else {
        z.push(score);
        diffusive.push(r[i]!);
      }
      const cap = JUMP_THRESHOLD_SIGMAS ** 2 * variance;
      variance = lambda * variance + (1 - lambda) * Math.min(r[i]! * r[i]!, cap);
    }
    examinedHours += r.length - EWMA_SEED_BARS;
    diffusiveSegments.push(Float64Array.from(diffusive));
  }
  return { z, jumpLogReturns, diffusiveSegments, examinedHours };
}

/**
 * Student-t degrees of freedom of the simulator's 5-minute innovations from the hourly excess kurtosis:
 * a standardized t has excess kurtosis 6 / (nu - 4), and a sum of 12 i.i.d. draws has 1/12 of its summands'
 * (volatility barely moves within an hour), so nu = 4 + 6 / (12 * hourly excess).
 */
export function tailDofFromHourlyKurtosis(hourlyExcessKurtosis: number): number {
  if (!(hourlyExcessKurtosis > 0)) return TAIL_DOF_RANGE[1];
  return clamp(4 + 6 / (SIM_STEPS_PER_HOUR * hourlyExcessKurtosis), ...TAIL_DOF_RANGE);
}

export interface ReturnEstimates {
  /** Median 30-day realized vol of the returns without the jump bars: the diffusive level. */
  diffusiveVol: number;
  hourlyExcessKurtosis: number;
  tailDegreesOfFreedom: number;
  jumpCount: number;
  jumpsPerYear: number;
  jumpMeanAbsLogReturn: number;
  jumpDownShare: number;
}

export function estimateReturns(segments: readonly PriceSeries[]): ReturnEstimates {
  const standardized = standardizeReturns(returnSegmentsOf(segments));
  const jumps = standardized.jumpLogReturns;
  const kurtosis = excessKurtosis(standardized.z);
  const downJumps = jumps.filter((r) => r < 0).length;
  return {
    diffusiveVol: quantileSorted(rollingRealizedVols(standardized.diffusiveSegments), 0.5),
    hourlyExcessKurtosis: kurtosis,
    tailDegreesOfFreedom: tailDofFromHourlyKurtosis(kurtosis),
    jumpCount: jumps.length,
    jumpsPerYear: jumps.length / (standardized.examinedHours / HOURS_PER_YEAR),
    jumpMeanAbsLogReturn: jumps.length > 0 ? mean(jumps.map(Math.abs)) : 0,
    jumpDownShare: (downJumps + JUMP_SHARE_PRIOR) / (jumps.length + 2 * JUMP_SHARE_PRIOR),
  };
}
