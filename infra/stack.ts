import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AdvisorFunction, POWERTOOLS_SERVICE_NAME, type HandlerEnvironment } from './advisor-function.js';
import { AdvisorAlarms } from './constructs/advisor-alarms.js';
import { AdvisorApi } from './constructs/advisor-api.js';
import { AdvisorTable } from './constructs/advisor-table.js';
import { AssetFanOut } from './constructs/asset-fan-out.js';
import { PublishTargets } from './constructs/publish-targets.js';
import { ASYNC_INVOKE, FUNCTION_SPECS, HANDLER_NAMES, publishLeaseMs, type HandlerName } from './function-specs.js';
import { metricsNamespaceOf, type StageConfig } from './stages.js';

export interface LeverageAdvisorStackProps extends StackProps {
  /** The validated stage configuration (stages.ts resolveStageConfig). */
  readonly config: StageConfig;
}

/** Which function starts which, asynchronously, and the variable that names the callee. */
const INVOCATIONS: readonly { caller: HandlerName; variable: keyof HandlerEnvironment; callee: HandlerName }[] = [
  // POST /v1/recompute queues a run and starts the planner.
  { caller: 'api', variable: 'INGEST_FUNCTION_NAME', callee: 'ingest' },
  // The worker that finishes a run's last asset starts the finalizer...
  { caller: 'worker', variable: 'COMPUTE_FUNCTION_NAME', callee: 'compute' },
  // ...and the planner does, for a run with no assets to fan out.
  { caller: 'ingest', variable: 'COMPUTE_FUNCTION_NAME', callee: 'compute' },
  // The finalizer starts a dispatch when the run made proposals.
  { caller: 'compute', variable: 'PUBLISH_FUNCTION_NAME', callee: 'publish' },
];

const constructIdOf = (name: HandlerName) => `${name[0]!.toUpperCase()}${name.slice(1)}Function`;

/**
 * The Leverage Advisor in one stack: the table; five functions (planner, per-asset worker behind a
 * queue, finalizer, publisher, API); the schedules that start a cycle and retry the outbox; the HTTP
 * API; the publish targets' secrets; dead-letter queues; and the alarms, all from a stage's config.
 *
 * A cycle: schedule -> ingest (plans the run, one SQS message per asset) -> worker (per asset, a
 * few at a time) -> the last worker starts compute (proposals, metrics) -> publish (the outbox).
 */
export class LeverageAdvisorStack extends Stack {
  readonly config: StageConfig;
  readonly table: Table;
  readonly functions: Record<HandlerName, AdvisorFunction>;
  readonly fanOut: AssetFanOut;
  /** Failed asynchronous invocations (ingest, compute, publish) after their retries. */
  readonly deadLetterQueue: Queue;
  readonly api: AdvisorApi;
  readonly publishTargets: PublishTargets;
  readonly alarms: AdvisorAlarms;
  readonly schedules: { readonly cycle: Rule; readonly publish: Rule };

