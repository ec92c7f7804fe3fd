/** A rendered response: what the API would send for a GET, before conditional and CORS handling. */
export interface RenderedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  etag: string;
}

/** When a memoized read may be answered from memory. */
export interface MemoPolicy {
  /** A key requested at least this often is hot: answered from memory. 0 turns the memo off. */
  idleMs: number;
  /** A hot entry older than this is re-read in the background while it is still served. */
  refreshMs: number;
}

export interface ResponseCacheOptions extends MemoPolicy {
  /** Entries kept; the least recently stored goes first. */
  maxEntries: number;
  /** Body characters kept over all entries (a page of history can be 600 KB): the memory bound. */
  maxBodyChars: number;
  /** A monotonic clock (not the advisor's clock, which a replay may hold still). */
  clockMs: () => number;
  /** A background refresh failed: the stale response stays until the next load. */
  onRefreshError?: (key: string, error: unknown) => void;
}

interface Entry {
  value: RenderedResponse;
  storedAtMs: number;
  lastRequestMs: number;
  refreshing: boolean;
}

/**
 * An in-process memo of rendered reads for poller herds. The data behind the API changes once per
 * cycle, yet rendering the recommendation list means reading and serializing every latest version: a
 * herd of pollers on one key should cost one store read now and then, not one each.
 *
 * - A hot key (requested again within `idleMs`) is answered from memory. A lone request after a quiet
 *   spell reads the store in line, so it sees every write made before it.
 * - A hot entry older than `refreshMs` is still served while one background read replaces it
 *   (stale-while-revalidate: no request of the herd waits for a refresh); past twice that it is re-read
 *   in line. A herd thus sees data at most 2 x refreshMs old, far inside the Cache-Control max-age the
 *   API already allows every cache on the way.
 * - Concurrent reads of one key share one store read. Failures are never kept.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<RenderedResponse>>();
  private bodyChars = 0;

  constructor(private readonly options: ResponseCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Body characters held. */
  get heldChars(): number {
    return this.bodyChars;
  }

  async get(key: string, load: () => Promise<RenderedResponse>): Promise<RenderedResponse> {
    if (this.options.idleMs <= 0) return load();
    const nowMs = this.options.clockMs();
    const entry = this.entries.get(key);
    if (entry) {
      const hot = nowMs - entry.lastRequestMs < this.options.idleMs;
      const ageMs = nowMs - entry.storedAtMs;
      entry.lastRequestMs = nowMs;
      if (hot && ageMs < this.options.refreshMs) return entry.value;
      if (hot && ageMs < 2 * this.options.refreshMs) {
        if (!entry.refreshing) {
          entry.refreshing = true;
          this.load(key, load).catch((error: unknown) => {
            entry.refreshing = false;
            this.options.onRefreshError?.(key, error);
          });
        }
        return entry.value;
      }
    }
    return this.load(key, load);
  }

  private load(key: string, load: () => Promise<RenderedResponse>): Promise<RenderedResponse> {
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const promise = load()
      .then((value) => {
        this.store(key, value);
        return value;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }

  private store(key: string, value: RenderedResponse): void {
    const lastRequestMs = this.entries.get(key)?.lastRequestMs;
    this.remove(key);
    if (value.body.length > this.options.maxBodyChars) return;
    const nowMs = this.options.clockMs();
    this.entries.set(key, { value, storedAtMs: nowMs, lastRequestMs: lastRequestMs ?? nowMs, refreshing: false });
    this.bodyChars += value.body.length;
    while (this.entries.size > this.options.maxEntries || this.bodyChars > this.options.maxBodyChars) {
      this.remove(this.entries.keys().next().value as string);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bodyChars -= entry.value.body.length;
  }
}
