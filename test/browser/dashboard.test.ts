import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '../../local/runtime.js';
import { DEFAULT_CONFIG } from '../../shared/config/defaults.js';

/**
 * The real dashboard in headless Chromium against the local runtime: the page, its script and style
 * sheet are served by the API handler exactly as in the cloud, the data by the same API after two
 * simulated cycles (two versions, so the history charts have a line to draw).
 */

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** ../shared/STACK.md: what Debian's chromium needs to run headless in a container, offline. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const VIEWPORT = { width: 1280, height: 900 };
const DOCS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../docs');
/** A forum post seeded into one proposal: the proposals page must render it as a link (it is never requested). */
const FORUM_POST_URL = 'https://forum.example.org/t/leverage-advisor-update/42/7';

const hasChromium = existsSync(CHROMIUM_PATH);
const ASSETS = DEFAULT_CONFIG.assets.map((a) => a.symbol).sort();

if (!hasChromium && process.env.CI) {
  describe('dashboard in a browser', () => {
    it('needs Chromium in CI', () => {
      throw new Error(`no Chromium at ${CHROMIUM_PATH}: .ci/run installs Debian's chromium; set CHROMIUM_PATH if it lives elsewhere`);
    });
  });
} else if (!hasChromium) {
  console.warn(`test/browser/dashboard.test.ts skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

/**
 * The few DOM shapes the in-page callbacks touch. They run in Chromium; the root tsconfig has no DOM lib
 * (the dashboard's own tsconfig has), so they are declared here rather than pulling DOM types into every file.
 */
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface PageElement {
  dataset: Record<string, string | undefined>;
  querySelector(selector: string): PageCanvas | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> };

interface ChartPixels {
  id: string;
  width: number;
  height: number;
  points: number;
  /** Pixels close to each series' stroke colour: the lines themselves, not just the axes. */
  seriesPixels: number[];
}

/** Reads every chart's canvas back: size, and how many pixels carry each series' colour. */
function chartPixels(page: Page): Promise<ChartPixels[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('figure[data-chart]')].map((figure) => {
      const canvas = figure.querySelector('canvas');
      const colors = (figure.dataset.seriesColors ?? '').split(',').map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]);
      const base = { id: figure.dataset.chart ?? '', points: Number(figure.dataset.points), width: canvas?.width ?? 0, height: canvas?.height ?? 0 };
      if (!canvas || canvas.width === 0 || canvas.height === 0) return { ...base, seriesPixels: colors.map(() => 0) };
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const seriesPixels = colors.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! < 128) continue;
        colors.forEach(([r, g, b], k) => {
          if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 60) seriesPixels[k]!++;
        });
      }
      return { ...base, seriesPixels };
    }),
  );
}

describe.skipIf(!hasChromium)('dashboard in headless Chromium against the local runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'advisor-dashboard-'));
  let runtime: Runtime;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    runtime = await startRuntime({ dataDir, port: 0, apiToken: 'dashboard-token-0123456789' });
    const { runId } = await runtime.runCycle();
    await runtime.runCycle();
    // One proposal as if it had been posted to a forum (the local runtime only writes the outbox).
    const run = (await (await fetch(`${runtime.url}/v1/runs/${runId}`)).json()) as { proposals: string[] };
    const original = await runtime.deps.store.proposals.get(run.proposals[0]!);
    if (!original) throw new Error(`run ${runId} made no proposal to seed a forum link from`);
    const { leaseOwner: _owner, leaseUntilMs: _until, ...rest } = original;
    const forumProposal = { ...rest, id: `${original.id}-forum`, createdAtMs: original.createdAtMs + 1, status: 'pending' as const, externalRef: null, sentAtMs: null, attempts: 0 };
    await runtime.deps.store.proposals.createPending(forumProposal);
    await runtime.deps.store.proposals.markSent(forumProposal.id, FORUM_POST_URL, Date.now());

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    const origin = new URL(runtime.url).origin;
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('data:') && new URL(url).origin !== origin) foreignRequests.push(url);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the overview lists every default asset with its statuses, under a SIMULATED banner', async () => {
    await page.goto(`${runtime.url}/`);
    await page.locator('table.overview tbody tr').first().waitFor();
    const rows = await page.locator('table.overview tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as unknown as PageElement).dataset.asset));
    expect(rows).toEqual(ASSETS);
    // Every (asset, profile) has a status badge: 8 assets x 2 profiles.
    expect(await page.locator('table.overview td.status .badge').count()).toBe(ASSETS.length * DEFAULT_CONFIG.profiles.length);
    const banner = page.getByTestId('simulated-banner');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.textContent()).toContain('SIMULATED');
    // BTC's lending LTV cell shows current -> recommended as the API has them (bps as %).
    const btc = (await (await fetch(`${runtime.url}/v1/recommendations/BTC`)).json()) as {
      recommendations: { profileId: string; current: Record<string, number>; parameters: Record<string, number> }[];
    };
    const lending = btc.recommendations.find((r) => r.profileId === 'aave-v3-ethereum')!;
    const ltv = (await page.locator('tr[data-asset="BTC"] td[data-parameter="ltvBps"] .values').textContent())!;
    expect(ltv.replace(/\s+/g, ' ')).toBe(`${lending.current.ltvBps! / 100} \u2192 ${lending.parameters.ltvBps! / 100}`);
    expect(await page.locator('.legend').textContent()).toMatch(/tightening.*loosening/);
    expect(await page.locator('.summary .age').textContent()).toMatch(/^data (< 1|\d+) min old$/);
    expect(await page.locator('td.data-age .age').first().textContent()).toMatch(/^(< 1|\d+) min$/);
    mkdirSync(DOCS_DIR, { recursive: true });
    await page.screenshot({ path: join(DOCS_DIR, 'dashboard.png') });
  });

  it('a click on an asset opens its page in place, and every chart draws its lines', async () => {
    await page.evaluate(() => ((globalThis as { marker?: string }).marker = 'same document'));
    await page.locator('tr[data-asset="ETH"] th a').click();
    await page.waitForURL(`${runtime.url}/assets/ETH`);
    await page.locator('figure[data-chart] canvas').first().waitFor();
    await page.locator('section[data-profile="perp-dex"]').waitFor();
    // Client-side routing: the same document, no reload.
    expect(await page.evaluate(() => (globalThis as { marker?: string }).marker)).toBe('same document');
    const charts = await chartPixels(page);
    expect(charts.map((c) => c.id).sort()).toEqual(['depth', 'parameters-aave-v3-ethereum', 'parameters-perp-dex', 'price', 'volatility']);
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(0);
      expect(chart.height, chart.id).toBeGreaterThan(0);
      expect(chart.points, chart.id).toBeGreaterThan(1);
      expect(chart.seriesPixels[0], `${chart.id}: pixels of its first series`).toBeGreaterThan(20);
    }
    expect(await page.locator('h1').textContent()).toContain('ETH');
    await page.screenshot({ path: join(DOCS_DIR, 'dashboard-asset.png') });
  });

  it('the asset page shows the rationale of each number and the guard rails', async () => {
    const eth = (await (await fetch(`${runtime.url}/v1/recommendations/ETH`)).json()) as {
      recommendations: { profileId: string; rationale: { parameter: string; text: string }[]; steps: { parameter: string; reason: string }[] }[];
    };
    for (const r of eth.recommendations) {
      const section = page.locator(`section[data-profile="${r.profileId}"]`);
      for (const { parameter, text } of r.rationale) {
        expect(await section.locator(`tr[data-parameter="${parameter}"] td.rationale`).textContent()).toBe(text);
      }
      for (const { parameter, reason } of r.steps) {
        expect(await section.locator(`tr[data-parameter="${parameter}"] td.rail .reason`).textContent()).toBe(reason);
      }
    }
  });

  it('the proposals page lists every proposal, with its forum link', async () => {
    await page.locator('nav a[href="/proposals"]').click();
    await page.waitForURL(`${runtime.url}/proposals`);
    await page.locator('table.proposals > tbody > tr[data-proposal]').first().waitFor();
    const api = (await (await fetch(`${runtime.url}/v1/proposals?limit=50`)).json()) as { items: { id: string }[] };
    const listed = await page.locator('table.proposals > tbody > tr[data-proposal]').evaluateAll((trs) => trs.map((tr) => (tr as unknown as PageElement).dataset.proposal));
    expect(listed).toEqual(api.items.map((p) => p.id));
    expect(listed.length).toBeGreaterThanOrEqual(3);
    const link = page.locator(`a.forum-link[href="${FORUM_POST_URL}"]`);
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('rel')).toContain('noopener');
    // The changes name their assets, each a link to its page.
    expect(await page.locator('table.proposals details a[href^="/assets/"]').count()).toBeGreaterThan(0);
  });

  it('a deep link loads the asset page on its own; an unknown path is a 404', async () => {
    const response = await page.goto(`${runtime.url}/assets/btc`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.locator('figure[data-chart="price"] canvas').waitFor();
    expect(await page.locator('h1').textContent()).toContain('BTC');
    expect((await fetch(`${runtime.url}/no-such-page`)).status).toBe(404);
  });

  it('logged no console error and made no request to another host', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('an asset the API does not know shows "no data" instead of breaking the page', async () => {
    // A page of its own: the browser logs the expected 404 as a console error.
    const other = await browser.newPage({ viewport: VIEWPORT });
    const uncaught: string[] = [];
    other.on('pageerror', (error) => uncaught.push(error.message));
    try {
      await other.goto(`${runtime.url}/assets/NOPE`);
      const message = other.locator('main .no-data');
      await message.waitFor();
      expect(await message.textContent()).toMatch(/No data: recommendations for NOPE\..*404/);
      // The rest of the page still works: the nav leads back to a full overview.
      await other.locator('nav a[href="/"]').click();
      await other.locator('table.overview tbody tr').first().waitFor();
      expect(await other.locator('table.overview tbody tr').count()).toBe(ASSETS.length);
      expect(uncaught).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
