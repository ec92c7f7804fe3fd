import './preamble.js';
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { resolve } from 'node:path';
import { loadConfig } from '../shared/config/load.js';
import { resolveAutoSource } from '../shared/cycle/worker-deps.js';
import { ReplayMarket } from '../shared/market/replay/market.js';
import { AdvisorError } from '../shared/util/errors.js';
import { MS_PER_MINUTE } from '../shared/util/time.js';
import { progressPrinter } from './progress.js';
import { missingDataLines, recommendationTable } from './report.js';
import { startRuntime, type Runtime } from './runtime.js';
import type { Run } from '../shared/model/run.js';
import type { InvocationReport } from './invoker.js';

const HELP = `Leverage Advisor - local runtime

Usage: npm start [-- options]

Starts a local DynamoDB-API server (data in --data-dir, kept across restarts), runs one advisory
cycle at once and then on the configured schedule, writes proposals to <data-dir>/outbox/, and serves
the dashboard (/) and the HTTP API (/v1/). Market data: live venues when reachable, else the seeded simulator (--source).

Options:
  --port <n>        API port (default: $PORT or 8787; 0 = any free port)
  --data-dir <dir>  where the local data lives (default: .advisor)
  --config <file>   JSON config overriding the embedded defaults: objects merge field by field into the
                    defaults, arrays (assets, venues, profiles, depthBands, ...) replace the default
                    array whole; unknown keys are rejected
  --source <s>      auto (default: live venues if reachable, else sim), live, sim, or replay
  --replay-dir <d>  recorded candles and books for --source replay (default ../shared/data)
  --once            run one cycle, print the recommendations and exit
  --verbose         print the handlers' structured JSON logs (level INFO)
  -h, --help        this text

Ctrl-C (or SIGTERM) stops accepting work and finishes the work in flight; a second Ctrl-C forces exit.
--once exits 1 when the run is not fully succeeded (partial, failed) or publishing failed.
`;

const USAGE_HINT = 'run with --help for usage';
/** A second stop signal sooner than this after the first is a duplicate delivery, not a request to force. */
const SIGNAL_REPEAT_GRACE_MS = 1_000;

/** A command-line mistake: printed as one line plus the usage hint, exit 2. */
class UsageError extends AdvisorError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string', default: '.advisor' },
        config: { type: 'string' },
        source: { type: 'string', default: 'auto' },
        'replay-dir': { type: 'string' },
        once: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    // node:util's parse errors (unknown option, missing value, stray argument) carry a readable message.
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function describeInvocation(report: InvocationReport, outboxDir: string): string {
  const seconds = `${(report.ms / 1000).toFixed(1)} s`;
  if (report.error) return `${report.role} FAILED after ${seconds}: ${report.error.message}`;
  const result = (report.result ?? {}) as Record<string, unknown>;
  if (report.role === 'finalize') return `finalize: run ${String(result.status)} (${seconds})`;
  if (report.role === 'publish') {
    const sent = (result.sent as string[] | undefined)?.length ?? 0;
    const failed = (result.failed as string[] | undefined)?.length ?? 0;
    return `publish: ${sent} proposal(s) written to ${relative(process.cwd(), outboxDir) || outboxDir}/${failed ? `, ${failed} failed` : ''} (${seconds})`;
  }
  return `${report.role} done (${seconds})`;
}

async function printRecommendations(runtime: Runtime): Promise<void> {
  const { config, store } = runtime.deps;
  const lists = await Promise.all(config.profiles.map((p) => store.recommendations.latestForProfile(p.id)));
  const all = lists.flat();
  for (const profile of config.profiles) {
    console.log(`\n${profile.name} [${profile.id}, ${profile.kind}]${runtime.deps.simulated ? '  *** SIMULATED ***' : ''}${runtime.deps.historical ? '  *** HISTORICAL REPLAY ***' : ''}`);
    console.log(recommendationTable(profile, all));
  }
  const missing = missingDataLines(all);
  if (missing.length > 0) {
    console.log(`\nMissing data (held at the protocol's current value; missing input is not evidence of risk):\n${missing.join('\n')}`);
  }
}

