import './preamble.js';
import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import { resolve } from 'node:path';
import { loadConfig } from '../shared/config/load.js';
import { resolveAutoSource } from '../shared/cycle/market-deps.js';
import { ReplayMarket } from '../shared/market/replay/market.js';
import { AdvisorError } from '../shared/util/errors.js';
import { missingDataLines, recommendationTable } from './report.js';
import { startRuntime, type Runtime } from './runtime.js';
import type { StageReport } from './invoker.js';

const HELP = `Leverage Advisor - local runtime

Usage: npm start [-- options]

Starts a local DynamoDB-API server (data in --data-dir, kept across restarts), runs one advisory
cycle at once and then on the configured schedule, writes proposals to <data-dir>/outbox/, and serves
the dashboard (/) and the HTTP API (/v1/). Market data: live venues when reachable, else the seeded simulator (--source).

Options:
  --port <n>        API port (default: $PORT or 8787; 0 = any free port)
  --data-dir <dir>  where the local data lives (default: .advisor)
  --config <file>   JSON config overriding the embedded defaults (top-level sections replace)
  --source <s>      auto (default: live venues if reachable, else sim), live, sim, or replay
  --replay-dir <d>  recorded candles and books for --source replay (default ../shared/data)
  --once            run one cycle, print the recommendations and exit
  --verbose         print the handlers' structured JSON logs (level INFO)
  -h, --help        this text
`;

function clock(): string {
  return new Date().toISOString().slice(11, 19);
}

function describeStage(report: StageReport, outboxDir: string): string {
  const seconds = `${(report.ms / 1000).toFixed(1)} s`;
  if (report.error) return `${report.stage} FAILED after ${seconds}: ${report.error.message}`;
  const result = (report.result ?? {}) as Record<string, unknown>;
  if (report.stage === 'compute') return `compute: run ${String(result.status)} (${seconds})`;
  if (report.stage === 'publish') {
    const sent = (result.sent as string[] | undefined)?.length ?? 0;
    const failed = (result.failed as string[] | undefined)?.length ?? 0;
    return `publish: ${sent} proposal(s) written to ${relative(process.cwd(), outboxDir) || outboxDir}/${failed ? `, ${failed} failed` : ''} (${seconds})`;
  }
  return `${report.stage} done (${seconds})`;
}

