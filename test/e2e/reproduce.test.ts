import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TABLE_NAME, startRuntime, type Runtime } from '../../local/runtime.js';
import { DEFAULT_CONFIG } from '../../shared/config/defaults.js';
import { ReplayMarket } from '../../shared/market/replay/market.js';
import { compress, decodeBars, decompress, encodeBars, parseJsonPart, type InputsManifest } from '../../shared/reproduce/inputs.js';
import { InputsNotStoredError, reproduceVersion, VersionNotFoundError, type ReproduceRequest } from '../../shared/reproduce/reproduce.js';
import { createDocumentClient } from '../../shared/store/client.js';
import { keys } from '../../shared/store/table.js';
import { HAS_REAL_DATA, NO_REAL_DATA_REASON, REAL_DATA_DIR } from '../support/real-data.js';

/**
 * Issue 16 part 5, acceptance: `npm run reproduce` returns "identical" for every version of an end-to-end
 * run (the local runtime: real DynamoDB-API server on disk, the cycle's handlers), simulated and replayed,
 * and reports the difference when a stored input is altered (exit 1). Two cycles each, so the second
 * version's save reuses the parts the first stored.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const ASSETS = ['BTC', 'ETH'];
const exec = promisify(execFile);

/** The CLI as `npm run reproduce` runs it; resolves with its exit code and output, whatever the code. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, ['--import', 'tsx', 'scripts/reproduce.ts', ...args], { cwd: ROOT, env: { ...process.env, TABLE_NAME: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function useRuntime(source: 'sim' | 'replay'): { runtime: () => Runtime; configFile: () => string } {
  let runtime: Runtime | undefined;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), `advisor-reproduce-${source}-`));
    const configFile = join(dataDir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ assets: DEFAULT_CONFIG.assets!.filter((a) => ASSETS.includes(a.symbol)) }));
    const clockMs = source === 'replay' ? new ReplayMarket({ dataDir: REAL_DATA_DIR }).coverage('BTC', '1h')!.endMs : Date.UTC(2026, 11, 1);
    runtime = await startRuntime({ dataDir, port: 0, apiToken: 'reproduce-token-0123456789', configFile, source, clockMs, ...(source === 'replay' ? { replayDir: REAL_DATA_DIR } : {}) });
    for (let cycle = 0; cycle < 2; cycle++) expect((await runtime.runCycle()).runId).toBeTruthy();
  }, 240_000);
  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { runtime: () => runtime!, configFile: () => join(dataDir, 'config.json') };
}

async function storedVersions(runtime: Runtime): Promise<ReproduceRequest[]> {
  const out: ReproduceRequest[] = [];
  for (const asset of ASSETS) {
    for (const profile of runtime.deps.config.profiles) {
      const page = await runtime.deps.store.recommendations.history(asset, profile.id, { limit: 10 });
      out.push(...page.items.map((r) => ({ asset, profileId: profile.id, version: r.version })));
    }
  }
  return out;
}

/** Rewrites the newest candle block of a version with its last close 10 % higher, under the same key. */
async function alterNewestBars(runtime: Runtime, request: ReproduceRequest): Promise<string> {
  const rec = (await runtime.deps.store.recommendations.version(request.asset, request.profileId, request.version))!;
  const manifest = parseJsonPart<InputsManifest>((await runtime.deps.store.inputs.get('manifest', rec.inputsDigest))!);
  const digest = manifest.candles.blocks.at(-1)!;
  const doc = createDocumentClient({ endpoint: runtime.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  try {
    const key = { pk: keys.input(digest), sk: keys.inputSort('bars') };
    const item = (await doc.send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: key }))).Item!;
    const bars = decodeBars(decompress(item.body as Uint8Array));
    bars[bars.length - 1]!.close *= 1.1;
    await doc.send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item: { ...key, body: compress(encodeBars(bars)) } }));
  } finally {
    doc.destroy();
  }
  return digest;
}

