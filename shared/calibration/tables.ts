import type { SimulatorCalibration } from '../config/schema.js';
import { barCount } from '../risk/series.js';
import type { BookObservation } from './books.js';
import {
  DEPTH_BAND,
  EWMA_HALF_LIFE_BARS,
  HOURS_PER_YEAR,
  JUMP_SHARE_PRIOR,
  JUMP_THRESHOLD_SIGMAS,
  ROBUSTNESS_SEEDS,
  SIM_SEED,
  SIM_STEPS_PER_YEAR,
  SIM_YEARS,
  SMALLEST_SIM_VENUE_SHARE,
  STRESS_EPISODES,
  TAIL_DOF_RANGE,
} from './constants.js';
import { passes, relativeError, type AssetResult } from './fit.js';
import { isoDate, pct, pctRange, signedPct, usd } from './format.js';
import { coveredEpisodes, dateRange } from './history.js';

/** The report's tables (header + rows of cells), shared by the terminal output and docs/calibration.md. */

export const VALIDATION_HEADER = ['asset', 'vol real', 'vol sim', 'q99 real', 'q99 sim', 'err', 'q99.9 real', 'q99.9 sim', 'err', 'ok'];

export function validationRows(results: readonly AssetResult[]): string[][] {
  return results.map((r) => [
    r.spec.symbol,
    pct(r.real.realizedVol30d, 0),
    pct(r.sim.realizedVol30d, 0),
    pct(r.real.q99),
    pct(r.sim.q99),
    signedPct(relativeError(r.sim.q99, r.real.q99)),
    pct(r.real.q999),
    pct(r.sim.q999),
    signedPct(relativeError(r.sim.q999, r.real.q999)),
    passes(r) ? 'yes' : 'NO',
  ]);
}

export const PARAMETER_HEADER = ['asset', 'start $', 'sigma', 'nu', 'jumps/yr', 'jump size', 'down', 'depth 2%', 'spread bps'];

export function parameterRows(results: readonly AssetResult[]): string[][] {
  return results.map(({ spec, calibration: c }) => [
    spec.symbol,
    String(c.startPriceUsd),
    c.annualVolatility.toFixed(3),
    c.tailDegreesOfFreedom.toFixed(2),
    c.jumpsPerYear.toFixed(1),
    pct(c.jumpMeanAbsLogReturn, 2),
    c.jumpDownShare.toFixed(2),
    usd(c.depth2PctUsd),
    c.spreadBps.toFixed(2),
  ]);
}

export const ESTIMATE_HEADER = ['asset', 'hourly exc. kurt', 'jumps seen', 'jumps/yr (data)', 'jump |r| (data)', 'jumps/yr (fit)', 'jump size (fit)', 'fit runs'];

export function estimateRows(results: readonly AssetResult[]): string[][] {
  return results.map((r) => [
    r.spec.symbol,
    r.estimates.hourlyExcessKurtosis.toFixed(2),
    String(r.estimates.jumpCount),
    r.estimates.jumpsPerYear.toFixed(1),
    pct(r.estimates.jumpMeanAbsLogReturn, 2),
    r.calibration.jumpsPerYear.toFixed(1),
    pct(r.calibration.jumpMeanAbsLogReturn, 2),
    String(r.fitIterations),
  ]);
}

export const ROBUSTNESS_HEADER = ['asset', 'q99 real', `q99 sim, seeds ${ROBUSTNESS_SEEDS.join(',')}`, 'q99.9 real', 'q99.9 sim, same seeds', 'vol sim, same seeds'];

export function robustnessRows(results: readonly AssetResult[]): string[][] {
  return results.map((r) => [
    r.spec.symbol,
    pct(r.real.q99),
    pctRange(r.robustness.map((t) => t.q99)),
    pct(r.real.q999),
    pctRange(r.robustness.map((t) => t.q999)),
    pctRange(r.robustness.map((t) => t.realizedVol30d), 0),
  ]);
}

/** A jump of the mean size, in 5-minute sigmas of the diffusive part (jumps no longer feed the variance). */
function jumpInStepSigmas(c: SimulatorCalibration): number {
  const stepSigma = c.annualVolatility / Math.sqrt(SIM_STEPS_PER_YEAR);
  return c.jumpMeanAbsLogReturn / stepSigma;
}

export const DIAGNOSTIC_HEADER = ['asset', '30d vol p10..p90 real', '30d vol p10..p90 sim', 'wick uplift q99.9 real', 'wick uplift sim', 'mean jump in 5-min sigmas'];

export function diagnosticRows(results: readonly AssetResult[]): string[][] {
  return results.map((r) => [
    r.spec.symbol,
    `${pct(r.real.realizedVol30dP10, 0)}..${pct(r.real.realizedVol30dP90, 0)}`,
    `${pct(r.sim.realizedVol30dP10, 0)}..${pct(r.sim.realizedVol30dP90, 0)}`,
    signedPct(r.real.wickUplift999),
    signedPct(r.sim.wickUplift999),
    `${jumpInStepSigmas(r.calibration).toFixed(0)} sigma`,
  ]);
}

export const LIQUIDITY_HEADER = ['asset', 'Binance $/h (90d)', 'depth / $/h', 'depth 2% (3 venues)', 'spread bps', 'source'];

