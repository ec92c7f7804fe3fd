import type { InvokedRole, InvokedRoleEvents, Invoker } from '../shared/cycle/invoker.js';

/** The handler of each function started asynchronously, as its role's event reaches it. */
export type InvokedHandlers = { [R in InvokedRole]: (event: InvokedRoleEvents[R]) => Promise<unknown> };

export interface InvocationReport {
  role: InvokedRole;
  ms: number;
  result?: unknown;
  error?: Error;
}

/**
 * Local stand-in for asynchronous Lambda invocation: runs the same handler in this process without the
 * caller waiting, and keeps track of work in flight so the runtime can wait for a whole cycle.
 */
export class InProcessInvoker implements Invoker {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly handlers: InvokedHandlers,
    private readonly onReport: (report: InvocationReport) => void = () => {},
  ) {}

  async invoke<R extends InvokedRole>(role: R, event: InvokedRoleEvents[R]): Promise<void> {
    const started = performance.now();
    const handle: (event: InvokedRoleEvents[R]) => Promise<unknown> = this.handlers[role];
    const work = (async () => {
      // Yield first, like an asynchronous invocation: the caller returns before the function runs.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const result = await handle(event);
        this.onReport({ role, ms: performance.now() - started, result });
      } catch (error) {
        this.onReport({ role, ms: performance.now() - started, error: error as Error });
      }
    })();
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Resolves when nothing is in flight, including functions started by other functions meanwhile. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