function describeSource(source: 'sim' | 'replay', skip: string | null) {
  describe.skipIf(skip !== null)(`npm run reproduce, ${source} source${skip ? ` (${skip})` : ''}`, () => {
    const ctx = useRuntime(source);

    it('recomputes every stored version identically, and the CLI says so (exit 0)', async () => {
      const versions = await storedVersions(ctx.runtime());
      expect(versions).toHaveLength(ASSETS.length * 2 * 2);
      let bars = 0;
      for (const request of versions) {
        const result = await reproduceVersion(ctx.runtime().deps.store, request);
        expect(result.differences, `${request.asset}/${request.profileId} v${request.version}`).toEqual([]);
        expect(result.alteredInputs).toEqual([]);
        expect(result.identical).toBe(true);
        bars += result.rebuilt.bars;
      }
      // Replay: the 5 m recordings may end before the clock (those versions hold no-data), the hourly ones do not.
      expect(bars).toBeGreaterThan(0);
      const run = await cli(['--all', '--config', ctx.configFile(), '--endpoint', ctx.runtime().dynamoEndpoint]);
      expect(run.stderr).not.toMatch(/error:/);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('BTC / aave-v3-ethereum v2: identical (');
      expect(run.stdout).toContain(`${versions.length} of ${versions.length} versions identical`);
    }, 120_000);

    it('an altered stored input is reported, with each figure that then differs (exit 1)', async () => {
      const request = { asset: 'BTC', profileId: 'aave-v3-ethereum', version: 2 };
      const digest = await alterNewestBars(ctx.runtime(), request);
      const result = await reproduceVersion(ctx.runtime().deps.store, request);
      expect(result.identical).toBe(false);
      expect(result.alteredInputs).toEqual([{ kind: 'bars', expected: digest, actual: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }]);
      expect(result.differences.length).toBeGreaterThan(0);
      const run = await cli(['--asset', 'BTC', '--profile', 'aave-v3-ethereum', '--version', '2', '--endpoint', ctx.runtime().dynamoEndpoint]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('BTC / aave-v3-ethereum v2: DIFFERS');
      expect(run.stdout).toContain(`input altered: bars stored as ${digest} now hashes to`);
      const figure = result.differences[0]!;
      expect(run.stdout).toContain(`  ${figure.path}: stored ${JSON.stringify(figure.stored)}, recomputed ${JSON.stringify(figure.recomputed)}`);
    }, 120_000);

    it('a version that is not stored, or stored without inputs, is a one-line error (exit 2)', async () => {
      await expect(reproduceVersion(ctx.runtime().deps.store, { asset: 'BTC', profileId: 'perp-dex', version: 99 })).rejects.toBeInstanceOf(VersionNotFoundError);
      const rec = (await ctx.runtime().deps.store.recommendations.version('ETH', 'perp-dex', 1))!;
      const doc = createDocumentClient({ endpoint: ctx.runtime().dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
      await doc.send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item: { ...rec, pk: keys.asset('ETH'), sk: keys.recommendationVersion('perp-dex', 50), version: 50, inputsDigest: 'sha256:0000' } }));
      doc.destroy();
      await expect(reproduceVersion(ctx.runtime().deps.store, { asset: 'ETH', profileId: 'perp-dex', version: 50 })).rejects.toBeInstanceOf(InputsNotStoredError);
      const missing = await cli(['--asset', 'BTC', '--profile', 'perp-dex', '--version', '99', '--endpoint', ctx.runtime().dynamoEndpoint]);
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim()).toBe('error: no stored version 99 of BTC / perp-dex');
      const usage = await cli(['--asset', 'BTC']);
      expect(usage.code).toBe(2);
      expect(usage.stderr.trim().split('\n')).toHaveLength(1);
      expect(usage.stderr).toMatch(/^error: --asset, --profile and --version are required/);
    }, 120_000);
  });
}

describeSource('sim', null);
describeSource('replay', HAS_REAL_DATA ? null : NO_REAL_DATA_REASON);
