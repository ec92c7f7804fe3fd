/** One leaf that differs between the stored record and the recomputed one. */
export interface FigureDifference {
  /** Dotted path, array indexes in brackets: `figures.adverseMove`, `steps[2].proposed`. */
  path: string;
  /** undefined: absent on that side. */
  stored: unknown;
  recomputed: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every leaf where `a` and `b` differ, exactly (numbers by ===; NaN never reaches a record). An absent key
 * and an undefined value are the same (DynamoDB drops undefined attributes).
 */
export function differences(stored: unknown, recomputed: unknown, path = ''): FigureDifference[] {
  if (Array.isArray(stored) && Array.isArray(recomputed)) {
    const out: FigureDifference[] = [];
    for (let i = 0; i < Math.max(stored.length, recomputed.length); i++) out.push(...differences(stored[i], recomputed[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(stored) && isObject(recomputed)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(recomputed)])].sort();
    return keys.flatMap((k) => differences(stored[k], recomputed[k], path ? `${path}.${k}` : k));
  }
  return stored === recomputed ? [] : [{ path, stored, recomputed }];
}
