/**
 * The fault suite's counts and limits: the full run (`npm run chaos`) uses these; `--scale` takes a
 * fraction of every count (never below 1), the test slice passes its own small counts.
 */
export interface ChaosCounts {
  /** (a) fuzzed requests against one runtime. */
  fuzzRequests: number;
  /** (a) valid recomputes mixed into the fuzz (they start real runs while the fuzz goes on). */
  fuzzValidRecomputes: number;
  /** (b) kill -9 / SIGINT trials, each followed by a restart on the same data directory. */
  kills: number;
  /** (c) concurrent authenticated POST /v1/recompute for the same assets. */
  concurrentRecomputes: number;
  /** (d) pairs of racing ingests of one asset. */
  ingestRaces: number;
}

export const FULL_COUNTS: Readonly<ChaosCounts> = {
  fuzzRequests: 10_000,
  fuzzValidRecomputes: 3,
  kills: 30,
  concurrentRecomputes: 20,
  ingestRaces: 5,
};

export interface ChaosLimits {
  /**
   * (a) Where the fuzz goes: `child` = `npm start` in a child process, fuzzed once its first cycle has
   * stored data (and a crash of the server shows as a dead process); `in-process` = startRuntime on an
   * empty table here, no cycle (cheap: the test slice).
   */
  fuzzTarget: 'child' | 'in-process';
  /** Fuzzed requests in flight at once. */
  fuzzConcurrency: number;
  /** A fuzzed request that got no full answer by then counts as unanswered. */
  requestTimeoutMs: number;
  /** A spawned runtime must answer /v1/health (or print its first line) within this. */
  startTimeoutMs: number;
  /** A kill waits at most this long for its progress marker; the trial is then killed where it is. */
  markerTimeoutMs: number;
  /**
   * (b) Which progress lines a kill may wait for: `any` (cycle start, an asset done, the finalize function;
   * after the POST, an asset done, the finalize function) or `early` (cycle start / the POST only: the
   * kill lands while the workers ingest, the cheapest place; the test slice).
   */
  killMarkers: 'any' | 'early';
  /** Extra random delay after the marker, before the signal: [0, this). */
  maxKillDelayMs: number;
  /** A process sent SIGINT gets this long to finish its in-flight work; then it is killed (a failure). */
  sigintExitTimeoutMs: number;
  /** In-process work (a recompute's runs, a restart) must finish within this. */
  idleTimeoutMs: number;
  /** Assets per recompute in (b) and (c). */
  recomputeAssets: number;
  /**
   * (d) Lookback of every profile for the racing ingests, in days; null = the configured ones. A short
   * one makes a race cheap (the test slice) without changing what races: the read-merge-write of chunks.
   */
  raceLookbackDays: number | null;
}

export const DEFAULT_LIMITS: Readonly<ChaosLimits> = {
  fuzzTarget: 'child',
  fuzzConcurrency: 16,
  requestTimeoutMs: 15_000,
  startTimeoutMs: 60_000,
  markerTimeoutMs: 60_000,
  killMarkers: 'any',
  maxKillDelayMs: 2_000,
  sigintExitTimeoutMs: 90_000,
  idleTimeoutMs: 180_000,
  recomputeAssets: 2,
  raceLookbackDays: null,
};

export function scaledCounts(scale: number, full: Readonly<ChaosCounts> = FULL_COUNTS): ChaosCounts {
  const of = (n: number) => Math.max(1, Math.round(n * scale));
  return {
    fuzzRequests: of(full.fuzzRequests),
    fuzzValidRecomputes: of(full.fuzzValidRecomputes),
    kills: of(full.kills),
    concurrentRecomputes: Math.max(2, of(full.concurrentRecomputes)),
    ingestRaces: of(full.ingestRaces),
  };
}