async function printRecommendations(runtime: Runtime): Promise<void> {
  const { config, store } = runtime.deps;
  const lists = await Promise.all(config.profiles.map((p) => store.recommendations.latestForProfile(p.id)));
  const all = lists.flat();
  for (const profile of config.profiles) {
    console.log(`\n${profile.name} [${profile.id}, ${profile.kind}]${runtime.deps.simulated ? '  *** SIMULATED ***' : ''}`);
    console.log(recommendationTable(profile, all));
  }
  const missing = missingDataLines(all);
  if (missing.length > 0) {
    console.log(`\nMissing data (held at the protocol's current value; missing input is not evidence of risk):\n${missing.join('\n')}`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
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
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const portText = values.port ?? process.env.PORT ?? '8787';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: port must be an integer 0-65535, got ${JSON.stringify(portText)}`);
    return 2;
  }

  const requested = values.source;
  if (!['auto', 'live', 'sim', 'replay'].includes(requested)) {
    console.error(`error: --source must be auto, live, sim or replay, got ${JSON.stringify(requested)}`);
    return 2;
  }
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
  // Progress of the current cycle's assets (the worker reports each one as it finishes).
  let assetsDone = 0;
  let assetsPlanned = 0;
  const runtime = await startRuntime({
    dataDir: values['data-dir'],
    port,
    ...(values.config ? { configFile: values.config } : {}),
    ...(values.verbose ? { logLevel: 'INFO' } : {}),
    source,
    ...(source === 'replay' ? { replayDir, clockMs } : {}),
    onStage: (report) => console.log(`[${clock()}]   ${describeStage(report, outboxDir)}`),
    onAsset: (report) => {
      assetsDone++;
      const status = report.failed ? `FAILED${report.error ? `: ${report.error.message}` : ' (see the run errors)'}` : 'done';
      console.log(`[${clock()}]     ${report.work.asset.padEnd(6)} ${status} (${(report.ms / 1000).toFixed(1)} s) [${assetsDone}/${assetsPlanned}]`);
    },
  });
  outboxDir = runtime.outboxDir;
  const { config } = runtime.deps;
  console.log(`  data     ${values['data-dir']}/ (${runtime.tableCreated ? 'new local table' : 'existing local table, history kept'})`);
  console.log(
    source === 'sim'
      ? `  market   SIMULATED: seeded simulator (seed ${config.simulator.seed}); nothing is sent to a real forum`
      : source === 'live'
        ? `  market   live venues: ${config.venues.filter((v) => v.enabled).map((v) => v.name).join(', ')}`
        : `  market   replay of ${replayDir}, clock at ${new Date(clockMs!).toISOString()}`,
  );
  console.log(`  config   ${values.config ?? 'embedded defaults'}; ${config.assets.length} assets, ${config.profiles.length} profiles, methodology ${config.methodologyVersion}`);
  if (source === 'replay') {
    // Say up front what the recordings lack at the clock; the engine holds what depends on it (no-data).
    const intervals = [...new Set(config.profiles.map((p) => p.candleInterval))];
    const lacking = new ReplayMarket({ dataDir: replayDir }).lacking(config.assets, intervals, clockMs!, config.policy);
    for (const line of lacking) console.log(`  lacks    ${line}`);
  }

  let cycling = false;
  let cycleNumber = 0;
  const cycle = async () => {
    if (cycling) {
      console.log(`[${clock()}] previous cycle still running; skipping this tick`);
      return;
    }
    cycling = true;
    cycleNumber++;
    try {
      assetsDone = 0;
      assetsPlanned = config.assets.length;
      console.log(`\n[${clock()}] cycle ${cycleNumber}: ${config.assets.length} assets from ${config.venues.length} ${source === 'sim' ? 'simulated ' : ''}venues, 4 at a time...`);
      const { runId, ms } = await runtime.runCycle();
      console.log(`[${clock()}] cycle ${cycleNumber} finished in ${(ms / 1000).toFixed(1)} s (run ${runId})`);
      const run = runId ? await runtime.deps.store.runs.get(runId) : null;
      for (const error of run?.errors ?? []) console.log(`  ! ${error.stage} ${error.asset ?? ''}: ${error.message}`);
      await printRecommendations(runtime);
    } catch (error) {
      console.error(`[${clock()}] cycle ${cycleNumber} failed: ${(error as Error).message}`);
    } finally {
      cycling = false;
    }
  };

  await cycle();
  if (values.once) {
    await runtime.stop();
    return 0;
  }

  const everyMs = config.schedule.cycleEveryMinutes * 60_000;
  const cycleTimer = setInterval(() => void cycle(), everyMs);
  const publishTimer = setInterval(() => void runtime.publish(), config.schedule.publishEveryMinutes * 60_000);
  console.log(`\nDashboard ${runtime.url}/`);
  console.log(`API       ${runtime.url}/v1/recommendations   (contract: ${runtime.url}/v1/openapi.json)`);
  console.log(`Recompute: curl -X POST -H "Authorization: Bearer $(cat ${values['data-dir']}/api-token)" ${runtime.url}/v1/recompute`);
  console.log(`Next cycle every ${config.schedule.cycleEveryMinutes} min. Ctrl-C to stop.`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        console.log('forced exit');
        process.exit(130);
      }
      stopping = true;
      console.log(`\n${signal}: stopping (finishing in-flight work)...`);
      clearInterval(cycleTimer);
      clearInterval(publishTimer);
      void runtime.stop().then(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  console.log('stopped; data kept in', values['data-dir']);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AdvisorError) console.error(`error: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
