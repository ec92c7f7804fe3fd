import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `.ci/run` on a copy of the repository's CI files with or without a sibling `shared/data`: without the
 * real data it fails at once with one line naming the path, before installing anything. `npm` and
 * `apt-get` are replaced on PATH by scripts that only record that they were reached.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const LIST = 'test/support/real-data-files.json';
const files = (JSON.parse(readFileSync(join(ROOT, LIST), 'utf8')) as { files: string[] }).files;
const work = mkdtempSync(join(tmpdir(), 'ci-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function workspace(name: string, dataFiles: readonly string[] | null) {
  const base = join(work, name);
  const repo = join(base, 'repo');
  mkdirSync(join(repo, '.ci'), { recursive: true });
  mkdirSync(dirname(join(repo, LIST)), { recursive: true });
  copyFileSync(join(ROOT, '.ci/run'), join(repo, '.ci/run'));
  copyFileSync(join(ROOT, LIST), join(repo, LIST));
  if (dataFiles) {
    for (const file of dataFiles) {
      mkdirSync(dirname(join(base, 'shared/data', file)), { recursive: true });
      writeFileSync(join(base, 'shared/data', file), '');
    }
  }
  const bin = join(base, 'bin');
  mkdirSync(bin);
  for (const tool of ['npm', 'apt-get']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "reached ${tool} $* ADVISOR_REQUIRE_REAL_DATA=$ADVISOR_REQUIRE_REAL_DATA"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  return spawnSync('bash', [join(repo, '.ci/run')], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
}

describe('.ci/run and ../shared/data', () => {
  it('no ../shared/data: exits 1 with one line naming the path, installs and tests nothing', () => {
    const run = workspace('none', null);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('reached');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\.ci\/run: real data missing: \.\.\/shared\/data .*lacks 25 of 25 files/);
  });

  it('one file missing: exits 1 naming that file', () => {
    const run = workspace('partial', files.slice(1));
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('reached');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`lacks 1 of ${files.length} files the real-data tests read: ${files[0]}`);
  });

  it('all files present: goes on to npm ci and npm test with the real-data tests required', () => {
    const run = workspace('full', files);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('reached npm ci');
    expect(run.stdout).toContain('reached npm test ADVISOR_REQUIRE_REAL_DATA=1');
  });
});
