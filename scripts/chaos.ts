import '../local/preamble.js';
import { parseArgs } from 'node:util';
import { FULL_COUNTS, scaledCounts } from './chaos/config.js';
import { SCENARIOS, runChaos } from './chaos/index.js';
import { renderReport } from './chaos/report.js';
import { passed, type ScenarioId } from './chaos/result.js';

const USAGE = `Fault suite: seeded fault scenarios against the real local runtime

Usage: npm run chaos [-- options]

  --seed <n>       seed of every random choice (default 1)
  --only <list>    scenarios to run, e.g. a,c (default a,b,c,d)
                     a ${FULL_COUNTS.fuzzRequests} fuzzed requests    b ${FULL_COUNTS.kills} kills + restarts
                     c ${FULL_COUNTS.concurrentRecomputes} concurrent recomputes  d ${FULL_COUNTS.ingestRaces} racing ingest pairs
  --scale <f>      fraction of the full counts, 0 < f <= 1 (default 1)
  --keep           keep the temporary data directories
  -h, --help       this text

Exit status 0 when every check holds, 1 when one fails, 2 on a usage error.`;

function usageError(message: string): never {
  console.error(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string', default: '1' },
        only: { type: 'string' },
        scale: { type: 'string', default: '1' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) usageError(`--seed must be a non-negative integer, got ${JSON.stringify(values.seed)}`);
  const scale = Number(values.scale);
  if (!(scale > 0 && scale <= 1)) usageError(`--scale must be in (0, 1], got ${JSON.stringify(values.scale)}`);
  const only = values.only?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = only?.filter((s) => !(s in SCENARIOS)) ?? [];
  if (unknown.length > 0 || (only && only.length === 0)) usageError(`--only takes scenarios among ${Object.keys(SCENARIOS).join(',')}, got ${JSON.stringify(values.only)}`);

  const counts = scaledCounts(scale);
  console.log(`Fault suite, seed ${seed}, scale ${scale}: ${JSON.stringify(counts)}`);
  const results = await runChaos({
    seed,
    counts,
    ...(only ? { only: only as ScenarioId[] } : {}),
    keepData: values.keep,
    log: (line) => console.log(line),
    onResult: (r) => console.log(`(${r.id}) ${r.scenario}: ${passed(r) ? 'PASS' : 'FAIL'}`),
  });
  console.log(`\n${renderReport(results)}`);
  return results.every(passed) ? 0 : 1;
}

// The SDK's notice about future Node versions is not a finding of the suite.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Ctrl-C: runChaos's cleanup kills the children on exit.
process.once('SIGINT', () => process.exit(130));
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
