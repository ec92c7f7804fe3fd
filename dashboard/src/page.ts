import type { Loaded } from './api/client.js';
import type { Health } from './api/schemas.js';

/** What the router hands a page. */
export interface PageContext {
  /** The <main> element, already in the document and emptied. */
  root: HTMLElement;
  health: Loaded<Health>;
  /** False once the reader has navigated elsewhere: late fetches must not write into the new page. */
  isCurrent(): boolean;
  /** The server's clock (from /v1/health) carried forward: ages do not depend on the reader's clock. */
  nowMs(): number;
  /** Shows the SIMULATED banner when the page's data says so (health alone may not know). */
  markSimulated(simulated: boolean): void;
  /** Shows the HISTORICAL REPLAY banner when the page's data is replayed history. */
  markHistorical(historical: boolean): void;
  setTitle(title: string): void;
  /** Called when the page is left (charts release their observers). */
  onLeave(dispose: () => void): void;
}

export type Page = (context: PageContext) => Promise<void>;
