import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ASSET_MAX_RECEIVE_COUNT, QUEUE_VISIBILITY_PER_WORKER_TIMEOUT } from '../function-specs.js';

export interface AssetFanOutProps {
  readonly worker: IFunction;
  readonly workerTimeout: Duration;
  /** Assets per worker invocation. */
  readonly batchSize: number;
  /** Worker invocations at once: how hard a cycle hits the exchanges. */
  readonly maxConcurrency: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The per-asset fan-out: the planner sends one message per asset, the worker takes them a few at a
 * time, so 1,000 assets are 1,000 small units of work, never one long invocation. A message that
 * fails ASSET_MAX_RECEIVE_COUNT times is parked in the dead-letter queue with its body intact.
 */
export class AssetFanOut extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: AssetFanOutProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    });
    this.queue = new Queue(this, 'Queue', {
      // Six worker timeouts: a retry never starts while the first delivery may still be running.
      visibilityTimeout: Duration.seconds(props.workerTimeout.toSeconds() * QUEUE_VISIBILITY_PER_WORKER_TIMEOUT),
      // A plan older than a day is worthless: the next cycles have planned again.
      retentionPeriod: Duration.days(1),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: ASSET_MAX_RECEIVE_COUNT },
      removalPolicy: props.removalPolicy,
    });
    props.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize,
        // The worker reports the assets that failed; the others in the batch are not redelivered.
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
  }

  /** The planner's right to send (SendMessage covers SendMessageBatch). */
  grantEnqueue(grantee: IGrantable): void {
    this.queue.grantSendMessages(grantee);
  }
}
