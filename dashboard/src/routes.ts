/**
 * The three pages and their paths. The server answers index.html for exactly these paths
 * (shared/api/dashboard/serve.ts); links are real hrefs, so a page also opens on its own.
 */
export type Route = { page: 'overview' } | { page: 'asset'; asset: string } | { page: 'proposals' } | { page: 'not-found'; path: string };

/** Asset symbols as the config allows them (letters, digits, a few separators). */
const ASSET_PATH = /^\/assets\/([A-Za-z0-9._-]{1,20})$/;

export function parseRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '') return { page: 'overview' };
  if (path === '/proposals') return { page: 'proposals' };
  const asset = ASSET_PATH.exec(path);
  if (asset) return { page: 'asset', asset: asset[1]!.toUpperCase() };
  return { page: 'not-found', path };
}

export const overviewHref = '/';
export const proposalsHref = '/proposals';

export function assetHref(symbol: string): string {
  return `/assets/${encodeURIComponent(symbol)}`;
}

/** Only http(s) links leave the page as anchors: a forum reference must never become a javascript: URL. */
export function safeExternalUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}
