import { SeededRandom } from '../shared/numerics/rng.js';
import { fitGarch, type GarchFit } from '../shared/risk/garch-fit.js';
import { garchLogLikelihood } from '../shared/risk/garch-likelihood.js';
import { fitGarchOrEwma } from '../shared/risk/garch.js';

/**
 * `npx tsx bench/garch.ts`: timings of the GARCH(1,1)-t fit on one year of hourly returns (8,760).
 * Prints the median wall time over many runs after a warm-up, and the mean CPU time (less sensitive to
 * other processes on a busy machine). Figures, not pass/fail.
 */

const BARS = 8760;
const RUNS = 400;
const WARM_UP = 100;
const ASSETS = 500;
/** Daily recompute: the next fit sees the window moved by one day of hourly bars. */
const SHIFT_BARS = 24;

function simulateGarch(n: number, seed: number, omega = 1e-6, alpha = 0.08, beta = 0.9, nu = 5): Float64Array {
  const rng = new SeededRandom(seed);
  const out = new Float64Array(n);
  let s2 = omega / (1 - alpha - beta);
  const burnIn = 1000;
  for (let i = 0; i < burnIn + n; i++) {
    const r = Math.sqrt(s2) * rng.standardizedStudentT(nu);
    if (i >= burnIn) out[i - burnIn] = r;
    s2 = omega + alpha * r * r + beta * s2;
  }
  return out;
}

function measure(label: string, fn: () => void, runs = RUNS): void {
  for (let i = 0; i < WARM_UP; i++) fn();
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpuStart);
  times.sort((a, b) => a - b);
  const median = times[runs >> 1]!;
  const p10 = times[Math.floor(runs * 0.1)]!;
  const p90 = times[Math.floor(runs * 0.9)]!;
  const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
  console.log(
    `  ${label.padEnd(52)} median ${median.toFixed(3)} ms  (p10 ${p10.toFixed(3)}, p90 ${p90.toFixed(3)}; cpu ${cpuMs.toFixed(3)} ms/run)`,
  );
}

const returns = simulateGarch(BARS + SHIFT_BARS, 1);
const window = returns.subarray(0, BARS);
const nextWindow = returns.subarray(SHIFT_BARS, SHIFT_BARS + BARS);
const cold = fitGarch(window);
const warmShifted = fitGarch(nextWindow, { start: cold });
const gradient = new Float64Array(3);

console.log(`GARCH(1,1)-t on ${BARS} returns (alpha 0.08, beta 0.90, nu 5 simulated)`);
console.log(
  `  cold fit: ${cold.evaluations} evaluations, ${cold.iterations} iterations; warm (window +${SHIFT_BARS} bars): ${warmShifted.evaluations} evaluations`,
);
measure('one likelihood + gradient evaluation', () => garchLogLikelihood(window, cold, gradient));
measure('cold fit (default start), with residuals', () => fitGarch(window));
measure('cold fit, no residuals', () => fitGarch(window, { includeResiduals: false }));
measure(`warm fit (previous fit, window +${SHIFT_BARS} bars), with residuals`, () => fitGarch(nextWindow, { start: cold }));
measure(`warm fit (previous fit, window +${SHIFT_BARS} bars), no residuals`, () =>
  fitGarch(nextWindow, { start: cold, includeResiduals: false }),
);
measure('fitGarchOrEwma, cold (fit + clustering test)', () => fitGarchOrEwma(window, { ewmaHalfLifeBars: 269 }));

// A product-like batch: 500 different assets, cold then warm one day later.
const assets = Array.from({ length: ASSETS }, (_, i) => simulateGarch(BARS + SHIFT_BARS, 100 + i, 1e-6, 0.04 + (i % 10) * 0.01, 0.85, 4 + (i % 5)));
const previous: GarchFit[] = [];
let t0 = performance.now();
for (const a of assets) previous.push(fitGarch(a.subarray(0, BARS)));
const coldBatchMs = performance.now() - t0;
t0 = performance.now();
let evaluations = 0;
for (let i = 0; i < ASSETS; i++) evaluations += fitGarch(assets[i]!.subarray(SHIFT_BARS), { start: previous[i]! }).evaluations;
const warmBatchMs = performance.now() - t0;
const coldEvaluations = previous.reduce((sum, f) => sum + f.evaluations, 0);
const unconverged = previous.filter((f) => !f.converged).length;
console.log(`\n${ASSETS} assets x ${BARS} returns (one pass each, JIT warm)`);
console.log(`  cold: ${coldBatchMs.toFixed(0)} ms total (${(coldBatchMs / ASSETS).toFixed(3)} ms/asset, ${(coldEvaluations / ASSETS).toFixed(1)} evaluations/asset, ${unconverged} unconverged)`);
console.log(`  warm: ${warmBatchMs.toFixed(0)} ms total (${(warmBatchMs / ASSETS).toFixed(3)} ms/asset, ${(evaluations / ASSETS).toFixed(1)} evaluations/asset)`);
