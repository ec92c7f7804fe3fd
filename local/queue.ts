import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AssetQueue, AssetWork } from '../shared/cycle/queue.js';

type WorkerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface AssetReport {
  work: AssetWork;
  ms: number;
  /** The worker reported the message as failed (it would be redelivered by SQS). */
  failed: boolean;
  error?: Error;
}

/**
 * Local stand-in for the SQS asset queue: hands each message to the same worker handler as a
 * one-record SQS event, `concurrency` at a time, and retries a failed message up to `maxReceives`
 * times like the queue's redrive policy (then reports it, where SQS would move it to the DLQ).
 */
export class InProcessAssetQueue implements AssetQueue {
  private readonly waiting: AssetWork[] = [];
  private running = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private sequence = 0;

  constructor(
    private readonly worker: WorkerHandler,
    private readonly options: { concurrency: number; maxReceives: number; onReport?: (report: AssetReport) => void | Promise<void> },
  ) {}

  async enqueue(work: readonly AssetWork[]): Promise<void> {
    this.waiting.push(...work);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.waiting.length > 0) {
      const work = this.waiting.shift()!;
      this.running++;
      const task = this.deliver(work).finally(() => {
        this.running--;
        this.inFlight.delete(task);
        this.pump();
      });
      this.inFlight.add(task);
    }
  }

  private async deliver(work: AssetWork): Promise<void> {
    // Yield first, like a queue: the producer's call returns before any work runs.
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    let failed = true;
    let error: Error | undefined;
    for (let receive = 1; receive <= this.options.maxReceives && failed; receive++) {
      const messageId = `local-${++this.sequence}`;
      try {
        const response = await this.worker({ Records: [{ messageId, body: JSON.stringify(work) } as SQSEvent['Records'][number]] });
        failed = response.batchItemFailures.length > 0;
      } catch (caught) {
        error = caught as Error;
      }
    }
    // Awaited: the report is part of the delivery, so idle() also waits for it.
    try {
      await this.options.onReport?.({ work, ms: performance.now() - started, failed, ...(error ? { error } : {}) });
    } catch {
      // A progress printer must not fail the queue.
    }
  }

  get busy(): boolean {
    return this.inFlight.size > 0 || this.waiting.length > 0;
  }

  /** Resolves when no message is waiting or being worked on. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0 || this.waiting.length > 0) await Promise.all([...this.inFlight]);
  }
}
