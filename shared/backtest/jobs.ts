import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { MonitorConfig } from '../config/monitor.js';
import { INTERVAL_MS, type Policy, type ProtocolProfile } from '../config/schema.js';
import type { BookSummary } from '../model/snapshot.js';
import type { CandleLike } from '../risk/series.js';
import { AdvisorError } from '../util/errors.js';
import { repairBadPrints, type BadPrintRepair } from './badprints.js';
import { parseCandleCsv } from './csv.js';
import { simulateMonitor } from './monitor-sim.js';
import type { SeriesPlan } from './plan.js';
import type { ScheduledCalibration } from './recalibration.js';
import { compressDailyBars, dailyBarPolicy, dailyBarProfile } from './timescale.js';
import { runWalkForward, type SeriesResult } from './walkforward.js';
import { toColumns } from './windows.js';

/**
 * The backtest's jobs (one series x profile each) and how they run: in a worker thread each (the module
 * is its own worker entry, workerMain) or in process, with progress lines. scripts/backtest.ts is the CLI.
 */

/** A series failed inside its worker: the file and the worker's stack. */
export class BacktestSeriesError extends AdvisorError {
  constructor(readonly file: string, reason: string) {
    super('BACKTEST_SERIES_FAILED', `${file}: ${reason}`, { file });
  }
}

const PROGRESS_EVERY_MS = 2_000;

export interface Job {
  plan: SeriesPlan;
  dataDir: string;
  profile: ProtocolProfile;
  policy: Policy;
  books: BookSummary[];
  fromMs?: number;
  toMs?: number;
  tailCalibrations?: ScheduledCalibration[];
  /** The stress monitor, simulated on every bar of hourly and 5-minute series (monitor-sim.ts). */
  monitor?: MonitorConfig;
}

type WorkerMessage =
  | { type: 'progress'; id: string; done: number; total: number; atMs: number }
  | { type: 'done'; id: string; result: SeriesResult; repairs: BadPrintRepair[]; elapsedMs: number }
  | { type: 'error'; id: string; message: string };

const keyOf = (job: Job) => `${job.plan.id} ${job.profile.id}`;

/** A candle file with its single-venue bad prints repaired (badprints.ts). */
export function loadCandles(dataDir: string, file: string): { candles: CandleLike[]; repairs: BadPrintRepair[] } {
  return repairBadPrints(parseCandleCsv(readFileSync(path.join(dataDir, file), 'utf8'), file));
}

export function runJob(job: Job, onProgress?: (p: { done: number; total: number; atMs: number }) => void): { result: SeriesResult; repairs: BadPrintRepair[] } {
  const { plan } = job;
  const { candles: raw, repairs } = loadCandles(job.dataDir, plan.file);
  const daily = plan.barLabel === '1d';
  const compressed = daily ? compressDailyBars(raw) : null;
  const result = runWalkForward(
    {
      id: plan.id,
      asset: plan.asset,
      source: plan.file,
      barLabel: plan.barLabel,
      candles: compressed ? compressed.candles : raw,
      ...(compressed ? { timeScale: compressed.timeScale } : {}),
    },
    {
      profile: daily ? dailyBarProfile(job.profile) : job.profile,
      policy: daily ? dailyBarPolicy(job.policy) : job.policy,
      books: job.books,
      ...(job.fromMs !== undefined ? { fromMs: job.fromMs } : {}),
      ...(job.toMs !== undefined ? { toMs: job.toMs } : {}),
      ...(job.tailCalibrations && !daily ? { tailCalibrations: job.tailCalibrations } : {}),
      ...(onProgress ? { onProgress } : {}),
    },
  );
  if (job.monitor && !daily) {
    result.monitor = simulateMonitor(result, toColumns(raw, INTERVAL_MS[job.profile.candleInterval]), job.profile, job.monitor);
    result.emergencies = result.monitor.emergencies;
  }
  return { result, repairs };
}

