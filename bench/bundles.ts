import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantileSorted } from '../shared/numerics/statistics.js';
import { BundleBenchError } from './errors.js';
import { line } from './print.js';

/**
 * What deploys: synthesizes the CDK app into a temporary directory (the same esbuild bundling as
 * `npm run synth`), prints each function's bundle size against the 1 MB budget, then loads the API
 * bundle in fresh Node processes and prints its init time (module load + the handler answering its
 * first request) against the 300 ms budget.
 */

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE_BUDGET_BYTES = 1_000_000;
const API_INIT_BUDGET_MS = 300;
const INIT_SAMPLES = 7;

interface FunctionBundle {
  logicalId: string;
  handler: string;
  bytes: number;
  dir: string;
}

/** Lambda functions of a synthesized template with their asset directories. */
function bundlesOf(outdir: string): FunctionBundle[] {
  const templateFile = readdirSync(outdir).find((f) => f.endsWith('.template.json'));
  if (!templateFile) throw new BundleBenchError('BENCH_NO_TEMPLATE', `no template in ${outdir}`, { outdir });
  const template = JSON.parse(readFileSync(join(outdir, templateFile), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }> };
  const bundles: FunctionBundle[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const assetPath = resource.Metadata?.['aws:asset:path'] as string | undefined;
    if (!assetPath) continue; // CDK's own helper functions (inline code)
    const dir = join(outdir, assetPath);
    const entry = ['index.mjs', 'index.js'].map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!entry) continue;
    bundles.push({ logicalId, handler: String(resource.Properties.Handler), bytes: statSync(entry).size, dir });
  }
  return bundles.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/**
 * One fresh process, as a Lambda cold start runs it (with --enable-source-maps, as the functions' NODE_OPTIONS
 * set): import the API bundle and answer GET /v1/health (a route without I/O).
 */
function apiInitMs(bundleDir: string): { importMs: number; firstRequestMs: number } {
  const script = `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(join(bundleDir, 'index.mjs'))});
    const t1 = performance.now();
    const event = { version: '2.0', routeKey: '$default', rawPath: '/v1/health', rawQueryString: '', headers: {},
      requestContext: { http: { method: 'GET', path: '/v1/health', sourceIp: '127.0.0.1' }, requestId: 'bench', timeEpoch: Date.now() } };
    const response = await handler(event, { getRemainingTimeInMillis: () => 10000 });
    const t2 = performance.now();
    if (response.statusCode !== 200) {
      console.error('health answered ' + response.statusCode + ': ' + response.body);
      process.exit(1);
    }
    console.log(JSON.stringify({ importMs: t1 - t0, firstRequestMs: t2 - t1 }));
  `;
  const result = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      TABLE_NAME: 'bench',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ADVISOR_AUTH_MODE: 'iam',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
  if (result.status !== 0) throw new BundleBenchError('BENCH_API_BUNDLE_START', `API bundle failed to start: ${result.stderr}`, { bundleDir, stderr: result.stderr });
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as { importMs: number; firstRequestMs: number };
}

/** Whether the bundle loads in a fresh Node process (a broken alias or a missing module fails here, not in Lambda). */
function loads(bundleDir: string): string {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(bundleDir, 'index.mjs'))})`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
  });
  return result.status === 0 ? 'loads' : `DOES NOT LOAD: ${result.stderr.trim().split('\n').slice(-1)[0]}`;
}

export async function benchBundles(): Promise<void> {
  console.log('\nLambda bundles as deployed (cdk synth, esbuild, minified; budget 1 MB each)');
  const outdir = mkdtempSync(join(tmpdir(), 'advisor-synth-'));
  try {
    const started = performance.now();
    const synth = spawnSync(resolve(PROJECT_ROOT, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--output', outdir], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
      encoding: 'utf8',
    });
    if (synth.status !== 0) throw new BundleBenchError('BENCH_CDK_SYNTH', `cdk synth failed:\n${synth.stderr}`, { stderr: synth.stderr });
    line('cdk synth (all bundles)', `${((performance.now() - started) / 1000).toFixed(1)} s`);
    const bundles = bundlesOf(outdir);
    for (const b of bundles) {
      const verdict = b.bytes < BUNDLE_BUDGET_BYTES ? 'ok' : 'OVER BUDGET';
      line(`${b.logicalId} (${b.handler})`, `${(b.bytes / 1024).toFixed(0)} KiB  ${verdict}, ${loads(b.dir)}`);
    }
    const api = bundles.find((b) => /^Api/.test(b.logicalId));
    if (!api) {
      line('API function', 'not found in the template');
      return;
    }
    const samples = Array.from({ length: INIT_SAMPLES }, () => apiInitMs(api.dir));
    const totals = samples.map((s) => s.importMs + s.firstRequestMs).sort((a, b) => a - b);
    const imports = samples.map((s) => s.importMs).sort((a, b) => a - b);
    line(`API init, fresh process x${INIT_SAMPLES}: module load, median`, `${quantileSorted(imports, 0.5).toFixed(0)} ms`);
    line(
      `API init + first request (GET /v1/health), median / worst`,
      // Judged on the median: a single sample on a shared 2-core machine measures the neighbours too.
      `${quantileSorted(totals, 0.5).toFixed(0)} / ${totals[totals.length - 1]!.toFixed(0)} ms  ${quantileSorted(totals, 0.5) < API_INIT_BUDGET_MS ? 'ok' : 'OVER BUDGET'} (budget ${API_INIT_BUDGET_MS} ms, median)`,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await benchBundles();
