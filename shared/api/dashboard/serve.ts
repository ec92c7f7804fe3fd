import { DASHBOARD_ASSETS } from './assets.generated.js';

/**
 * The dashboard's files as HTTP responses, for the API function (shared/api/app.ts calls this for
 * GET/HEAD outside /v1/ and adds the ETag). The files are compiled in (assets.generated.ts), so the
 * function needs no file system and no CDN.
 */

export interface DashboardResponse {
  body: string;
  headers: Record<string, string>;
}

/**
 * Everything from this origin, nothing inline, nothing from anywhere else. uPlot styles its elements
 * through the CSSOM (element.style), which CSP does not restrict, so no 'unsafe-inline' is needed.
 * `data:` images: the empty favicon in index.html (it saves a request that would 404).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  // Forum links open without telling the forum which asset page the reader came from.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** The page itself changes with every build: always revalidate (the ETag makes that a 304). */
const PAGE_CACHE = 'no-cache';
/** Script and style sheet carry their content hash in the URL: a new build is a new URL. */
const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** The paths of the three pages (dashboard/src/routes.ts routes the same ones in the browser). */
const PAGE_PATHS = [/^\/$/, /^\/proposals$/, /^\/assets\/[A-Za-z0-9._-]{1,20}$/];

const STATIC: ReadonlyMap<string, DashboardResponse> = new Map([
  [DASHBOARD_ASSETS['app.js'].path, { body: DASHBOARD_ASSETS['app.js'].text, headers: { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': IMMUTABLE_CACHE } }],
  [DASHBOARD_ASSETS['app.css'].path, { body: DASHBOARD_ASSETS['app.css'].text, headers: { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8', 'cache-control': IMMUTABLE_CACHE } }],
]);

const PAGE: DashboardResponse = {
  body: DASHBOARD_ASSETS['index.html'].text,
  headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': PAGE_CACHE },
};

/** The response for a dashboard path, or null when the path is not the dashboard's (the caller 404s). */
export function dashboardAsset(path: string): DashboardResponse | null {
  const asset = STATIC.get(path);
  if (asset) return { body: asset.body, headers: { ...asset.headers } };
  const page = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (PAGE_PATHS.some((pattern) => pattern.test(page))) return { body: PAGE.body, headers: { ...PAGE.headers } };
  return null;
}
