import { Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, HttpApi, HttpMethod, LogGroupLogDestination, type HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The one route that changes anything: it queues a run, so it needs a SigV4-signed (IAM) request. */
export const RECOMPUTE_ROUTE = { method: HttpMethod.POST, path: '/v1/recompute' } as const;

/**
 * Every other route: reads (API and dashboard), routed by prefix so a new read path needs no infra
 * change. HEAD is answered like GET; OPTIONS reaches the function, which answers CORS preflights
 * (open for GET, closed for POST), so API Gateway's own CORS is deliberately not configured.
 */
export const OPEN_ROUTE_PATHS = ['/', '/{proxy+}'] as const;
export const OPEN_ROUTE_METHODS = [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS] as const;

/** One JSON line per request: who (IAM caller on the signed route), what, how it ended, how long. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    time: '$context.requestTime',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    iamCaller: '$context.identity.userArn',
  }),
);

export interface AdvisorApiProps {
  readonly handler: IFunction;
  readonly throttleRatePerSecond: number;
  readonly throttleBurst: number;
  /** Tighter, for the route that starts a whole cycle: a runaway signed script must not run up the bill. */
  readonly recomputeRatePerSecond: number;
  readonly recomputeBurst: number;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The public HTTP API (payload v2) in front of the api function, throttled on its default stage. */
export class AdvisorApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: AdvisorApiProps) {
    super(scope, id);
    // The default stage is added by hand: HttpApi's own takes no throttling or access-log settings.
    this.httpApi = new HttpApi(this, 'HttpApi', { apiName: `${Stack.of(this).stackName}-api`, createDefaultStage: false });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRatePerSecond, burstLimit: props.throttleBurst },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const integration = new HttpLambdaIntegration('ApiIntegration', props.handler);
    const recompute = this.httpApi.addRoutes({
      path: RECOMPUTE_ROUTE.path,
      methods: [RECOMPUTE_ROUTE.method],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    // HttpStage has no per-route settings: set them on the CloudFormation stage. The stage must then
    // be created after the route, or CloudFormation cannot find the route key.
    (this.stage.node.defaultChild as CfnStage).routeSettings = {
      [`${RECOMPUTE_ROUTE.method} ${RECOMPUTE_ROUTE.path}`]: {
        ThrottlingRateLimit: props.recomputeRatePerSecond,
        ThrottlingBurstLimit: props.recomputeBurst,
      },
    };
    for (const route of recompute) this.stage.node.addDependency(route);
    for (const path of OPEN_ROUTE_PATHS) {
      for (const route of this.httpApi.addRoutes({ path, methods: [...OPEN_ROUTE_METHODS], integration })) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: 'Public read-only route by design (open data for DAO members); the only write, POST /v1/recompute, requires IAM',
        });
      }
    }
  }

  /** The base URL, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
