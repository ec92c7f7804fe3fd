/**
 * `npm run reproduce -- --asset BTC --profile aave-v3-ethereum --version 12`
 *
 * Rebuilds a stored recommendation version's inputs (candles, books, configuration, methodology version,
 * seed, clock) from the table, checks them against the version's `inputsDigest`, recomputes and prints
 * "identical" or each altered input and differing figure (shared/reproduce/). Exit 0 identical, 1 differs,
 * 2 usage error, version not found or inputs not stored (one `error:` line). docs/reproduce.md.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../shared/config/load.js';
import { profilesFor } from '../shared/config/profiles.js';
import { InputsNotStoredError, reproduceVersion, type ReproduceRequest } from '../shared/reproduce/reproduce.js';
import { reportLines } from '../shared/reproduce/report.js';
import { createDocumentClient } from '../shared/store/client.js';
import { createStore, type Store } from '../shared/store/index.js';
import { AdvisorError } from '../shared/util/errors.js';
import { LOCAL_TABLE_NAME, openLocalDatabase } from '../local/runtime.js';

const HELP = `npm run reproduce -- --asset <symbol> --profile <id> --version <n> [options]
  --asset <s>       the asset (e.g. BTC)
  --profile <id>    the profile (e.g. aave-v3-ethereum)
  --version <n>     the stored version to rebuild and recompute
  --all             every stored version of every asset and profile of the config (instead of the three above)
  --config <file>   the config whose assets and profiles --all walks (the versions carry their own)
  --data-dir <dir>  the local runtime's data (default .advisor; stop npm start first: one process holds it)
  --endpoint <url>  a running DynamoDB API instead (e.g. the local runtime's); with --table
  --table <name>    table name (default $TABLE_NAME, else ${LOCAL_TABLE_NAME}); $TABLE_NAME alone reads AWS
exit: 0 identical, 1 differs, 2 usage error or not reproducible`;

class UsageError extends AdvisorError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

function commandLine() {
  try {
    return parseArgs({
      options: {
        asset: { type: 'string' },
        profile: { type: 'string' },
        version: { type: 'string' },
        all: { type: 'boolean', default: false },
        config: { type: 'string' },
        'data-dir': { type: 'string', default: '.advisor' },
        endpoint: { type: 'string' },
        table: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

type Options = ReturnType<typeof commandLine>;

function requestOf(values: Options): ReproduceRequest | null {
  if (values.all) return null;
  const { asset, profile, version } = values;
  if (!asset || !profile || version === undefined) throw new UsageError('--asset, --profile and --version are required (or --all)');
  const n = Number(version);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--version must be a positive integer, got ${JSON.stringify(version)}`);
  return { asset: asset.toUpperCase(), profileId: profile, version: n };
}

/** The store the versions are in, and how to let go of it. */
async function openStore(values: Options): Promise<{ store: Store; close: () => Promise<void> }> {
  const table = values.table ?? (process.env.TABLE_NAME || LOCAL_TABLE_NAME);
  if (values.endpoint || process.env.TABLE_NAME) {
    const doc = createDocumentClient(values.endpoint ? { endpoint: values.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {});
    return { store: createStore(doc, table), close: async () => doc.destroy() };
  }
  const dataDir = resolve(values['data-dir']);
  const dynamo = await openLocalDatabase(join(dataDir, 'dynamodb'), dataDir);
  const doc = createDocumentClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  return { store: createStore(doc, table), close: async () => (doc.destroy(), dynamo.stop()) };
}

/** Every stored version of the config's (asset, profile) pairs, oldest first. */
async function allVersions(store: Store, configFile: string | undefined): Promise<ReproduceRequest[]> {
  const config = loadConfig(configFile);
  const out: ReproduceRequest[] = [];
  for (const asset of config.assets) {
    for (const profile of profilesFor(config, asset.symbol)) {
      let cursor: string | undefined;
      do {
        const page = await store.recommendations.history(asset.symbol, profile.id, { limit: 100, ...(cursor ? { cursor } : {}) });
        out.push(...page.items.map((r) => ({ asset: r.asset, profileId: r.profileId, version: r.version })));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
  }
  return out.sort((a, b) => a.asset.localeCompare(b.asset) || a.profileId.localeCompare(b.profileId) || a.version - b.version);
}

async function main(): Promise<number> {
  const values = commandLine();
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const single = requestOf(values);
  const { store, close } = await openStore(values);
  try {
    const requests = single ? [single] : await allVersions(store, values.config);
    if (requests.length === 0) throw new UsageError('no stored versions to reproduce');
    let differing = 0;
    let unreproducible = 0;
    for (const request of requests) {
      try {
        const result = await reproduceVersion(store, request);
        if (!result.identical) differing++;
        console.log(reportLines(result).join('\n'));
      } catch (error) {
        // One version of many that cannot be rebuilt (stored before its inputs were kept) does not stop --all.
        if (single || !(error instanceof InputsNotStoredError)) throw error;
        unreproducible++;
        console.log(`${request.asset} / ${request.profileId} v${request.version}: not reproducible: ${error.message}`);
      }
    }
    if (requests.length > 1) console.log(`${requests.length - differing - unreproducible} of ${requests.length} versions identical`);
    return differing > 0 ? 1 : unreproducible > 0 ? 2 : 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const hint = error instanceof UsageError ? ' (run with --help for usage)' : '';
    console.error(`error: ${(error as Error).message.split('\n')[0]}${hint}`);
    process.exit(2);
  },
);
