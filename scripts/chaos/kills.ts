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
const ASSETS = ['BTC', 'ETH', 'SOL', 'UNI', 'CRV', 'AAVE', 'DOGE', 'LINK'];

interface Marker {
  name: string;
  pattern: RegExp;
}

/** Progress lines of local/main.ts a kill can wait for: work is in flight right after each. */
function cycleMarker(rng: Rng): Marker {
  const k = rng.int(1, 7);
  return rng.pick<Marker>([
    { name: 'cycle started', pattern: /cycle \d+: \d+ assets/ },
    { name: `asset ${k} done`, pattern: new RegExp(`\\[${k}/\\d+\\]`) },
    { name: `asset ${k} done`, pattern: new RegExp(`\\[${k}/\\d+\\]`) },
    { name: 'compute stage', pattern: /compute: run/ },
    { name: 'publish stage', pattern: /publish: / },
  ]);
}

function recomputeMarker(rng: Rng): Marker | null {
  return rng.pick<Marker | null>([null, { name: 'an asset done', pattern: /\[\d+\/\d+\]/ }, { name: 'compute stage', pattern: /compute: run/ }]);
}

interface TrialOutcome {
  description: string;
  /** The signal reached a live process (false: it had already exited). */
  landed: boolean;
}

/** Waits for the marker (from line `from`), then the delay, then signals; a process gone meanwhile is a miss. */
async function killAt(context: ScenarioContext, proc: RuntimeProcess, marker: Marker | null, from: number, delayMs: number, signal: NodeJS.Signals): Promise<boolean> {
  if (marker) {
    try {
      await proc.waitForLine(marker.pattern, from, context.limits.markerTimeoutMs);
    } catch {
      // exited first, or the marker never came: kill it where it is (if still alive)
    }
  }
  await sleep(delayMs);
  if (!proc.alive) return false;
  proc.signal(signal);
  return true;
}

async function cycleTrial(context: ScenarioContext, rng: Rng, dataDir: string, signal: NodeJS.Signals): Promise<{ proc: RuntimeProcess; outcome: TrialOutcome }> {
  const marker = cycleMarker(rng);
  const delayMs = rng.int(0, context.limits.maxKillDelayMs);
  const proc = spawnRuntime({ dataDir, port: 0, once: true }, context.registry);
  const landed = await killAt(context, proc, marker, 0, delayMs, signal);
  return { proc, outcome: { description: `cycle (--once), ${signal} ${delayMs} ms after "${marker.name}"`, landed } };
}

async function recomputeTrial(context: ScenarioContext, rng: Rng, dataDir: string, signal: NodeJS.Signals): Promise<{ proc: RuntimeProcess; outcome: TrialOutcome }> {
  const marker = recomputeMarker(rng);
  const delayMs = rng.int(0, context.limits.maxKillDelayMs);
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
    outcome: { description: `recompute of ${assets.join('+')} (${response.status}), ${signal} ${delayMs} ms after ${marker ? `"${marker.name}"` : 'the POST'}`, landed },
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
  const checks = new Checks([CHECK_SIGINT, ...Object.values(INVARIANTS), CHECK_RESTART]);
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
    const { proc, outcome } = await (recompute ? recomputeTrial : cycleTrial)(context, rng, dataDir, signal);
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
    try {
      const violations = allViolations(await restartAndRead(dataDir, limits.idleTimeoutMs));
      before = new Set(violations.map((v) => `${v.check}|${v.key}`));
      record(trial, violations);
    } catch (error) {
      checks.fail(CHECK_RESTART, `trial ${trial}: ${(error as Error).message}`);
    }
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
