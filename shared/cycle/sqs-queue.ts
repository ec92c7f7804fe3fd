import { SQSClient, SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { AdvisorError } from '../util/errors.js';
import type { AssetQueue, AssetWork } from './queue.js';

/** SQS takes at most 10 messages per SendMessageBatch. */
const SQS_BATCH_MAX = 10;

export class EnqueueError extends AdvisorError {
  constructor(queueUrl: string, failed: { id: string; message: string }[]) {
    super('ENQUEUE_FAILED', `${failed.length} asset message(s) could not be sent to ${queueUrl}: ${failed[0]?.message ?? ''}`, { queueUrl, failed });
  }
}

/** Cloud: one SQS message per asset, sent in batches of 10; entries SQS refuses are retried once, then fail the call. */
export class SqsAssetQueue implements AssetQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly client: Pick<SQSClient, 'send'> = new SQSClient({}),
  ) {}

  async enqueue(work: readonly AssetWork[]): Promise<void> {
    for (let start = 0; start < work.length; start += SQS_BATCH_MAX) {
      let entries: SendMessageBatchRequestEntry[] = work
        .slice(start, start + SQS_BATCH_MAX)
        .map((item, i) => ({ Id: String(start + i), MessageBody: JSON.stringify(item) }));
      for (let attempt = 1; ; attempt++) {
        const result = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
        const failed = result.Failed ?? [];
        if (failed.length === 0) break;
        if (attempt === 2) throw new EnqueueError(this.queueUrl, failed.map((f) => ({ id: f.Id ?? '?', message: f.Message ?? f.Code ?? 'unknown' })));
        const retry = new Set(failed.map((f) => f.Id));
        entries = entries.filter((e) => retry.has(e.Id));
      }
    }
  }
}
