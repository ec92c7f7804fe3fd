/**
 * CORS policy, as configuration: reads are open to any origin (public data; pollers and dashboards
 * elsewhere may fetch it), writes are not (a browser on another origin must not be able to POST with a
 * token it holds). A preflight for a write path gets no allow headers, so the browser refuses.
 */
export const CORS_POLICY = {
  readOrigin: '*',
  readMethods: ['GET', 'HEAD'],
  /** Non-safelisted request headers a reader may send: If-None-Match for conditional polling. */
  allowRequestHeaders: ['if-none-match'],
  /** Response headers a script may read beyond the safelisted ones. */
  exposeHeaders: ['etag', 'retry-after'],
  preflightMaxAgeSeconds: 86_400,
} as const;

/** Headers on every GET/HEAD response of the API (including problems, 304s and 429s). */
export function corsReadHeaders(): Record<string, string> {
  return {
    'access-control-allow-origin': CORS_POLICY.readOrigin,
    'access-control-expose-headers': CORS_POLICY.exposeHeaders.join(', '),
  };
}

/** The answer to a preflight for a read path. */
export function corsPreflightHeaders(): Record<string, string> {
  return {
    'access-control-allow-origin': CORS_POLICY.readOrigin,
    'access-control-allow-methods': CORS_POLICY.readMethods.join(', '),
    'access-control-allow-headers': CORS_POLICY.allowRequestHeaders.join(', '),
    'access-control-max-age': String(CORS_POLICY.preflightMaxAgeSeconds),
  };
}
