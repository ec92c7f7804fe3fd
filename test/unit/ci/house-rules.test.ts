import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * House rules read from the sources: every refusal is a named error (an AdvisorError subclass carrying
 * its data), bps <-> fraction goes through shared/util/units.ts and ms-per-hour/day through
 * shared/util/time.ts, so each conversion is written once and a stray `/ 1e3` typo cannot hide among them.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const SOURCE_DIRS = ['shared', 'functions', 'infra', 'local', 'scripts', 'bench', 'dashboard/src'];
const GENERATED = /\.generated\.ts$/;

interface Rule {
  name: string;
  pattern: RegExp;
  /** Files where the pattern is the definition itself, or quoted text rather than code (with why). */
  allowed: readonly string[];
}

const RULES: readonly Rule[] = [
  { name: 'throw new Error( (use a named AdvisorError)', pattern: /throw new Error\(/, allowed: [] },
  {
    name: 'ms-per-minute/hour/day by hand (use shared/util/time.ts)',
    pattern: /\b(?:86_?400_?000|3_?600_?000)\b|[*/%]\s*60_?000\b/,
    // calibration/doc.ts quotes the fit's call in the prose of docs/calibration.md.
    allowed: ['shared/util/time.ts', 'shared/calibration/doc.ts'],
  },
  {
    name: 'bps <-> fraction by hand (use bpsToFraction / fractionToBps)',
    pattern: /[/*]\s*(?:1e4|10_?000)\b(?!\.)/,
    allowed: ['shared/util/units.ts'],
  },
];

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) && !GENERATED.test(entry.name) ? [path] : [];
  });
}

/** "file:line: text" for every line of `files` (repository-relative) matching the rule outside its allowed files. */
function offences(rule: Rule, files: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, source] of files) {
    if (rule.allowed.includes(file)) continue;
    source.split('\n').forEach((line, index) => {
      if (rule.pattern.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

const sources = new Map(
  SOURCE_DIRS.flatMap((dir) => sourceFiles(resolve(ROOT, dir))).map((file) => [relative(ROOT, file).split('\\').join('/'), readFileSync(file, 'utf8')] as const),
);

describe('house rules in the sources', () => {
  it('recognises each offence and nothing else', () => {
    const sample = new Map([
      [
        'shared/x.ts',
        [
          "throw new Error('no');",
          'const day = 86_400_000;',
          'const hourMs = 3600000;',
          'const minutes = ms / 60_000;',
          'const startTimeoutMs = 60_000;',
          'const ltv = ltvBps / 1e4;',
          'const bps = fraction * 10_000;',
          'const spread = delta / 10000;',
          'const cap = Math.min(10_000, bps);',
          'const timeoutMs = 10_000;',
          'throw new NamedError(1);',
        ].join('\n'),
      ],
      ['shared/util/units.ts', 'export const bpsToFraction = (bps: number) => bps / 10_000;'],
    ]);
    expect(RULES.map((rule) => offences(rule, sample).map((o) => o.split(':')[1]))).toEqual([['1'], ['2', '3', '4'], ['6', '7', '8']]);
  });

  it('reads the source tree', () => {
    expect(sources.size).toBeGreaterThan(100);
  });

  for (const rule of RULES) {
    it(`no ${rule.name}`, () => {
      expect(offences(rule, sources)).toEqual([]);
    });
  }
});
