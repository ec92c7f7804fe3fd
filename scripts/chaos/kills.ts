import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, sleep, spawnRuntime, waitForHealth, type RuntimeProcess } from './child.js';
import type { ScenarioContext } from './context.js';
import { tempDir } from './context.js';
import { INVARIANTS, allViolations, pointerViolations, runViolations, type Violation } from './invariants.js';
import { Rng } from './random.js';
import { Checks, type ScenarioResult } from './result.js';
import { readDataDirAtRest, restartAndRead } from './store-access.js';

const CHECK_SIGINT = 'SIGINT finishes in-flight work before exiting';
const CHECK_RESTART = 'restart succeeds on the same data dir';
const CHECK_START = 'the CLI starts and answers on the same data dir';
const ASSETS = ['BTC', 'ETH', 'SOL', 'UNI', 'CRV', 'AAVE', 'DOGE', 'LINK'];

interface Marker {
  name: string;
  /** null: no line to wait for (the delay runs from the request). */
  pattern: RegExp | null;
  /** The kill lands within this after the marker (late markers leave little work in flight). */
  maxDelayMs: number;
}

/** Progress lines of local/main.ts a kill can wait for: work is in flight right after each. */
function cycleMarker(rng: Rng, maxDelayMs: number, early: boolean): Marker {
  const k = rng.int(1, 7);
  const started: Marker = { name: 'cycle started', pattern: /cycle \d+: \d+ assets/, maxDelayMs };
  if (early) return started;
  return rng.pick<Marker>([
    started,
    { name: `asset ${k} done`, pattern: new RegExp(`\\[${k}/\\d+\\]`), maxDelayMs: maxDelayMs / 2 },
    { name: `asset ${k} done`, pattern: new RegExp(`\\[${k}/\\d+\\]`), maxDelayMs: maxDelayMs / 2 },
    // Printed when the finalizer is done: the publish function is then in flight for a few ms.
    { name: 'finalize function', pattern: /finalize: run/, maxDelayMs: 30 },
  ]);
}

function recomputeMarker(rng: Rng, maxDelayMs: number, early: boolean): Marker {
  const posted: Marker = { name: 'the POST', pattern: null, maxDelayMs };
  if (early) return posted;
  return rng.pick<Marker>([
    posted,
    { name: 'an asset done', pattern: /\[\d+\/\d+\]/, maxDelayMs: maxDelayMs / 2 },
    { name: 'finalize function', pattern: /finalize: run/, maxDelayMs: 30 },
  ]);
}

interface TrialOutcome {
  description: string;
  /** The signal reached a live process (false: it had already exited). */
  landed: boolean;
}

/** Waits for the marker (from line `from`), then the delay, then signals; a process gone meanwhile is a miss. */
async function killAt(context: ScenarioContext, proc: RuntimeProcess, marker: Marker, from: number, delayMs: number, signal: NodeJS.Signals): Promise<boolean> {
  try {
    if (marker.pattern) await proc.waitForLine(marker.pattern, from, context.limits.markerTimeoutMs);
  } catch {
    // exited first, or the marker never came: kill it where it is (if still alive)
  }
  await sleep(delayMs);
  if (!proc.alive) return false;
  proc.signal(signal);
  return true;
}

async function cycleTrial(context: ScenarioContext, rng: Rng, dataDir: string, signal: NodeJS.Signals): Promise<{ proc: RuntimeProcess; outcome: TrialOutcome }> {
  const marker = cycleMarker(rng, context.limits.maxKillDelayMs, context.limits.killMarkers === 'early');
  const delayMs = rng.int(0, marker.maxDelayMs);
  const proc = spawnRuntime({ dataDir, port: 0, once: true }, context.registry);
  const landed = await killAt(context, proc, marker, 0, delayMs, signal);
  return { proc, outcome: { description: `cycle (--once), ${signal} ${delayMs} ms after "${marker.name}"`, landed } };
}

async function recomputeTrial(context: ScenarioContext, rng: Rng, dataDir: string, signal: NodeJS.Signals): Promise<{ proc: RuntimeProcess; outcome: TrialOutcome }> {
  const marker = recomputeMarker(rng, context.limits.maxKillDelayMs, context.limits.killMarkers === 'early');
  const delayMs = rng.int(0, marker.maxDelayMs);
  const assets = rng.sample(ASSETS, context.limits.recomputeAssets);
  const port = await freePort();
  const proc = spawnRuntime({ dataDir, port }, context.registry);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHealth(baseUrl, proc, context.limits.startTimeoutMs);
  const token = (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
  const from = proc.lines.length;
  const response = await fetch(`${baseUrl}/v1/recompute`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ assets, reason: 'chaos kill' }),
    signal: AbortSignal.timeout(context.limits.requestTimeoutMs),
  });
  await response.arrayBuffer();
  const landed = await killAt(context, proc, marker, from, delayMs, signal);
  return {
    proc,
    outcome: { description: `recompute of ${assets.join('+')} (${response.status}), ${signal} ${delayMs} ms after "${marker.name}"`, landed },
  };
}

