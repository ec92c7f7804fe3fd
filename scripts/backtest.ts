import '../local/preamble.js';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BadPrintRepair } from '../shared/backtest/badprints.js';
import { comparisonTable, compareWithLive, type ComparisonRow } from '../shared/backtest/comparison.js';
import { eventsOf, NAMED_EVENTS } from '../shared/backtest/events.js';
import { crashResponses } from '../shared/backtest/fasttighten.js';
import { candleFiles, recordedBooks } from '../shared/backtest/files.js';
import { count, isoDay, loadCandles, runJobs, seconds, type Job } from '../shared/backtest/jobs.js';
import { liquidityFor, type LiquidityChoice } from '../shared/backtest/liquidity.js';
import { monitorSection } from '../shared/backtest/monitor-report.js';
import { planSeries } from '../shared/backtest/plan.js';
import { calibrationSchedule, type ScheduledCalibration } from '../shared/backtest/recalibration.js';
import { compactNumbers, eventsTable, fastTightenTable, floorLabel, readmeTable } from '../shared/backtest/report-tables.js';
import { lendingTable, perpTable, summarizeSeries } from '../shared/backtest/summary.js';
import { seriesChartSvg } from '../shared/backtest/svg.js';
import { pooledCoverage } from '../shared/backtest/verdict.js';
import { bindsTable, heldFixedTable, pooledLine, VERDICT_RULES, verdictTable } from '../shared/backtest/verdict-tables.js';
import { toColumns } from '../shared/backtest/windows.js';
import { loadCalibrationInputs, riskCalibrationSettings } from '../shared/calibration/inputs.js';
import { loadPerpCalibrationInputs, perpRiskCalibrationSettings } from '../shared/calibration/perp-inputs.js';
import { loadConfig } from '../shared/config/load.js';
import { INTERVAL_MS, type AdvisorConfig, type LendingProfile, type Policy } from '../shared/config/schema.js';

/**
 * `npm run backtest -- --data <dir> [--assets BTC,ETH] [--profile <id>|all] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out dir]`
 *
 * Walk-forward backtest of the risk engine on the real candles in <dir> (../shared/data): a daily
 * recommendation from trailing data only, scored on every following window, next to the naive baseline
 * and the steward-applied path. Writes <out>/backtest.json (every step), <out>/summary.md (the tables)
 * and <out>/charts/<series>-<profile>.svg. See docs/backtest.md. The CLI: options, the run's plan and
 * the report's assembly; the jobs and their worker threads live in shared/backtest/jobs.ts.
 */

const HELP = `npm run backtest -- [options]
  --data <dir>       candle files and orderbooks/ (default ../shared/data)
  --assets <list>    comma-separated symbols (default: every asset in the data)
  --profile <id|all> profile id (aave-v3-ethereum, perp-dex) or all (default)
  --from <date>      first step, YYYY-MM-DD (default: as soon as there is enough history)
  --to <date>        steps before this date, YYYY-MM-DD (default: end of data)
  --out <dir>        output directory (default .advisor/backtest)
  --config <file>    JSON config overriding the embedded defaults
  --paths <n>        FHS / Monte Carlo paths per step (default: the config's policy.simulationPaths)
  --floor <share>    unconditional-floor override for every profile (default: the config's)
  --workers <n>      worker threads (default: min(2, available cores); 1 = in process)
  --quiet            no progress lines`;


interface Options {
  dataDir: string;
  outDir: string;
  assets: string[];
  profileId: string;
  fromMs?: number;
  toMs?: number;
  paths?: number;
  floor?: number;
  workers: number;
  quiet: boolean;
  config: AdvisorConfig;
}