  constructor(scope: Construct, id: string, props: LeverageAdvisorStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const data = new AdvisorTable(this, 'Data', { retainData: config.retainData, pointInTimeRecovery: config.pointInTimeRecovery });
    this.table = data.table;
    this.publishTargets = new PublishTargets(this, 'PublishTargets', { publish: config.publish, removalPolicy });

    // What each function reads beyond the common variables (the rest is wired below, from references).
    const ownEnvironment: Record<HandlerName, HandlerEnvironment> = {
      ingest: {},
      worker: {},
      // Compute labels each proposal with its target (publishTargetOf), so it sees the same target
      // variables; the ARNs are not secret, and only publish may read the secrets behind them.
      compute: { ...this.publishTargets.environment },
      publish: { ...this.publishTargets.environment, ADVISOR_PUBLISH_LEASE_MS: String(publishLeaseMs()) },
      api: { ADVISOR_AUTH_MODE: 'iam' },
    };
    const reserved: Partial<Record<HandlerName, number>> = {
      compute: config.concurrency.computeReserved,
      publish: config.concurrency.publishReserved,
    };
    const functions = {} as Record<HandlerName, AdvisorFunction>;
    for (const name of HANDLER_NAMES) {
      functions[name] = new AdvisorFunction(this, constructIdOf(name), {
        handlerName: name,
        environment: { TABLE_NAME: this.table.tableName, ADVISOR_SOURCE: config.marketSource, ...ownEnvironment[name] },
        logRetention: config.logRetentionDays,
        logLevel: config.logLevel,
        metricsNamespace: metricsNamespaceOf(config.stage),
        removalPolicy,
        reservedConcurrentExecutions: reserved[name],
      });
      data.grantActions(functions[name], FUNCTION_SPECS[name]);
    }
    this.functions = functions;
    const { ingest, worker, compute, publish, api } = functions;

    this.fanOut = new AssetFanOut(this, 'AssetFanOut', {
      worker,
      workerTimeout: Duration.seconds(FUNCTION_SPECS.worker.timeoutSeconds),
      batchSize: config.concurrency.workerBatchSize,
      maxConcurrency: config.concurrency.workerMax,
      removalPolicy,
    });
    ingest.addEnvironment('ASSET_QUEUE_URL', this.fanOut.queue.queueUrl);
    this.fanOut.grantEnqueue(ingest);

    for (const { caller, variable, callee } of INVOCATIONS) {
      functions[caller].addEnvironment(variable, functions[callee].functionName);
      // The unqualified ARN only (the callers invoke by name): grantInvoke would add `<arn>:*`, every version.
      functions[caller].addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functions[callee].functionArn] }));
    }
    this.publishTargets.grantRead(publish);

    // Asynchronous invocations (schedules and function-to-function): retries, then the event and its
    // error go to this queue for inspection and replay.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'It is itself a dead-letter queue: the on-failure destination of the asynchronous invocations',
    });
    for (const name of ASYNC_INVOKE.handlers) {
      functions[name].configureAsyncInvoke({ retryAttempts: ASYNC_INVOKE.retryAttempts, onFailure: new SqsDestination(this.deadLetterQueue) });
    }

    this.api = new AdvisorApi(this, 'Api', {
      handler: api,
      throttleRatePerSecond: config.api.throttleRatePerSecond,
      throttleBurst: config.api.throttleBurst,
      recomputeRatePerSecond: config.api.recomputeRatePerSecond,
      recomputeBurst: config.api.recomputeBurst,
      logRetention: config.logRetentionDays,
      removalPolicy,
    });
    // Proposals link to the public API rather than the local default (127.0.0.1).
    compute.addEnvironment('ADVISOR_PUBLIC_URL', this.api.url);

    this.schedules = {
      cycle: new Rule(this, 'CycleSchedule', {
        description: 'Starts a cycle: plan, per-asset work, finalize, publish',
        schedule: Schedule.rate(Duration.minutes(config.schedule.cycleEveryMinutes)),
        targets: [new LambdaFunction(ingest)],
      }),
      publish: new Rule(this, 'PublishSchedule', {
        description: 'Retries pending proposals in the outbox',
        schedule: Schedule.rate(Duration.minutes(config.schedule.publishEveryMinutes)),
        targets: [new LambdaFunction(publish)],
      }),
    };

    this.alarms = new AdvisorAlarms(this, 'Alarms', { email: config.alarms.email });
    for (const name of HANDLER_NAMES) this.alarms.watchFunctionErrors(`${constructIdOf(name)}Errors`, functions[name], name);
    this.alarms.watchDeadLetterQueue('AsyncDeadLetters', this.deadLetterQueue, 'An asynchronous invocation (ingest, compute or publish)');
    this.alarms.watchDeadLetterQueue('AssetDeadLetters', this.fanOut.deadLetterQueue, 'A per-asset message');
    this.alarms.watchQueueAge('AssetBacklogAge', this.fanOut.queue, config.alarms.assetQueueMaxAgeMinutes);
    this.alarms.watchApiServerErrors('ApiServerErrors', this.api.httpApi, config.alarms.api5xxPerFiveMinutes);
    this.alarms.watchDataAge('DataStale', metricsNamespaceOf(config.stage), POWERTOOLS_SERVICE_NAME, config.alarms.dataStaleAfterMinutes);
    this.alarms.watchMissingInputs('InputsMissing', metricsNamespaceOf(config.stage), POWERTOOLS_SERVICE_NAME, config.alarms.dataStaleAfterMinutes);

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API and dashboard' });
    new CfnOutput(this, 'RecomputeUrl', { value: `${this.api.url}v1/recompute`, description: 'POST here, SigV4-signed (execute-api)' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Subscribe more targets to the alarms here' });
    new CfnOutput(this, 'AssetQueueUrl', { value: this.fanOut.queue.queueUrl });
    new CfnOutput(this, 'AsyncDeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AssetDeadLetterQueueUrl', { value: this.fanOut.deadLetterQueue.queueUrl });
  }
}