/**
 * (b) Kill -9 or SIGINT at seeded points of cycles (`--once`) and of recomputes (server mode, the
 * first cycle running too), each followed by a restart on the same data directory; after each restart
 * the invariants are read from the table and the outbox directly. A SIGINT must also let the process
 * finish its in-flight work: its data directory is read at rest before the restart.
 */
export async function killScenario(context: ScenarioContext): Promise<ScenarioResult> {
  const { counts, limits } = context;
  const checks = new Checks([CHECK_SIGINT, ...Object.values(INVARIANTS), CHECK_RESTART, CHECK_START]);
  const result: ScenarioResult = { id: 'b', scenario: 'kill -9 / SIGINT + restart', trials: counts.kills, checks: [], notes: [] };
  const dataDir = await tempDir(context, 'kills');
  const rng = new Rng(context.seed, 'kills');
  const seen = new Set<string>();
  const record = (trial: number, violations: Violation[], check?: string) => {
    for (const v of violations) {
      const name = check ?? v.check;
      if (seen.has(`${name}|${v.key}`)) continue;
      seen.add(`${name}|${v.key}`);
      checks.fail(name, `trial ${trial}: ${v.detail}`);
    }
  };
  // Violations already present after the previous restart: a SIGINT is judged on what it left itself.
  let before = new Set<string>();
  let landed = 0;
  const kinds = new Map<string, number>();
  for (let trial = 1; trial <= counts.kills; trial++) {
    const signal: NodeJS.Signals = rng.chance(0.5) ? 'SIGKILL' : 'SIGINT';
    const recompute = rng.chance(0.5);
    const startedMs = performance.now();
    let trialRun: Awaited<ReturnType<typeof cycleTrial>>;
    try {
      trialRun = await (recompute ? recomputeTrial : cycleTrial)(context, rng, dataDir, signal);
    } catch (error) {
      // The runtime did not start or answer on this data directory: a finding; stop it and go on.
      await context.registry.killChildrenAndWait();
      checks.fail(CHECK_START, `trial ${trial}: ${(error as Error).message}`);
      continue;
    }
    const { proc, outcome } = trialRun;
    const exit = await proc.waitExit(signal === 'SIGINT' ? limits.sigintExitTimeoutMs : limits.startTimeoutMs);
    context.log(`  (b) trial ${trial}/${counts.kills}: ${outcome.description}${outcome.landed ? '' : ' (process had exited: no kill)'}; exit ${exit.signal ?? exit.code}`);
    if (outcome.landed) {
      landed++;
      const kind = `${recompute ? 'recompute' : 'cycle'} ${signal}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    if (signal === 'SIGINT' && outcome.landed) {
      if (exit.forced) checks.fail(CHECK_SIGINT, `trial ${trial}: still running ${limits.sigintExitTimeoutMs} ms after SIGINT (killed)`);
      else {
        const atRest = await readDataDirAtRest(dataDir);
        const unfinished = [...runViolations(atRest).filter((v) => v.check === INVARIANTS.runsClosed), ...pointerViolations(atRest)].filter(
          (v) => !before.has(`${v.check}|${v.key}`),
        );
        for (const v of unfinished) checks.fail(CHECK_SIGINT, `trial ${trial} (${outcome.description}, exit ${exit.signal ?? exit.code}): ${v.detail}`);
      }
    }
    const restartMs = performance.now();
    try {
      const violations = allViolations(await restartAndRead(dataDir, limits.idleTimeoutMs));
      before = new Set(violations.map((v) => `${v.check}|${v.key}`));
      record(trial, violations);
    } catch (error) {
      checks.fail(CHECK_RESTART, `trial ${trial}: ${(error as Error).message}`);
    }
    context.log(`      ${((restartMs - startedMs) / 1000).toFixed(1)} s to the kill and exit, ${((performance.now() - restartMs) / 1000).toFixed(1)} s restart and checks`);
  }
  result.notes.push(
    `kills landed on a live process: ${landed}/${counts.kills} (${[...kinds]
      .sort()
      .map(([k, n]) => `${k} x ${n}`)
      .join(', ')}); violations counted once each`,
  );
  result.checks = checks.list();
  return result;
}
