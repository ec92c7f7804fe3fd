import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README's "Where each rule lives" table is a map a reader trusts: every row names a file and a symbol
 * defined in it. A move or a rename that forgets the README fails here.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

/** Rows of the table under the "Where each rule lives" heading: [rule, file, symbol]. */
function layoutRows(markdown: string): Array<[string, string, string]> {
  const start = markdown.indexOf('### Where each rule lives');
  if (start < 0) return [];
  const section = markdown.slice(start).split(/\n#{2,3} /)[0]!;
  const rows: Array<[string, string, string]> = [];
  for (const line of section.split('\n')) {
    const m = /^\| (.+?) \| `([^`]+)` \| `([^`]+)` \|$/.exec(line.trim());
    if (m) rows.push([m[1]!, m[2]!, m[3]!]);
  }
  return rows;
}

/** A declaration of `symbol` at the top level of a module (export or not). */
function declares(source: string, symbol: string): boolean {
  const name = symbol.replace(/[$]/g, '\\$');
  return new RegExp(`\\b(?:function|const|let|class|interface|type|enum)\\s+${name}\\b`).test(source);
}

describe('README: where each rule lives', () => {
  const rows = layoutRows(README);

  it('names the rules the issue asks a reader to find', () => {
    const rules = rows.map(([rule]) => rule.toLowerCase()).join('\n');
    for (const wanted of ['liquidation bonus', 'steward bounds', 'the tail', 'kupiec', 'discourse idempotency', 'parameter catalogue']) {
      expect(rules, wanted).toContain(wanted);
    }
  });

  it.each(rows)('%s: %s defines %s', (_rule, file, symbol) => {
    const path = resolve(ROOT, file);
    expect(existsSync(path), `${file} exists`).toBe(true);
    expect(declares(readFileSync(path, 'utf8'), symbol), `${file} declares ${symbol}`).toBe(true);
  });
});