export function liquidityRows(results: readonly AssetResult[]): string[][] {
  return results.map(({ spec, liquidity: l }) => [
    spec.symbol,
    usd(l.recentHourlyUsdVolume),
    `${l.depthHoursOfVolume.toFixed(3)} h`,
    usd(l.depth2PctUsd),
    l.spreadBps.toFixed(2),
    l.source,
  ]);
}

export const BOOK_HEADER = ['book', 'use', 'recorded', 'spread bps', 'bid depth 2%', 'reaches', 'Binance $/h then', 'depth / $/h'];

export function bookRows(books: readonly BookObservation[]): string[][] {
  return books.map((b) => [
    `${b.exchange} ${b.pair}`,
    b.kind === 'spot' ? 'estimate' : 'cross-check',
    isoDate(b.recordedMs),
    b.spreadBps.toFixed(2),
    `${usd(b.bidDepth2PctUsd)}${b.reachFraction < DEPTH_BAND ? ' (extrapolated)' : ''}`,
    pct(b.reachFraction),
    usd(b.binanceHourlyUsdVolume),
    `${(b.bidDepth2PctUsd / b.binanceHourlyUsdVolume).toFixed(3)} h`,
  ]);
}

export const FILE_HEADER = ['file', 'range (bar open, UTC)', 'bars used', 'segments', 'stress episodes covered', 'dropped bad prints', 'q99.9 with them'];

export function fileRows(results: readonly AssetResult[]): string[][] {
  return results.map(({ history: h }) => [
    h.file,
    dateRange(h),
    String(barCount(h.segments)),
    String(h.segments.length),
    coveredEpisodes(h).join(', ') || '-',
    h.droppedBadPrints.map((b) => `${new Date(b.openTimeMs).toISOString().slice(0, 13)}Z (low ${b.low}, high ${b.high})`).join('; ') || '-',
    h.q999WithBadPrints === null ? '-' : pct(h.q999WithBadPrints),
  ]);
}

/** The method, one line per calibrated field (the generated file's comment and the doc's Method section). */
export const METHOD_LINES = [
  'startPriceUsd: last close of the hourly file (USDT counted as USD).',
  `annualVolatility: median of rolling 30-day realized vols (daily stride, inside gap-free segments, x sqrt(${HOURS_PER_YEAR})) of hourly log returns with the jump bars removed: the robust diffusive level.`,
  `tailDegreesOfFreedom: excess kurtosis of hourly returns standardized by a trailing EWMA vol (half-life ${EWMA_HALF_LIFE_BARS} h, jumps excluded), mapped to the 5-min innovations as nu = 4 + 6 / (12 x excess), clipped to [${TAIL_DOF_RANGE.join(', ')}].`,
  `jumpsPerYear, jumpMeanAbsLogReturn: started at the rate and mean |r| of hourly moves beyond ${JUMP_THRESHOLD_SIGMAS} EWMA sigmas, then tuned until the seed-${SIM_SEED} simulation (${SIM_YEARS} y of 1h bars) matches the real 4 h q99 and q99.9 worst drawdowns.`,
  `jumpDownShare: share of down moves among those jumps, shrunk toward 1/2 with ${JUMP_SHARE_PRIOR} pseudo-jumps per side.`,
  `depth2PctUsd: bid depth within 2 % of the deepest USD/USDT spot book of the asset, in hours of Binance volume at the snapshot, x median hourly Binance USD volume of the last 90 days, / ${SMALLEST_SIM_VENUE_SHARE} (that venue taken as the smallest simulated venue); assets without a book use the median ratio.`,
  'spreadBps: median quoted spread of those books x sqrt(Binance hourly USD volume then / last 90 days) (spread ~ 1 / sqrt(volume)); assets without a book use the median coefficient.',
];

/** Which assets' files miss each stress episode. */
export function missingEpisodes(results: readonly AssetResult[]): string {
  return STRESS_EPISODES.map((episode) => {
    const missing = results.filter((r) => !coveredEpisodes(r.history).includes(episode.name)).map((r) => r.spec.symbol);
    return `${episode.name} for ${missing.length > 0 ? missing.join(', ') : 'none'}`;
  }).join('; ');
}

/** The tables the calibrate script prints, each under its title (liquidity without its source column). */
export function terminalTables(results: readonly AssetResult[]): { title: string; header: readonly string[]; rows: string[][] }[] {
  return [
    {
      title: `Real vs simulated (seed ${SIM_SEED}, ${SIM_YEARS} y of 1h bars); vol = median 30-day realized vol, q = 4 h worst drawdown from the window open`,
      header: VALIDATION_HEADER,
      rows: validationRows(results),
    },
    { title: 'Fitted parameters', header: PARAMETER_HEADER, rows: parameterRows(results) },
    { title: 'Jump estimates (data) and fit', header: ESTIMATE_HEADER, rows: estimateRows(results) },
    { title: `Other seeds (${ROBUSTNESS_SEEDS.join(', ')})`, header: ROBUSTNESS_HEADER, rows: robustnessRows(results) },
    { title: 'Diagnostics', header: DIAGNOSTIC_HEADER, rows: diagnosticRows(results) },
    { title: 'Liquidity', header: LIQUIDITY_HEADER.slice(0, -1), rows: liquidityRows(results).map((r) => r.slice(0, -1)) },
  ];
}