function parseDate(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(ms)) throw new UsageError(`${flag} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return ms;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string', default: '../shared/data' },
      assets: { type: 'string' },
      profile: { type: 'string', default: 'all' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string', default: '.advisor/backtest' },
      config: { type: 'string' },
      paths: { type: 'string' },
      floor: { type: 'string' },
      workers: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return null;
  const config = loadConfig(values.config);
  const profileIds = config.profiles.map((p) => p.id);
  if (values.profile !== 'all' && !profileIds.includes(values.profile)) {
    throw new UsageError(`--profile must be one of ${[...profileIds, 'all'].join(', ')}, got ${JSON.stringify(values.profile)}`);
  }
  const number = (text: string | undefined, flag: string, check: (n: number) => boolean, rule: string) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!check(n)) throw new UsageError(`${flag} must be ${rule}, got ${JSON.stringify(text)}`);
    return n;
  };
  const fromMs = parseDate(values.from, '--from');
  const toMs = parseDate(values.to, '--to');
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new UsageError('--to must be after --from');
  if (!existsSync(values.data)) throw new UsageError(`--data ${values.data} does not exist (the shared data lives in ../shared/data)`);
  return {
    dataDir: values.data,
    outDir: values.out,
    assets: values.assets ? values.assets.split(',').map((a) => a.trim().toUpperCase()).filter(Boolean) : [],
    profileId: values.profile,
    ...(fromMs !== undefined ? { fromMs } : {}),
    ...(toMs !== undefined ? { toMs } : {}),
    ...(values.paths !== undefined ? { paths: number(values.paths, '--paths', (n) => Number.isInteger(n) && n >= 100, 'an integer >= 100') } : {}),
    ...(values.floor !== undefined ? { floor: number(values.floor, '--floor', (n) => n >= 0 && n <= 1, 'a share in [0, 1]') } : {}),
    workers: number(values.workers, '--workers', (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1') ?? Math.max(1, Math.min(2, availableParallelism())),
    quiet: values.quiet,
    config,
  };
}


// ---------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  let options: Options | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`error: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!options) {
    console.log(HELP);
    return 0;
  }
  const started = performance.now();
  const { config, dataDir } = options;
  // --floor overrides the floor of every profile (a profile may set its own in config).
  const profiles = config.profiles
    .filter((p) => options.profileId === 'all' || p.id === options.profileId)
    // --floor: the pre-issue-14 floor (share x the trailing unconditional tail) instead of the through-the-cycle one.
    .map((p) => (options.floor !== undefined ? { ...p, unconditionalFloorShare: options.floor, throughTheCycleTail: undefined } : p));
  const kinds = [...new Set(profiles.map((p) => p.kind))];
  const plan = planSeries(candleFiles(dataDir), { assets: options.assets, kinds });
  const policy: Policy = {
    ...config.policy,
    ...(options.paths !== undefined ? { simulationPaths: options.paths } : {}),
    ...(options.floor !== undefined ? { unconditionalFloorShare: options.floor } : {}),
  };

  console.log('Leverage Advisor - walk-forward backtest');
  console.log(`data: ${dataDir} (${plan.series.length} series; skipped ${plan.skipped.map((s) => `${s.file}: ${s.reason}`).join(', ') || 'none'})`);
  console.log(
    `engine: methodology ${config.methodologyVersion}, filtered tail: exact block bootstrap (Monte Carlo ${count(policy.simulationPaths)} paths only where a path needs several blocks), floor: ${profiles.map((p) => `${p.id} ${floorLabel(p, policy)}`).join(', ')}` +
      `${options.paths !== undefined || options.floor !== undefined ? ' (overridden on the command line)' : ' (config defaults)'}`,
  );
  const liquidity = new Map<string, LiquidityChoice>();
  const warn = (text: string) => console.log(`warning: ${text}`);
  for (const asset of new Set(plan.series.map((s) => s.asset))) liquidity.set(asset, liquidityFor(asset, recordedBooks(dataDir, asset, warn)));
  for (const [asset, choice] of liquidity) console.log(`liquidity ${asset}: ${choice.source}`);

  // No look-ahead in the floor's constants either: refits before the configured cutoff (recalibration.ts).
  const schedules = new Map<string, ScheduledCalibration[]>();
  for (const profile of profiles) {
    if (!profile.throughTheCycleTail) continue;
    // issue 15: a perp profile's floor is refitted the same way, on the 5-minute files.
    const [inputs, settings] =
      profile.kind === 'lending'
        ? [loadCalibrationInputs(dataDir), riskCalibrationSettings(profile, policy)]
        : [loadPerpCalibrationInputs(dataDir, profile), perpRiskCalibrationSettings(profile, policy)];
    const schedule = calibrationSchedule(profile.throughTheCycleTail, inputs, settings, options.fromMs);
    schedules.set(profile.id, schedule);
    for (const c of schedule) {
      console.log(`floor ${profile.id} from ${isoDay(c.fromMs)}: m ${c.tail.multiples.adverse} at sigma_h ${(c.tail.referenceSigmaHorizon * 100).toFixed(2)} %, slope ${c.tail.volatilitySlopes.adverse}, ${c.tail.pooledAssets.length} assets (${c.refitted ? `refitted on data before ${c.tail.cutoff}` : 'the configured calibration'})`);
    }
    if (schedule[0]!.fromMs > (options.fromMs ?? Number.NEGATIVE_INFINITY)) console.log(`floor ${profile.id} before ${isoDay(schedule[0]!.fromMs)}: ${profile.unconditionalFloorShare ?? policy.unconditionalFloorShare} x trailing unconditional (too few assets to fit the through-the-cycle tail)`);
  }
  const jobs: Job[] = [];
  for (const profile of profiles) {
    for (const s of plan.series.filter((p) => p.profileKind === profile.kind)) {
      jobs.push({
        plan: s,
        dataDir,
        profile,
        policy,
        books: liquidity.get(s.asset)!.books,
        monitor: config.monitor,
        ...(options.fromMs !== undefined ? { fromMs: options.fromMs } : {}),
        ...(options.toMs !== undefined ? { toMs: options.toMs } : {}),
        ...(schedules.has(profile.id) ? { tailCalibrations: schedules.get(profile.id)! } : {}),
      });
    }
  }
  // Largest files first, so the last worker to finish is not stuck with a long series.
  jobs.sort((a, b) => statSync(path.join(dataDir, b.plan.file)).size - statSync(path.join(dataDir, a.plan.file)).size);
  console.log(`running ${jobs.length} series x profile on ${options.workers} worker thread(s): one recommendation per day from trailing bars only, scored on the next day's windows`);
  const { results, repairs, elapsedMs } = await runJobs(jobs, options.workers, options.quiet);
  const repaired = new Map<string, BadPrintRepair[]>();
  jobs.forEach((job, i) => {
    if (repairs[i]!.length > 0) repaired.set(job.plan.file, repairs[i]!);
  });
  for (const [file, list] of repaired) {
    console.log(`bad prints repaired in ${file}: ${list.map((r) => `${new Date(r.openTimeMs).toISOString().slice(0, 16)} ${r.side} ${r.printed} -> ${r.repaired}`).join(', ')}`);
  }

  // Reports.
  const summaries = results.map(summarizeSeries);
  const events = results.flatMap((r) => eventsOf(r));
  const fastTighten = results.map((r) => ({ id: r.id, profileId: r.profileId, summary: crashResponses(r) }));
  const lendingProfile = profiles.find((p): p is LendingProfile => p.kind === 'lending');
  const comparison: ComparisonRow[] = [];
  if (lendingProfile) {
    for (const [index, r] of results.entries()) {
      const live = lendingProfile.current[r.asset];
      if (!live || r.profileKind !== 'lending' || r.barLabel !== '1h' || r.id !== r.asset) continue;
      const bars = toColumns(loadCandles(dataDir, jobs[index]!.plan.file).candles, INTERVAL_MS[lendingProfile.candleInterval]);
      const row = compareWithLive(r, bars, lendingProfile.horizonMinutes / 60, live);
      if (row) comparison.push(row);
    }
  }
  const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
  summaries.sort(byId);
  const eventOrder = (id: string) => NAMED_EVENTS.findIndex((e) => e.id === id);
  events.sort((a, b) => eventOrder(a.eventId) - eventOrder(b.eventId) || a.profileId.localeCompare(b.profileId) || a.seriesId.localeCompare(b.seriesId));
  fastTighten.sort((a, b) => a.profileId.localeCompare(b.profileId) || a.id.localeCompare(b.id));
  comparison.sort((a, b) => a.asset.localeCompare(b.asset));
  const monitor = monitorSection(results, jobs, dataDir);
  const totalMs = performance.now() - started;

  const hourly = summaries.filter((s) => s.profileKind === 'lending' && s.barLabel === '1h');
  const daily = summaries.filter((s) => s.profileKind === 'lending' && s.barLabel === '1d');
  const args = process.argv.slice(2);
  const command = args.length > 0 ? `npm run backtest -- ${args.join(' ')}` : 'npm run backtest';
  const sections = [
    `# Backtest results\n\n\`${command}\`: ${count(results.reduce((n, r) => n + r.steps.length, 0))} daily steps in ${seconds(totalMs)} ` +
      `(${options.workers} worker thread(s); floor: ${profiles.map((p) => `${p.id} ${floorLabel(p, policy)}`).join(', ')}).`,
    `## Lending, hourly bars (4 h horizon, alpha ${lendingProfile?.confidence ?? '-'})\n\n${lendingTable(hourly)}`,
    `## Verdict against the naive baseline\n\n${VERDICT_RULES}\n\n${verdictTable([...hourly, ...daily])}\n\n${pooledLine(hourly, 'Pooled, hourly lending series')}`,
    `### Compact (for the README)\n\n${readmeTable(summaries)}`,
    `## Floors and clamps: steps on which each bound\n\n${bindsTable(summaries)}`,
    `## Latest recommendation held fixed over every scored window (the whole history unless --from / --to)\n\n${heldFixedTable(summaries)}`,
    daily.length > 0 ? `## Lending, daily bars (1-day horizon, reported separately)\n\n${lendingTable(daily)}` : '',
    summaries.some((s) => s.profileKind === 'perp') ? `## Perps, 5-minute bars (5 min horizon)\n\n${perpTable(summaries)}` : '',
    events.length > 0 ? `## Named events\n\n${eventsTable(events)}` : '',
    `## Fast tighten path on crash days\n\n${fastTightenTable(fastTighten)}`,
    monitor ? `## Stress monitor\n\n${monitor.markdown}` : '',
    comparison.length > 0 ? `## Latest recommendation vs Aave v3 Ethereum live parameters\n\n${comparisonTable(comparison)}` : '',
  ].filter(Boolean);
  const markdown = `${sections.join('\n\n')}\n`;

  mkdirSync(path.join(options.outDir, 'charts'), { recursive: true });
  const chartFiles: string[] = [];
  for (const r of results) {
    const file = path.join(options.outDir, 'charts', `${r.id}-${r.profileId}.svg`);
    writeFileSync(file, seriesChartSvg(r));
    chartFiles.push(file);
  }
  writeFileSync(path.join(options.outDir, 'summary.md'), markdown);
  const jsonFile = path.join(options.outDir, 'backtest.json');
  const report = {
    command,
    generatedAt: new Date().toISOString(),
    dataDir,
    options: { assets: options.assets, profile: options.profileId, from: options.fromMs ?? null, to: options.toMs ?? null, simulationPaths: policy.simulationPaths, floor: Object.fromEntries(profiles.map((p) => [p.id, floorLabel(p, policy)])), workers: options.workers },
    timing: { totalMs: Math.round(totalMs), perSeries: results.map((r, i) => ({ id: r.id, profileId: r.profileId, steps: r.steps.length, ms: Math.round(elapsedMs[i]!) })) },
    liquidity: Object.fromEntries([...liquidity].map(([asset, choice]) => [asset, choice.source])),
    skippedFiles: plan.skipped,
    badPrintsRepaired: Object.fromEntries(repaired),
    pooled: { hourlyLending: pooledCoverage(hourly) },
    floorCalibrations: Object.fromEntries([...schedules].map(([id, schedule]) => [id, schedule.map((c) => ({ from: isoDay(c.fromMs), refitted: c.refitted, tail: c.tail }))])),
    summaries,
    events,
    fastTighten,
    monitor: monitor?.json ?? null,
    comparison,
    series: results,
  };
  writeFileSync(jsonFile, JSON.stringify(report, compactNumbers));

  console.log(`\n${markdown}`);
  console.log(`wrote ${jsonFile} (${(statSync(jsonFile).size / 1e6).toFixed(1)} MB, every step), ${path.join(options.outDir, 'summary.md')}, ${chartFiles.length} charts in ${path.join(options.outDir, 'charts')}`);
  console.log(`total ${seconds(totalMs)}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