async function main(): Promise<number> {
  const values = parseCommandLine();
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const portText = values.port ?? process.env.PORT ?? '8787';
  const port = Number(portText);
  if (portText.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`port must be an integer 0-65535, got ${JSON.stringify(portText)}`);
  }

  const requested = values.source;
  if (!['auto', 'live', 'sim', 'replay'].includes(requested)) {
    throw new UsageError(`--source must be auto, live, sim or replay, got ${JSON.stringify(requested)}`);
  }

  // First SIGINT/SIGTERM: stop accepting work and finish what is in flight (like SIGTERM always did);
  // a second one forces the exit. Registered before the first cycle, which Ctrl-C may interrupt too.
  let stopSignal: string | null = null;
  let onStopRequested: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (onStopRequested = resolve));
  let firstSignalAtMs = 0;
  const onSignal = (signal: string) => {
    // One Ctrl-C can arrive twice: the terminal signals the process group, and `tsx` relays it again
    // when this process is slow to acknowledge. A repeat that close to the first is the same request.
    if (stopSignal && Date.now() - firstSignalAtMs < SIGNAL_REPEAT_GRACE_MS) return;
    if (stopSignal) {
      console.log(`${signal} again: forced exit`);
      process.exit(130);
    }
    stopSignal = signal;
    firstSignalAtMs = Date.now();
    console.log(`\n${signal}: stopping (finishing in-flight work; ${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to force)...`);
    onStopRequested();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  console.log('Leverage Advisor - local runtime');
  let source = requested as 'auto' | 'live' | 'sim' | 'replay';
  if (source === 'auto') {
    process.stdout.write('  probing live venues (3 s at most)... ');
    source = await resolveAutoSource(loadConfig(values.config));
    console.log(source === 'live' ? 'reachable: live market data' : 'not reachable: using the simulator');
  }
  let clockMs: number | undefined;
  const replayDir = values['replay-dir'] ?? resolve(process.cwd(), '../shared/data');
  if (source === 'replay') {
    const config = loadConfig(values.config);
    const coverage = new ReplayMarket({ dataDir: replayDir }).coverage(config.assets[0]!.symbol, '1h');
    if (!coverage) {
      console.error(`error: no recorded ${config.assets[0]!.symbol} hourly candles in ${replayDir}`);
      return 2;
    }
    clockMs = coverage.endMs;
  }
  let outboxDir = '';
  let publishFailures = 0;
  const runtime = await startRuntime({
    dataDir: values['data-dir'],
    port,
    ...(values.config ? { configFile: values.config } : {}),
    ...(values.verbose ? { logLevel: 'INFO' } : {}),
    source,
    ...(source === 'replay' ? { replayDir, clockMs } : {}),
    onInvocation: (report) => {
      if (report.role === 'publish') {
        const failed = (report.result as { failed?: unknown[] } | undefined)?.failed?.length ?? 0;
        publishFailures += report.error ? 1 : failed;
      }
      console.log(`[${clock()}]   ${describeInvocation(report, outboxDir)}`);
    },
    onAsset: progressPrinter((line) => console.log(line)),
  });
  outboxDir = runtime.outboxDir;
  const { config } = runtime.deps;
  console.log(`  data     ${values['data-dir']}/ (${runtime.tableCreated ? 'new local table' : 'existing local table, history kept'})`);
  const { interruptedRuns, pointersRolledForward } = runtime.recovery;
  if (interruptedRuns.length > 0) console.log(`  recovery ${interruptedRuns.length} run(s) left unfinished by a previous process closed as interrupted: ${interruptedRuns.join(', ')}`);
  if (pointersRolledForward.length > 0) {
    console.log(`  recovery latest pointer rolled forward to the stored version: ${pointersRolledForward.map((p) => `${p.asset}/${p.profileId} v${p.version}`).join(', ')}`);
  }
  console.log(
    source === 'sim'
      ? `  market   SIMULATED: seeded simulator (seed ${config.simulator.seed}); nothing is sent to a real forum`
      : source === 'live'
        ? `  market   live venues: ${config.venues.filter((v) => v.enabled).map((v) => v.name).join(', ')}`
        : `  market   HISTORICAL: replay of ${replayDir}, clock at ${new Date(clockMs!).toISOString()}; proposals go to the local outbox only`,
  );
  console.log(`  config   ${values.config ?? 'embedded defaults'}; ${config.assets.length} assets, ${config.profiles.length} profiles, methodology ${config.methodologyVersion}`);
  if (source === 'replay') {
    // Say up front what the recordings lack at the clock; the engine holds what depends on it (no-data).
    const intervals = [...new Set(config.profiles.map((p) => p.candleInterval))];
    const lacking = new ReplayMarket({ dataDir: replayDir }).lacking(config.assets, intervals, clockMs!, config.policy);
    for (const line of lacking) console.log(`  lacks    ${line}`);
  }

  let current: Promise<Run['status'] | null> | null = null;
  let cycleNumber = 0;
  /** One scheduled cycle; resolves to its run's status (null when it could not run). */
  const runOne = async (): Promise<Run['status'] | null> => {
    cycleNumber++;
    try {
      console.log(`\n[${clock()}] cycle ${cycleNumber}: ${config.assets.length} assets from ${config.venues.length} ${source === 'sim' ? 'simulated ' : ''}venues, 4 at a time...`);
      const { runId, ms } = await runtime.runCycle();
      const run = runId ? await runtime.deps.store.runs.get(runId) : null;
      console.log(`[${clock()}] cycle ${cycleNumber} finished in ${(ms / 1000).toFixed(1)} s (run ${runId}: ${run?.status ?? 'unknown'})`);
      for (const error of run?.errors ?? []) console.log(`  ! ${error.stage} ${error.asset ?? ''}: ${error.message}`);
      // Publish only what matters (issue 16): each market's decision, published or held, with its figures.
      for (const d of run?.publication ?? []) console.log(`  ${d.publish ? 'proposal' : 'no proposal'} ${d.profileId} (${d.decision}): ${d.summary}`);
      await printRecommendations(runtime);
      return run?.status ?? null;
    } catch (error) {
      console.error(`[${clock()}] cycle ${cycleNumber} failed: ${(error as Error).message}`);
      return null;
    }
  };
  const cycle = (): Promise<Run['status'] | null> | null => {
    if (stopSignal) return null;
    if (current) {
      console.log(`[${clock()}] previous cycle still running; skipping this tick`);
      return null;
    }
    const started = runOne().finally(() => (current = null));
    current = started;
    return started;
  };

  if (values.once) {
    const status = await cycle();
    await runtime.stop();
    const ok = status === 'succeeded' && publishFailures === 0;
    if (!ok) console.error(`error: ${status === null ? 'the cycle did not run' : `the run is ${status}`}${publishFailures > 0 ? `; ${publishFailures} proposal(s) failed to publish` : ''}`);
    console.log('stopped; data kept in', values['data-dir']);
    return ok ? 0 : 1;
  }

  await cycle();
  const everyMs = config.schedule.cycleEveryMinutes * MS_PER_MINUTE;
  const cycleTimer = setInterval(() => void cycle(), everyMs);
  const publishTimer = setInterval(() => {
    if (!stopSignal) void runtime.publish();
  }, config.schedule.publishEveryMinutes * MS_PER_MINUTE);
  if (!stopSignal) {
    console.log(`\nDashboard ${runtime.url}/`);
    console.log(`API       ${runtime.url}/v1/recommendations   (contract: ${runtime.url}/v1/openapi.json)`);
    console.log(`Recompute: curl -X POST -H "Authorization: Bearer $(cat ${values['data-dir']}/api-token)" ${runtime.url}/v1/recompute`);
    console.log(`Next cycle every ${config.schedule.cycleEveryMinutes} min. Ctrl-C to stop.`);
  }

  await stopRequested;
  clearInterval(cycleTimer);
  clearInterval(publishTimer);
  // The cycle in flight finishes (and prints); stop() then closes the API and waits for the rest
  // (recomputes, publishing) before closing the database.
  await current;
  await runtime.stop();
  console.log('stopped; data kept in', values['data-dir']);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message} (${USAGE_HINT})`);
      process.exit(2);
    }
    if (error instanceof AdvisorError) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
