import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { APP_JS_BUDGET_BYTES, buildDashboard, GENERATED_MODULE, generatedModule } from '../../../scripts/build-dashboard.js';
import { DASHBOARD_ASSETS } from '../../../shared/api/dashboard/assets.generated.js';
import { DASHBOARD_CSP, dashboardAsset } from '../../../shared/api/dashboard/serve.js';
import { parseRoute } from '../../../dashboard/src/routes.js';

describe('the committed dashboard bundle', () => {
  it('is what npm run build:dashboard builds from dashboard/ now, and app.js stays under 300 KB', async () => {
    const files = await buildDashboard();
    const committed = readFileSync(GENERATED_MODULE, 'utf8');
    // Not toBe(): a 100 KB diff helps nobody; the message says what to do.
    if (committed !== generatedModule(files)) {
      expect.fail('shared/api/dashboard/assets.generated.ts is out of date with dashboard/: run npm run build:dashboard');
    }
    expect(files['app.js'].bytes).toBeLessThan(APP_JS_BUDGET_BYTES);
    expect(DASHBOARD_ASSETS['app.js'].bytes).toBe(Buffer.byteLength(DASHBOARD_ASSETS['app.js'].text, 'utf8'));
  });

  it('index.html loads only the hashed script and style sheet of this build, nothing inline, nothing from another host', () => {
    const html = DASHBOARD_ASSETS['index.html'].text;
    expect(DASHBOARD_ASSETS['app.js'].path).toMatch(/^\/static\/app\.[0-9a-f]{12}\.js$/);
    expect(DASHBOARD_ASSETS['app.css'].path).toMatch(/^\/static\/app\.[0-9a-f]{12}\.css$/);
    expect(html).toContain(`<script type="module" src="${DASHBOARD_ASSETS['app.js'].path}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${DASHBOARD_ASSETS['app.css'].path}">`);
    expect(html).toMatch(/<html lang="en">/);
    // CSP default-src 'self' without 'unsafe-inline': no inline script or style may exist.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(DASHBOARD_ASSETS['app.css'].text).not.toMatch(/url\((['"])?(https?:)?\/\//);
    expect(DASHBOARD_ASSETS['app.css'].text).not.toMatch(/@import/);
  });
});

describe('dashboardAsset', () => {
  it('answers index.html for the three pages, short-cached, with the security headers', () => {
    for (const path of ['/', '/proposals', '/proposals/', '/assets/BTC', '/assets/eth', '/assets/BTC/']) {
      const response = dashboardAsset(path);
      expect(response, path).not.toBeNull();
      expect(response!.body).toBe(DASHBOARD_ASSETS['index.html'].text);
      expect(response!.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': DASHBOARD_CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
      });
    }
  });

  it('serves the hashed script and style sheet as immutable, with their types', () => {
    const js = dashboardAsset(DASHBOARD_ASSETS['app.js'].path)!;
    expect(js.body).toBe(DASHBOARD_ASSETS['app.js'].text);
    expect(js.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
    const css = dashboardAsset(DASHBOARD_ASSETS['app.css'].path)!;
    expect(css.body).toBe(DASHBOARD_ASSETS['app.css'].text);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('returns null for everything else, including a stale hash and paths around the pages', () => {
    for (const path of ['/index.html', '/static/app.js', '/static/app.000000000000.js', '/assets', '/assets/', '/assets/BTC/history', '/assets/a%2Fb', '/assets/' + 'X'.repeat(21), '/proposals/1', '/favicon.ico', '/v1/health']) {
      expect(dashboardAsset(path), path).toBeNull();
    }
  });

  it('gives each caller its own headers object (the API adds an ETag to it)', () => {
    const first = dashboardAsset('/')!;
    first.headers.etag = '"x"';
    expect(dashboardAsset('/')!.headers.etag).toBeUndefined();
  });

  it('serves exactly the paths the browser router knows as pages', () => {
    const paths = ['/', '/proposals', '/assets/BTC', '/assets/doge', '/assets/BTC/x', '/nope', '/assets', '/proposals/x'];
    for (const path of paths) {
      expect(dashboardAsset(path) !== null, path).toBe(parseRoute(path).page !== 'not-found');
    }
  });

  it('has a policy that allows only this origin', () => {
    expect(DASHBOARD_CSP.split('; ')).toEqual(
      expect.arrayContaining(["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "object-src 'none'", "frame-ancestors 'none'"]),
    );
    expect(DASHBOARD_CSP).not.toContain('unsafe');
  });
});
