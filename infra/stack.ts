import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_CONFIG } from '../shared/config/defaults.js';
import { TABLE_DEFINITION } from '../shared/store/table.js';
import { AdvisorFunction, type HandlerEnvironment, type HandlerName } from './advisor-function.js';

export interface LeverageAdvisorStackProps extends StackProps {
  /** Deployment stage, e.g. `dev` or `prod`. Only `prod` keeps its data when the stack is deleted. */
  readonly stage: string;
}

/** The writes the cycle makes: conditional puts, updates and batched series chunks. Nothing deletes (TTL does). */
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'];

const ATTRIBUTE_TYPES = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY } as const;

function attribute(key: { readonly name: string; readonly type: keyof typeof ATTRIBUTE_TYPES }) {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/**
 * The Leverage Advisor in one stack: a single DynamoDB table, the four handlers, the schedules that
 * drive a cycle (ingest -> compute -> publish, each started asynchronously by the one before), the
 * public HTTP API, a dead-letter queue for failed asynchronous invocations, and error alarms.
 */
export class LeverageAdvisorStack extends Stack {
  readonly table: Table;
  readonly functions: Record<HandlerName, AdvisorFunction>;
  readonly deadLetterQueue: Queue;
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: LeverageAdvisorStackProps) {
    super(scope, id, props);
    const removalPolicy = props.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const { schedule } = DEFAULT_CONFIG;

    // Key schema from shared/store/table.ts, the same definition the local runtime creates its table from.
    this.table = new Table(this, 'Table', {
      partitionKey: attribute(TABLE_DEFINITION.partitionKey),
      sortKey: attribute(TABLE_DEFINITION.sortKey),
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    for (const gsi of TABLE_DEFINITION.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: attribute(gsi.partitionKey),
        sortKey: attribute(gsi.sortKey),
        // As createTableInput() does locally: queries on the index read whole items.
        projectionType: ProjectionType.ALL,
      });
    }

    const environment: HandlerEnvironment = { TABLE_NAME: this.table.tableName, ADVISOR_AUTH_MODE: 'iam' };
    const fn = (id: string, handlerName: HandlerName, memorySize: number, timeout: Duration) =>
      new AdvisorFunction(this, id, { handlerName, memorySize, timeout, environment, removalPolicy });
    this.functions = {
      // Ingest and compute walk the whole asset universe in one invocation (see DESIGN.md on fan-out).
      ingest: fn('IngestFunction', 'ingest', 1024, Duration.minutes(5)),
      compute: fn('ComputeFunction', 'compute', 1024, Duration.minutes(5)),
      publish: fn('PublishFunction', 'publish', 256, Duration.minutes(1)),
      // API Gateway gives up after 30 s; a read that takes 10 s is already broken.
      api: fn('ApiFunction', 'api', 512, Duration.seconds(10)),
    };
    const { ingest, compute, publish, api } = this.functions;

    // Each stage starts only the next one. The references form a chain (api -> ingest -> compute ->
    // publish), so CloudFormation can order it; a stage that called back up the chain would need
    // fixed function names instead, to break the cycle.
    const next: [AdvisorFunction, keyof HandlerEnvironment, AdvisorFunction][] = [
      [ingest, 'COMPUTE_FUNCTION_NAME', compute],
      [compute, 'PUBLISH_FUNCTION_NAME', publish],
      [api, 'INGEST_FUNCTION_NAME', ingest],
    ];
    for (const [caller, variable, callee] of next) {
      caller.addEnvironment(variable, callee.functionName);
      callee.grantInvoke(caller);
    }
    // Proposals link to the public API rather than the local default (127.0.0.1).
    const { httpApi, stage } = this.addHttpApi(api);
    this.api = httpApi;
    compute.addEnvironment('ADVISOR_PUBLIC_URL', stage.url);

    for (const writer of [ingest, compute, publish]) {
      this.table.grantReadData(writer);
      this.table.grant(writer, ...TABLE_WRITE_ACTIONS);
    }
    this.table.grantReadData(api);
    // POST /v1/recompute records the run it queues; the API changes nothing else.
    this.table.grant(api, 'dynamodb:PutItem');

    // Asynchronous invocations (schedules and stage-to-stage calls): two retries, then the event and
    // its error go to the dead-letter queue for inspection.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    for (const stageFunction of [ingest, compute, publish]) {
      stageFunction.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetterQueue) });
    }

    new Rule(this, 'CycleSchedule', {
      description: 'Starts a full cycle: ingest, then compute, then publish',
      schedule: Schedule.rate(Duration.minutes(schedule.cycleEveryMinutes)),
      targets: [new LambdaFunction(ingest)],
    });
    new Rule(this, 'PublishSchedule', {
      description: 'Retries pending proposals in the outbox',
      schedule: Schedule.rate(Duration.minutes(schedule.publishEveryMinutes)),
      targets: [new LambdaFunction(publish)],
    });

    for (const [name, f] of Object.entries(this.functions)) {
      f.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }).createAlarm(this, `${f.node.id}Errors`, {
        alarmDescription: `${name} function failed at least once in 5 minutes`,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    // An event lands here only after its retries are spent: a cycle stage was lost.
    this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }).createAlarm(this, 'DeadLetterQueueNotEmpty', {
      alarmDescription: 'An asynchronous invocation failed after its retries',
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }

  /** The public HTTP API: reads are open, POST /v1/recompute needs a SigV4-signed (IAM) request. */
  private addHttpApi(handler: AdvisorFunction): { httpApi: HttpApi; stage: HttpStage } {
    // The default stage is added by hand: HttpApi's own has no throttling settings.
    const httpApi = new HttpApi(this, 'HttpApi', { apiName: `${this.stackName}-api`, createDefaultStage: false });
    const stage = httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', handler);
    const reads = ['/v1/health', '/v1/recommendations', '/v1/recommendations/{asset}', '/v1/recommendations/{asset}/history', '/v1/runs/{id}'];
    for (const path of reads) httpApi.addRoutes({ path, methods: [HttpMethod.GET], integration });
    httpApi.addRoutes({ path: '/v1/recompute', methods: [HttpMethod.POST], integration, authorizer: new HttpIamAuthorizer() });
    return { httpApi, stage };
  }
}
