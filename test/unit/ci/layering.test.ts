import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The maths layers stay pure: shared/numerics knows nothing of the domain, and shared/risk (the engine)
 * knows nothing of markets, storage, the cycle, the API or governance. Read from the sources (import and
 * export-from statements, dynamic imports), so a violation fails here before it shows up as a cycle.
 */
const ROOT = resolve(import.meta.dirname, '../../..');

/** Layer -> shared/ directories it must not import from. */
const FORBIDDEN: Record<string, readonly string[]> = {
  'shared/numerics': ['shared/risk', 'shared/market', 'shared/store', 'shared/cycle', 'shared/api', 'shared/governance'],
  'shared/risk': ['shared/market', 'shared/store', 'shared/cycle', 'shared/api', 'shared/governance'],
};

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Module specifiers of static imports, re-exports and dynamic imports (comments are not read). */
function importedSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specifiers: string[] = [];
  for (const m of code.matchAll(/\b(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/g)) specifiers.push(m[1]!);
  for (const m of code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) specifiers.push(m[1]!);
  for (const m of code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(m[1]!);
  return specifiers;
}

/** Every import of `layer`'s files that lands in a forbidden directory, as "file -> target". */
function violations(layer: string, forbidden: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(resolve(ROOT, layer))) {
    for (const specifier of importedSpecifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(ROOT, resolve(file, '..', specifier)).split('\\').join('/');
      if (forbidden.some((dir) => target === dir || target.startsWith(`${dir}/`))) found.push(`${relative(ROOT, file)} -> ${target}`);
    }
  }
  return found;
}

describe('layering of the maths', () => {
  it('reads imports, re-exports and dynamic imports, not comments', () => {
    const source = [
      "import { a } from '../market/rng.js';",
      "import type {\n  B,\n} from '../store/x.js';",
      "export { c } from './c.js';",
      "import './side-effect.js';",
      "const d = await import('../cycle/d.js');",
      "// import { e } from '../api/e.js';",
      "/** import { f } from '../governance/f.js'; */",
    ].join('\n');
    expect(importedSpecifiers(source)).toEqual(['../market/rng.js', '../store/x.js', './c.js', './side-effect.js', '../cycle/d.js']);
  });

  for (const [layer, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${layer} imports nothing from ${forbidden.join(', ')}`, () => {
      expect(sourceFiles(resolve(ROOT, layer)).length).toBeGreaterThan(0);
      expect(violations(layer, forbidden)).toEqual([]);
    });
  }
});
