import { createHash } from 'node:crypto';

/** Strong ETag over the exact bytes of a representation. */
export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/**
 * True when `If-None-Match` names `etag` (or is `*`). RFC 9110 compares If-None-Match weakly, so a
 * `W/` prefix a proxy may have added still matches.
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((raw) => {
    const tag = raw.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
