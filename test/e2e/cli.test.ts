import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../shared/config/defaults.js';

/**
 * The CLI (`tsx local/main.ts`) as a user runs it: real processes, real signals, a real data directory.
 * A small universe (2 assets, short lookbacks) keeps each cycle short; nothing here depends on speed:
 * every wait is for a line of output or for the process to exit.
 */

const ROOT = resolve(import.meta.dirname, '../..');
// node with tsx's loader, not the tsx CLI: signals go straight to the advisor, not through tsx's relay.
const NODE_ARGS = ['--import', 'tsx'];
const work = mkdtempSync(join(tmpdir(), 'advisor-cli-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function smallConfig(extra: Record<string, unknown> = {}): string {
  const assets = (DEFAULT_CONFIG.assets as { symbol: string }[]).filter((a) => a.symbol === 'BTC' || a.symbol === 'ETH');
  const profiles = (DEFAULT_CONFIG.profiles as Record<string, unknown>[]).map((p) => ({ ...p, assets: [], lookbackDays: 20 }));
  const file = join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ assets, profiles, ...extra }));
  return file;
}

interface Cli {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output contains `text` (rejects if the process exits first). */
  waitFor(text: string | RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function cli(args: string[]): Cli {
  const child = spawn(process.execPath, [...NODE_ARGS, 'local/main.ts', ...args], { cwd: ROOT, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { test: (s: string) => boolean; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (w.test(stdout)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr })),
  );
  return {
    child,
    output: () => stdout,
    waitFor: (text) =>
      new Promise<void>((resolveWait, reject) => {
        const test = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
        if (test(stdout)) return resolveWait();
        waiters.push({ test, resolve: resolveWait });
        void exited.then((r) => reject(new Error(`exited (${r.code ?? r.signal}) before printing ${String(text)}:\n${r.stdout}\n${r.stderr}`)));
      }),
    exited,
  };
}

describe('command line mistakes: one line and a usage hint, exit 2', () => {
  it.each([
    [['--bogus'], /^error: Unknown option '--bogus'.*--help/],
    [['--port'], /^error: Option '--port <value>' argument missing.*--help/],
    [['--port', 'abc'], /^error: port must be an integer 0-65535, got "abc".*--help/],
  ])('%j', async (args, message) => {
    const result = await cli(args).exited;
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.trim()).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('Ctrl-C', () => {
  it('while idle: stops cleanly with exit 0 and the stopped line', { timeout: 240_000 }, async () => {
    const dataDir = join(work, 'idle');
    const run = cli(['--source', 'sim', '--port', '0', '--data-dir', dataDir, '--config', smallConfig()]);
    await run.waitFor('Ctrl-C to stop.');
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SIGINT: stopping');
    expect(result.stdout).toContain('stopped; data kept in');
    expect(result.stdout).not.toContain('forced exit');
  });

  it('during a cycle: finishes the cycle, exits 0, and leaves nothing for the next start to repair', { timeout: 300_000 }, async () => {
    const dataDir = join(work, 'cycle');
    const config = smallConfig();
    const run = cli(['--source', 'sim', '--port', '0', '--data-dir', dataDir, '--config', config]);
    await run.waitFor('cycle 1:');
    run.child.kill('SIGINT');
    const result = await run.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/cycle 1 finished in .* \(run \w+: succeeded\)/);
    expect(result.stdout).toContain('stopped; data kept in');

    // The next start finds no run left unfinished and no pointer behind its version.
    const again = await cli(['--once', '--source', 'sim', '--port', '0', '--data-dir', dataDir, '--config', config]).exited;
    expect(again.stdout).not.toContain('recovery');
    expect(again.stdout).toContain('existing local table');
    expect(again.code).toBe(0);
  });
});

describe('the data directory', () => {
  it('a second instance on the same data directory gets the friendly message and exits non-zero', { timeout: 240_000 }, async () => {
    const dataDir = join(work, 'shared');
    const config = smallConfig();
    const first = cli(['--source', 'sim', '--port', '0', '--data-dir', dataDir, '--config', config]);
    await first.waitFor('Ctrl-C to stop.');
    const second = await cli(['--source', 'sim', '--port', '0', '--data-dir', dataDir, '--config', config]).exited;
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/^error: cannot open the local database in .*another advisor running on the same data directory/m);
    expect(second.stderr).not.toMatch(/Database is closed|\n\s+at /);
    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
  });

  it('a data directory that cannot be written gets a one-line error and exits non-zero', async () => {
    const file = join(work, 'not-a-dir');
    writeFileSync(file, '');
    const result = await cli(['--source', 'sim', '--port', '0', '--data-dir', join(file, 'data')]).exited;
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^error: cannot write to the data directory /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('--once when no venue answers (live, offline)', () => {
  it('prints FAILED with the cause per asset, counts progress per run, and exits non-zero', { timeout: 240_000 }, async () => {
    // Venues on a loopback port nobody listens on: every request is refused at once.
    const venues = (DEFAULT_CONFIG.venues as Record<string, unknown>[]).map((v) => ({ ...v, baseUrl: 'http://127.0.0.1:9' }));
    const result = await cli(['--once', '--source', 'live', '--port', '0', '--data-dir', join(work, 'offline'), '--config', smallConfig({ venues })]).exited;
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/ done \(/);
    for (const asset of ['BTC', 'ETH']) expect(result.stdout).toMatch(new RegExp(`${asset}\\s+FAILED: no venue answered for ${asset}: binance: `));
    expect(result.stdout).toMatch(/\[1\/2\]/);
    expect(result.stdout).toMatch(/\[2\/2\]/);
    expect(result.stdout).not.toMatch(/underflow/i);
    expect(result.stderr).toMatch(/error: the run is failed/);
  });
});
