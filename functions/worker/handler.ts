import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { assetWorkSchema } from '../../shared/cycle/queue.js';
import { runAssetWork } from '../../shared/cycle/worker.js';
import { workerDepsFromEnvironment, type WorkerDeps } from '../../shared/cycle/worker-deps.js';

/**
 * One batch of the asset queue: each message is one asset of one run. A message whose asset fails
 * (bad venue data, no snapshot) still succeeds: the failure is recorded in the run. Only a malformed
 * message or a store/invoke failure is reported back, so SQS redelivers it and, after the queue's
 * maxReceiveCount, moves it to the dead-letter queue (alarmed): nothing is dropped silently.
 */
export function createWorkerHandler(deps: () => WorkerDeps) {
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const d = deps();
    d.logger.addContext(context ?? ({} as Context));
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    // One at a time: the venue rate limiters pace the calls, and a worker holds one asset's series in memory.
    for (const record of event.Records) {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined;
      }
      const work = assetWorkSchema.safeParse(body);
      if (!work.success) {
        d.logger.error('malformed asset message', { messageId: record.messageId, issues: work.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const result = await runAssetWork(d, work.data);
        if (result.kind === 'recorded') {
          d.logger.info('asset done', { ...work.data, status: result.outcome.status, done: result.done, total: result.total, finalizing: result.finalizing });
        }
      } catch (error) {
        d.logger.error('asset work failed; will be redelivered', { ...work.data, messageId: record.messageId, error: error as Error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

export const handler = createWorkerHandler(workerDepsFromEnvironment);
