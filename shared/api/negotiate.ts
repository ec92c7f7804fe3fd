/**
 * Whether an `Accept` header admits a JSON representation: `*\/*`, `application/*`, `application/json`
 * or any `application/...+json`, with a non-zero q. No header means anything goes (RFC 9110 12.5.1).
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) return false;
    return type === '*/*' || type === 'application/*' || type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
  });
}
