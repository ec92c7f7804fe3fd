import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { attempt, fetchHealth } from './api/client.js';
import { dataBanner } from './components.js';
import { h, replaceChildren } from './dom.js';
import type { Page, PageContext } from './page.js';
import { assetPage } from './pages/asset.js';
import { overviewPage } from './pages/overview.js';
import { proposalsPage } from './pages/proposals.js';
import { parseRoute, type Route } from './routes.js';

/** Entry: client-side routing by path over the three pages; every link stays a real href. */

const APP_NAME = 'Leverage Advisor';

function pageFor(route: Route): Page {
  switch (route.page) {
    case 'overview':
      return overviewPage;
    case 'asset':
      return assetPage(route.asset);
    case 'proposals':
      return proposalsPage;
    case 'not-found':
      return async ({ root, setTitle }) => {
        setTitle('Not found');
        root.append(h('h1', null, 'Not found'), h('p', null, `No page at ${route.path}. `, h('a', { href: '/' }, 'All assets')));
      };
  }
}

let renderSeq = 0;
let leave: (() => void)[] = [];

/** `moveFocus`: after an in-page navigation, screen readers start at the new content, not at the old link. */
async function render(moveFocus = false): Promise<void> {
  const seq = ++renderSeq;
  for (const dispose of leave) dispose();
  leave = [];
  const route = parseRoute(location.pathname);
  const main = document.getElementById('main')!;
  const banner = document.getElementById('banner')!;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    const current = parseRoute(new URL(link.href).pathname).page === (route.page === 'asset' ? 'overview' : route.page);
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  replaceChildren(main, h('p', { class: 'loading', role: 'status' }, 'Loading\u2026'));
  const health = await attempt(fetchHealth());
  if (seq !== renderSeq) return;
  const offsetMs = health.ok && Number.isFinite(Date.parse(health.value.time)) ? Date.parse(health.value.time) - Date.now() : 0;
  let simulated = health.ok && health.value.simulated;
  let historical = health.ok && health.value.historical === true;
  const showBanner = () => replaceChildren(banner, simulated ? dataBanner('simulated') : null, historical ? dataBanner('historical') : null);
  showBanner();
  const version = document.getElementById('methodology');
  if (version) version.textContent = health.ok ? `methodology ${health.value.methodologyVersion}` : 'API unreachable';

  replaceChildren(main);
  const context: PageContext = {
    root: main,
    health,
    isCurrent: () => seq === renderSeq,
    nowMs: () => Date.now() + offsetMs,
    markSimulated(flag) {
      if (flag && !simulated) {
        simulated = true;
        showBanner();
      }
    },
    markHistorical(flag) {
      if (flag && !historical) {
        historical = true;
        showBanner();
      }
    },
    setTitle: (title) => {
      document.title = `${title} \u00b7 ${APP_NAME}`;
    },
    onLeave: (dispose) => leave.push(dispose),
  };
  if (moveFocus) main.focus({ preventScroll: true });
  try {
    await pageFor(route)(context);
  } catch (error) {
    // A bug in a view must not leave a blank page: say what broke.
    if (seq !== renderSeq) return;
    console.error(error);
    main.append(h('p', { class: 'no-data', role: 'alert' }, `This page failed to render: ${(error as Error).message}`));
  }
}

/** Same-origin links to one of our pages navigate in place; everything else is left to the browser. */
function onClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || parseRoute(url.pathname).page === 'not-found') return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) history.pushState(null, '', url.pathname + url.search);
  window.scrollTo(0, 0);
  void render(true);
}

document.addEventListener('click', onClick);
window.addEventListener('popstate', () => void render());
void render();
