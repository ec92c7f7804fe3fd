import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README promises Node >= the `engines.node` floor of package.json: every locked package (what
 * `npm ci` installs) must accept that floor, or `npm ci` warns EBADENGINE and the promise is false.
 * Ranges are read in the subset npm packages use here: `>=a.b.c`, `^a.b.c`, `a || b`, bare majors.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(resolve(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean }>;
};

type Version = [number, number, number];
const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text.replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10));
  return [major, minor, patch];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` satisfies `range`; null when the range uses a form this reader does not know. */
function admits(range: string, version: Version): boolean | null {
  let unknown = false;
  const ok = range.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split('||').some((alternative) => {
    const parts = alternative.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0 || parts[0] === '*') return true;
    return parts.every((part) => {
      const m = /^(>=|>|<=|<|\^|~|=)?\s*v?(\d+(?:\.\d+){0,2})(?:\.[x*])*$/.exec(part);
      if (!m) {
        unknown = true;
        return false;
      }
      const bound = parse(m[2]!);
      const c = compare(version, bound);
      switch (m[1]) {
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        case '^':
          return c >= 0 && version[0] === bound[0];
        case '~':
          return c >= 0 && version[0] === bound[0] && version[1] === bound[1];
        default:
          // Bare or `=`: as many components as written must match.
          return m[2]!.split('.').every((n, i) => version[i] === Number(n));
      }
    });
  });
  return unknown && !ok ? null : ok;
}

describe('Node engines', () => {
  it('reads the range forms of the lock file', () => {
    expect(admits('>=22.14.0', [20, 19, 0])).toBe(false);
    expect(admits('>=20', [20, 19, 0])).toBe(true);
    expect(admits('^20.19.0 || >=22.12.0', [20, 19, 0])).toBe(true);
    expect(admits('^20.19.0 || >=22.12.0', [21, 0, 0])).toBe(false);
    expect(admits('18 || 20 || >=22', [20, 19, 0])).toBe(true);
    expect(admits('>= 14.17', [20, 19, 0])).toBe(true);
    expect(admits('10.* || >= 12.*', [20, 19, 0])).toBe(true);
  });

  it(`every package npm ci installs accepts Node ${pkg.engines.node} (README's promise)`, () => {
    const floor = parse(pkg.engines.node.replace(/^>=\s*/, ''));
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !p.optional && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => admits((p.engines as { node: string }).node, floor) !== true)
      .map(([path, p]) => `${path.replace(/^node_modules\//, '')}@${p.version}: node ${(p.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });
});
