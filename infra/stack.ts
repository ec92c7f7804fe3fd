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
import { ASYNC_INVOKE, FUNCTION_ROLES, FUNCTION_SPECS, publishLeaseMs, type FunctionRole } from './function-specs.js';
import { metricsNamespaceOf, type StageConfig } from './stages.js';

export interface LeverageAdvisorStackProps extends StackProps {
  /** The validated stage configuration (stages.ts resolveStageConfig). */
  readonly config: StageConfig;
}

/** Which function starts which, asynchronously, and the variable that names the callee. */
const INVOCATIONS: readonly { caller: FunctionRole; variable: keyof HandlerEnvironment; callee: FunctionRole }[] = [
  // POST /v1/recompute queues a run and starts the planner.
  { caller: 'api', variable: 'PLAN_FUNCTION_NAME', callee: 'plan' },
  // The worker that finishes a run's last asset starts the finalizer...
  { caller: 'worker', variable: 'FINALIZE_FUNCTION_NAME', callee: 'finalize' },
  // ...and the planner does, for a run with no assets to fan out.
  { caller: 'plan', variable: 'FINALIZE_FUNCTION_NAME', callee: 'finalize' },
  // The finalizer starts a dispatch when the run made proposals.
  { caller: 'finalize', variable: 'PUBLISH_FUNCTION_NAME', callee: 'publish' },
];

/** `PlanFunction`, `WorkerFunction`, ...: the construct id of a role's function (and the prefix of its log group, role and alarm ids). */
export const constructIdOf = (role: FunctionRole) => `${role[0]!.toUpperCase()}${role.slice(1)}Function`;

/**
 * The Leverage Advisor in one stack: the table; five functions by role (plan, per-asset worker behind
 * a queue, finalize, publish, api); the schedules that start a cycle and retry the outbox; the HTTP
 * API; the publish targets' secrets; dead-letter queues; and the alarms, all from a deployment stage's
 * config (dev or prod, stages.ts).
 *
 * A cycle: schedule -> plan (starts the run, one SQS message per asset) -> worker (per asset, a few
 * at a time) -> the last worker starts finalize (proposals, metrics) -> publish (the outbox).
 */
export class LeverageAdvisorStack extends Stack {
  readonly config: StageConfig;
  readonly table: Table;
  readonly functions: Record<FunctionRole, AdvisorFunction>;
  readonly fanOut: AssetFanOut;
  /** Failed asynchronous invocations (plan, finalize, publish) after their retries. */
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
    const ownEnvironment: Record<FunctionRole, HandlerEnvironment> = {
      // The plan function reads the chain once per run and stores the reading for the workers (issue 16).
      plan: config.chainRpcUrl ? { ADVISOR_RPC_URL: config.chainRpcUrl } : {},
      worker: {},
      // Finalize labels each proposal with its target (publishTargetOf), so it sees the same target
      // variables; the ARNs are not secret, and only publish may read the secrets behind them.
      finalize: { ...this.publishTargets.environment },
      publish: { ...this.publishTargets.environment, ADVISOR_PUBLISH_LEASE_MS: String(publishLeaseMs()) },
      api: { ADVISOR_AUTH_MODE: 'iam' },
    };
    const reserved: Partial<Record<FunctionRole, number>> = {
      finalize: config.concurrency.finalizeReserved,
      publish: config.concurrency.publishReserved,
    };
    const functions = {} as Record<FunctionRole, AdvisorFunction>;
    for (const role of FUNCTION_ROLES) {
      functions[role] = new AdvisorFunction(this, constructIdOf(role), {
        functionRole: role,
        environment: { TABLE_NAME: this.table.tableName, ADVISOR_SOURCE: config.marketSource, ...ownEnvironment[role] },
        logRetention: config.logRetentionDays,
        logLevel: config.logLevel,
        metricsNamespace: metricsNamespaceOf(config.stage),
        removalPolicy,
        reservedConcurrentExecutions: reserved[role],
      });
      data.grantActions(functions[role], FUNCTION_SPECS[role]);
    }
    this.functions = functions;
    const { plan, worker, finalize, publish, api } = functions;

    this.fanOut = new AssetFanOut(this, 'AssetFanOut', {
      worker,
      workerTimeout: Duration.seconds(FUNCTION_SPECS.worker.timeoutSeconds),
      batchSize: config.concurrency.workerBatchSize,
      maxConcurrency: config.concurrency.workerMax,
      removalPolicy,
    });
    plan.addEnvironment('ASSET_QUEUE_URL', this.fanOut.queue.queueUrl);
    this.fanOut.grantEnqueue(plan);

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
    for (const role of ASYNC_INVOKE.roles) {
      functions[role].configureAsyncInvoke({ retryAttempts: ASYNC_INVOKE.retryAttempts, onFailure: new SqsDestination(this.deadLetterQueue) });
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
    finalize.addEnvironment('ADVISOR_PUBLIC_URL', this.api.url);

    this.schedules = {
      cycle: new Rule(this, 'CycleSchedule', {
        description: 'Starts a cycle: plan, per-asset work, finalize, publish',
        schedule: Schedule.rate(Duration.minutes(config.schedule.cycleEveryMinutes)),
        targets: [new LambdaFunction(plan)],
      }),
      publish: new Rule(this, 'PublishSchedule', {
        description: 'Retries pending proposals in the outbox',
        schedule: Schedule.rate(Duration.minutes(config.schedule.publishEveryMinutes)),
        targets: [new LambdaFunction(publish)],
      }),
    };

    this.alarms = new AdvisorAlarms(this, 'Alarms', { email: config.alarms.email });
    for (const role of FUNCTION_ROLES) this.alarms.watchFunctionErrors(`${constructIdOf(role)}Errors`, functions[role], role);
    this.alarms.watchDeadLetterQueue('AsyncDeadLetters', this.deadLetterQueue, 'An asynchronous invocation (plan, finalize or publish)');
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