/** Worker-thread entry: runs jobs as they arrive, reports progress and results. */
export async function workerMain(): Promise<void> {
  const { parentPort } = await import('node:worker_threads');
  if (!parentPort) return;
  parentPort.on('message', (job: Job | null) => {
    if (job === null) {
      parentPort.close();
      return;
    }
    const started = performance.now();
    let last = 0;
    try {
      const { result, repairs } = runJob(job, (p) => {
        const now = performance.now();
        if (now - last < 500) return;
        last = now;
        parentPort.postMessage({ type: 'progress', id: keyOf(job), ...p } satisfies WorkerMessage);
      });
      parentPort.postMessage({ type: 'done', id: keyOf(job), result, repairs, elapsedMs: performance.now() - started } satisfies WorkerMessage);
    } catch (error) {
      parentPort.postMessage({ type: 'error', id: keyOf(job), message: (error as Error).stack ?? String(error) } satisfies WorkerMessage);
    }
  });
}

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
export const count = (n: number) => n.toLocaleString('en-US');

/** Runs the jobs on `workers` threads (or in process), printing progress; results in job order. */
export async function runJobs(jobs: Job[], workers: number, quiet: boolean): Promise<{ results: SeriesResult[]; repairs: BadPrintRepair[][]; elapsedMs: number[] }> {
  const results: SeriesResult[] = new Array(jobs.length);
  const repairs: BadPrintRepair[][] = new Array(jobs.length);
  const elapsed: number[] = new Array(jobs.length).fill(0);
  const progress = new Map<string, { done: number; total: number; atMs: number }>();
  let lastPrint = performance.now();
  const started = performance.now();
  const printProgress = (force = false) => {
    if (quiet) return;
    const now = performance.now();
    if (!force && now - lastPrint < PROGRESS_EVERY_MS) return;
    lastPrint = now;
    const running = [...progress.entries()].map(([key, p]) =>
      Number.isNaN(p.atMs) ? `${key} reading bars` : `${key} at ${isoDay(p.atMs)} (day ${count(p.done)} of ${count(p.total)})`,
    );
    if (running.length > 0) console.log(`  [${seconds(now - started)}] walking forward: ${running.join('; ')}`);
  };
  const finished = (index: number, result: SeriesResult, repaired: BadPrintRepair[], ms: number) => {
    results[index] = result;
    repairs[index] = repaired;
    elapsed[index] = ms;
    progress.delete(keyOf(jobs[index]!));
    if (!quiet) console.log(`  done ${doneLine(result, ms)}`);
  };

  if (workers <= 1) {
    jobs.forEach((job, index) => {
      const t0 = performance.now();
      const key = keyOf(job);
      const { result, repairs: repaired } = runJob(job, (p) => {
        progress.set(key, p);
        printProgress();
      });
      finished(index, result, repaired, performance.now() - t0);
    });
    return { results, repairs, elapsedMs: elapsed };
  }

  const tsxApi = import.meta.resolve('tsx/esm/api');
  const self = import.meta.url;
  const boot = `const { register } = await import(${JSON.stringify(tsxApi)}); register(); const m = await import(${JSON.stringify(self)}); await m.workerMain();`;
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    let live = 0;
    const start = (worker: Worker) => {
      if (next >= jobs.length) {
        worker.postMessage(null);
        return;
      }
      const index = next++;
      const key = keyOf(jobs[index]!);
      progress.set(key, { done: 0, total: 0, atMs: Number.NaN });
      worker.removeAllListeners('message');
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          progress.set(key, message);
          printProgress();
        } else if (message.type === 'done') {
          finished(index, message.result, message.repairs, message.elapsedMs);
          start(worker);
        } else {
          reject(new BacktestSeriesError(jobs[index]!.plan.file, message.message));
        }
      });
      worker.postMessage(jobs[index]);
    };
    for (let w = 0; w < Math.min(workers, jobs.length); w++) {
      const worker = new Worker(boot, { eval: true });
      live++;
      worker.on('error', reject);
      worker.on('exit', () => {
        live--;
        if (live === 0) resolve();
      });
      start(worker);
    }
  });
  return { results, repairs, elapsedMs: elapsed };
}

function doneLine(r: SeriesResult, ms: number): string {
  const t = r.coverage.target;
  const n = r.coverage.naive;
  const ok = r.steps.filter((s) => s.status === 'ok');
  const head = `${r.id} ${r.profileId} (${r.barLabel}): ${count(ok.length)} steps in ${seconds(ms)}`;
  if (!t || !n) return `${head}; no window scored`;
  const p = (value: number) => (value < 0.001 ? '<0.001' : value.toFixed(3));
  return `${head}; engine ${t.breaches} / ${count(t.windows)} windows breached (${(t.rate * 100).toFixed(3)} %, Kupiec p ${p(t.kupiec.pValue)}), naive ${n.breaches} (p ${p(n.kupiec.pValue)})`;
}
