import type { Invoker, Stage, StageEvents } from '../shared/cycle/invoker.js';

type StageHandler = (event: never) => Promise<unknown>;

export interface StageReport {
  stage: Stage;
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
    private readonly handlers: Record<Stage, StageHandler>,
    private readonly onReport: (report: StageReport) => void = () => {},
  ) {}

  async invoke<S extends Stage>(stage: S, event: StageEvents[S]): Promise<void> {
    const started = performance.now();
    const work = (async () => {
      // Yield first, like an asynchronous invocation: the caller returns before the stage runs.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        const result = await this.handlers[stage](event as never);
        this.onReport({ stage, ms: performance.now() - started, result });
      } catch (error) {
        this.onReport({ stage, ms: performance.now() - started, error: error as Error });
      }
    })();
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Resolves when nothing is in flight, including stages started by other stages meanwhile. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
