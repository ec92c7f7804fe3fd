/** A field path as people write it: `profiles[0].confidence`, `query.limit` (zod issue paths, config and API errors). */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}
