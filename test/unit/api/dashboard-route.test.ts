import { describe, expect, it, vi } from 'vitest';
import { createApi } from '../../../shared/api/app.js';
import type { Store } from '../../../shared/store/index.js';
import { testApiDeps } from '../../support/api-harness.js';
import { httpEvent } from '../../support/events.js';

/** The dashboard's pages through the API function: GET/HEAD outside /v1/, with ETags; the rest 404/405. */
vi.mock('../../../shared/api/dashboard/serve.js', () => ({
  dashboardAsset: (path: string) =>
    path === '/' || path === '/proposals'
      ? { body: '<!doctype html><title>dashboard</title>', headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'" } }
      : null,
}));

const api = createApi(testApiDeps({ store: {} as Store, simulated: false }));

describe('dashboard pages', () => {
  it('are served with their own headers and a strong ETag; If-None-Match gives 304 with no body', async () => {
    const page = await api(httpEvent('GET', '/'));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>dashboard</title>');
    expect(page.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'" });
    const etag = String(page.headers!.etag);
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await api(httpEvent('GET', '/', { headers: { 'if-none-match': etag } }));
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const head = await api(httpEvent('HEAD', '/proposals/'));
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('a path the dashboard does not know is a 404 problem; a write to a page is a 405', async () => {
    const missing = await api(httpEvent('GET', '/nope'));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['content-type']).toMatch(/application\/problem\+json/);
    const post = await api(httpEvent('POST', '/', { body: '{}' }));
    expect(post.statusCode).toBe(405);
    expect(post.headers?.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('pages carry no CORS headers (the dashboard is same-origin)', async () => {
    const page = await api(httpEvent('GET', '/'));
    expect(page.headers?.['access-control-allow-origin']).toBeUndefined();
  });
});
