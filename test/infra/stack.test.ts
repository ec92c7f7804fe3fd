import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_SPECS, HANDLER_NAMES, type HandlerName } from '../../infra/function-specs.js';
import { environmentSchema, readEnvironment } from '../../shared/cycle/deps.js';
import { DEFAULT_ASSET_LEASE_MS } from '../../shared/cycle/stages.js';
import { TABLE_DEFINITION } from '../../shared/store/table.js';
import { synthStage, type SynthesizedStage } from './synth.js';

const IMPORTED_WEBHOOK_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:advisor-webhook-AbC123';
/** prod with both publish targets: the Discourse key is created by the stack, the webhook secret imported. */
const prod = synthStage({
  stage: 'prod',
  alarmEmail: 'ops@example.org',
  discourseUrl: 'https://forum.example.org',
  discourseCategoryId: '12',
  discourseApiUsername: 'leverage-advisor',
  webhookUrl: 'https://hooks.example.org/advisor',
  webhookSecretArn: `${IMPORTED_WEBHOOK_SECRET}#hmac`,
});
const dev = synthStage({ stage: 'dev' });
const STAGES: [string, SynthesizedStage][] = [
  ['dev', dev],
  ['prod', prod],
];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Logical ids referenced (Ref or Fn::GetAtt) anywhere inside a value; pseudo parameters (AWS::Region) are not resources. */
function referencedIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string') return record.Ref.startsWith('AWS::') ? [] : [record.Ref];
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return [getAtt[0] as string];
    return Object.values(record).flatMap(referencedIds);
  }
  return [];
}

/** Lookups over one stage's functions, roles and policies. */
function inspect(s: SynthesizedStage) {
  const functionId = (name: HandlerName) => s.logicalId(s.stack.functions[name]);
  const roleId = (name: HandlerName) => s.logicalId(s.stack.functions[name].role as never);
  const fn = (name: HandlerName) => s.resources[functionId(name)]!.Properties;
  const env = (name: HandlerName) => fn(name).Environment.Variables as Record<string, unknown>;
  const policyStatements = s.ofType('AWS::IAM::Policy').flatMap(([, policy]) => {
    const roles = ((policy.Properties.Roles ?? []) as { Ref: string }[]).map((r) => r.Ref);
    return (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({ roles, statement }));
  });
  const statementsOf = (name: HandlerName) => policyStatements.filter((p) => p.roles.includes(roleId(name))).map((p) => p.statement);
  /** `action -> referenced resources` of one function's statements whose actions start with `prefix`. */
  const grants = (name: HandlerName, prefix: string) => {
    const out: Record<string, string[]> = {};
    for (const statement of statementsOf(name)) {
      for (const action of actionsOf(statement).filter((a) => a.startsWith(prefix))) {
        const refs = referencedIds(statement.Resource);
        out[action] = [...new Set([...(out[action] ?? []), ...(refs.length > 0 ? refs : [JSON.stringify(statement.Resource)])])].sort();
      }
    }
    return out;
  };
  return { functionId, roleId, fn, env, policyStatements, statementsOf, grants };
}
const P = inspect(prod);
const D = inspect(dev);

/** EventBridge rate syntax, written independently of CDK's Schedule.rate: largest whole unit, singular for 1. */
function rateExpression(minutes: number): string {
  const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}

const COMMON_RESOURCES = {
  'AWS::DynamoDB::Table': 1,
  'AWS::Lambda::Function': 5,
  'AWS::IAM::Role': 5,
  'AWS::IAM::Policy': 5,
  // One per function, plus the API's access logs.
  'AWS::Logs::LogGroup': 6,
  // The asset queue, its dead-letter queue, and the async-invoke dead-letter queue, each SSL-only.
  'AWS::SQS::Queue': 3,
  'AWS::SQS::QueuePolicy': 3,
  'AWS::Lambda::EventInvokeConfig': 3,
  'AWS::Lambda::EventSourceMapping': 1,
  // Seven routes and two schedules may invoke a function.
  'AWS::Lambda::Permission': 9,
  'AWS::Events::Rule': 2,
  'AWS::ApiGatewayV2::Api': 1,
  'AWS::ApiGatewayV2::Stage': 1,
  'AWS::ApiGatewayV2::Integration': 1,
  'AWS::ApiGatewayV2::Route': 7,
  // Five functions' errors, two dead-letter queues, the backlog age, API 5xx, stale data.
  'AWS::CloudWatch::Alarm': 11,
  'AWS::SNS::Topic': 1,
  'AWS::SNS::TopicPolicy': 1,
};

describe('LeverageAdvisorStack', () => {
  describe('resources', () => {
    it('are exactly the expected ones in each stage (a new resource needs a test)', () => {
      const count = (s: SynthesizedStage) => {
        const counts: Record<string, number> = {};
        for (const r of Object.values(s.resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
        return counts;
      };
      expect(count(dev)).toEqual(COMMON_RESOURCES);
      // prod: the e-mail subscription and the Discourse key the stack creates (the webhook secret is imported).
      expect(count(prod)).toEqual({ ...COMMON_RESOURCES, 'AWS::SNS::Subscription': 1, 'AWS::SecretsManager::Secret': 1 });
    });

    it('keeps every stateful resource of prod, and none of dev', () => {
      const stateful = ['AWS::DynamoDB::Table', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'AWS::SecretsManager::Secret'];
      for (const [, r] of prod.ofType('AWS::DynamoDB::Table')) expect(r.Properties.DeletionProtectionEnabled).toBe(true);
      for (const type of stateful) {
        for (const [id, r] of prod.ofType(type)) expect([r.DeletionPolicy, r.UpdateReplacePolicy], id).toEqual(['Retain', 'Retain']);
        for (const [id, r] of dev.ofType(type)) expect(r.DeletionPolicy, id).toBe('Delete');
      }
      expect(prod.stack.terminationProtection).toBe(true);
      expect(dev.stack.terminationProtection).toBe(false);
    });
  });

  describe('table', () => {
    it('has the key schema, GSI and TTL attribute of TABLE_DEFINITION, on demand and encrypted', () => {
      const { partitionKey, sortKey, globalSecondaryIndexes, timeToLiveAttribute } = TABLE_DEFINITION;
      const keys = [partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])];
      dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: partitionKey.name, KeyType: 'HASH' },
          { AttributeName: sortKey.name, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith(keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type }))),
        GlobalSecondaryIndexes: globalSecondaryIndexes.map((g) => ({
          IndexName: g.indexName,
          KeySchema: [
            { AttributeName: g.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: g.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('has point-in-time recovery in prod only', () => {
      prod.template.hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
      dev.template.hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } });
    });
  });

  describe('functions', () => {
    it('are five arm64 functions on the latest Node LTS, sized by FUNCTION_SPECS', () => {
      for (const name of HANDLER_NAMES) {
        expect(P.fn(name), name).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          MemorySize: FUNCTION_SPECS[name].memoryMb,
          Timeout: FUNCTION_SPECS[name].timeoutSeconds,
        });
      }
      // Below API Gateway's 30 s integration limit; the worker's three minutes set the queue's visibility.
      expect(P.fn('api').Timeout).toBeLessThanOrEqual(29);
      expect(P.fn('worker').Timeout).toBe(180);
    });

    it('reserve concurrency for compute and publish in prod only', () => {
      const reserved = (i: typeof P) => Object.fromEntries(HANDLER_NAMES.map((n) => [n, i.fn(n).ReservedConcurrentExecutions]));
      expect(reserved(P)).toEqual({ ingest: undefined, worker: undefined, compute: 2, publish: 1, api: undefined });
      expect(Object.values(reserved(D)).every((r) => r === undefined)).toBe(true);
    });

    it('each log to their own group, kept a week in dev and a year in prod', () => {
      for (const [stage, s] of STAGES) {
        const i = inspect(s);
        const groups = HANDLER_NAMES.map((n) => referencedIds(i.fn(n).LoggingConfig.LogGroup)[0]);
        expect(new Set(groups).size, stage).toBe(5);
        for (const [id, group] of s.ofType('AWS::Logs::LogGroup')) {
          expect(group.Properties.RetentionInDays, `${stage} ${id}`).toBe(stage === 'prod' ? 365 : 7);
        }
      }
    });

    it('get only variables the handlers read, with values their schema accepts', () => {
      const known = new Set([
        ...Object.keys(environmentSchema.shape),
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_LOG_LEVEL',
        'POWERTOOLS_METRICS_NAMESPACE',
        'NODE_OPTIONS',
      ]);
      const shape = environmentSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
      for (const [stage, s] of STAGES) {
        const i = inspect(s);
        for (const name of HANDLER_NAMES) {
          const env = i.env(name);
          expect(env, `${stage} ${name}`).toMatchObject({
            TABLE_NAME: { Ref: s.logicalId(s.stack.table) },
            ADVISOR_SOURCE: stage === 'prod' ? 'live' : 'sim',
            POWERTOOLS_SERVICE_NAME: 'leverage-advisor',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_METRICS_NAMESPACE: `LeverageAdvisor/${stage}`,
            NODE_OPTIONS: '--enable-source-maps',
          });
          for (const [key, value] of Object.entries(env)) {
            expect(known.has(key), `${stage} ${name}: ${key} is read by no handler`).toBe(true);
            if (typeof value === 'string' && shape[key]) expect(shape[key].safeParse(value).success, `${name}: ${key}=${value}`).toBe(true);
          }
        }
      }
    });

    it("pass the handlers' own start-up validation once CloudFormation resolves the references", () => {
      // A reference stands for a value of its kind: an ARN, a URL, or a name.
      const resolved = (key: string, value: unknown) =>
        typeof value === 'string'
          ? value
          : key.endsWith('_SECRET_ARN')
            ? 'arn:aws:secretsmanager:us-east-1:123456789012:secret:created-XyZ789'
            : key.endsWith('_URL')
              ? 'https://abc123.execute-api.us-east-1.amazonaws.com/'
              : 'resolved-name';
      for (const [stage, s] of STAGES) {
        const i = inspect(s);
        for (const name of HANDLER_NAMES) {
          const env = Object.fromEntries(Object.entries(i.env(name)).map(([k, v]) => [k, resolved(k, v)]));
          expect(() => readEnvironment(env), `${stage} ${name}`).not.toThrow();
        }
      }
    });

    it('each know the names of the functions they start, and nothing else of the stack', () => {
      const wiring = (i: typeof P) =>
        Object.fromEntries(
          HANDLER_NAMES.map((name) => [
            name,
            Object.fromEntries(Object.entries(i.env(name)).filter(([key]) => key.endsWith('_FUNCTION_NAME') || key === 'ASSET_QUEUE_URL')),
          ]),
        );
      expect(wiring(P)).toEqual({
        // The planner finalizes a run with no assets itself.
        ingest: { ASSET_QUEUE_URL: { Ref: prod.logicalId(prod.stack.fanOut.queue) }, COMPUTE_FUNCTION_NAME: { Ref: P.functionId('compute') } },
        worker: { COMPUTE_FUNCTION_NAME: { Ref: P.functionId('compute') } },
        compute: { PUBLISH_FUNCTION_NAME: { Ref: P.functionId('publish') } },
        publish: {},
        api: { INGEST_FUNCTION_NAME: { Ref: P.functionId('ingest') } },
      });
      expect(P.env('api').ADVISOR_AUTH_MODE).toBe('iam');
      // Proposals link to the deployed API.
      expect(referencedIds(P.env('compute').ADVISOR_PUBLIC_URL)).toEqual([prod.logicalId(prod.stack.api.httpApi)]);
    });

    it('give publish (and compute, which labels proposals with their target) the targets of prod, and none in dev', () => {
      const discourseSecretId = prod.ofType('AWS::SecretsManager::Secret')[0]![0];
      const targetVariables = (env: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('ADVISOR_DISCOURSE') || k.startsWith('ADVISOR_WEBHOOK')));
      const expected = {
        ADVISOR_DISCOURSE_URL: 'https://forum.example.org',
        ADVISOR_DISCOURSE_CATEGORY_ID: '12',
        ADVISOR_DISCOURSE_API_USERNAME: 'leverage-advisor',
        ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: { Ref: discourseSecretId },
        ADVISOR_WEBHOOK_URL: 'https://hooks.example.org/advisor',
        ADVISOR_WEBHOOK_SECRET_ARN: `${IMPORTED_WEBHOOK_SECRET}#hmac`,
      };
      expect(targetVariables(P.env('publish'))).toEqual(expected);
      expect(targetVariables(P.env('compute'))).toEqual(expected);
      for (const name of ['ingest', 'worker', 'api'] as const) expect(targetVariables(P.env(name)), name).toEqual({});
      for (const name of HANDLER_NAMES) expect(targetVariables(D.env(name)), name).toEqual({});
      // The lease outlives the dispatcher, so no proposal is sent by two at once.
      expect(Number(P.env('publish').ADVISOR_PUBLISH_LEASE_MS)).toBeGreaterThan(P.fn('publish').Timeout * 1000);
    });
  });

  describe('IAM', () => {
    it('has no wildcard action and no wildcard resource in any policy', () => {
      expect(P.policyStatements.length).toBeGreaterThan(0);
      for (const { statement } of [...P.policyStatements, ...D.policyStatements]) {
        for (const action of actionsOf(statement)) expect(action === '*' || action.endsWith(':*'), `wildcard action ${action}`).toBe(false);
        expect(JSON.stringify(statement.Resource), actionsOf(statement).join()).not.toContain('*');
      }
    });

    it('attaches no managed policy to the functions (not even AWSLambdaBasicExecutionRole)', () => {
      for (const [id, role] of prod.ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    });

    it('grants each function exactly the DynamoDB actions of its FUNCTION_SPECS lists (which iam-actions.test.ts records from its code)', () => {
      const tableId = prod.logicalId(prod.stack.table);
      for (const name of HANDLER_NAMES) {
        const onTable: string[] = [];
        const onIndex: string[] = [];
        for (const statement of P.statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))) {
          const actions = actionsOf(statement).map((a) => a.replace('dynamodb:', ''));
          if (JSON.stringify(statement.Resource) === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] })) onTable.push(...actions);
          else {
            // The index by name, never `index/*`.
            expect(statement.Resource, name).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/gsi1']] });
            onIndex.push(...actions);
          }
        }
        expect(onTable.sort(), name).toEqual([...FUNCTION_SPECS[name].tableActions].sort());
        expect(onIndex.sort(), name).toEqual([...FUNCTION_SPECS[name].indexActions].sort());
      }
      // The API's reads include GET /v1/proposals, which reads a page of proposals with BatchGetItem (issue 12, defect 8).
      expect(FUNCTION_SPECS.api.tableActions).toContain('BatchGetItem');
    });

    it('lets each function invoke only the functions it starts, by exact ARN', () => {
      const expected: Record<HandlerName, HandlerName[]> = { ingest: ['compute'], worker: ['compute'], compute: ['publish'], publish: [], api: ['ingest'] };
      for (const name of HANDLER_NAMES) {
        expect(P.grants(name, 'lambda:'), name).toEqual(
          expected[name].length > 0 ? { 'lambda:InvokeFunction': expected[name].map(P.functionId).sort() } : {},
        );
      }
    });

    it('lets the planner send to the asset queue, the worker consume it, and the async stages fail into the DLQ', () => {
      const assetQueue = prod.logicalId(prod.stack.fanOut.queue);
      const asyncDlq = prod.logicalId(prod.stack.deadLetterQueue);
      const sends = (name: HandlerName) => P.grants(name, 'sqs:')['sqs:SendMessage'] ?? [];
      expect(sends('ingest')).toEqual([assetQueue, asyncDlq].sort());
      expect(sends('compute')).toEqual([asyncDlq]);
      expect(sends('publish')).toEqual([asyncDlq]);
      expect(sends('worker')).toEqual([]);
      expect(P.grants('api', 'sqs:')).toEqual({});
      expect(P.grants('worker', 'sqs:')).toMatchObject({ 'sqs:ReceiveMessage': [assetQueue], 'sqs:DeleteMessage': [assetQueue] });
      // Parked messages are for an operator, not for any function.
      const assetDlq = prod.logicalId(prod.stack.fanOut.deadLetterQueue);
      for (const { statement } of P.policyStatements) expect(referencedIds(statement.Resource)).not.toContain(assetDlq);
    });

    it('lets only publish read secrets, exactly the configured ones', () => {
      const created = prod.ofType('AWS::SecretsManager::Secret')[0]![0];
      for (const name of HANDLER_NAMES) {
        const secrets = P.grants(name, 'secretsmanager:');
        if (name !== 'publish') expect(secrets, name).toEqual({});
      }
      const readers = P.statementsOf('publish').filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(readers.map((s) => s.Resource)).toEqual([{ Ref: created }, IMPORTED_WEBHOOK_SECRET]);
      for (const s of readers) expect(actionsOf(s).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      expect(D.statementsOf('publish').some((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))).toBe(false);
    });

    it('lets each function write only its own log group', () => {
      for (const name of HANDLER_NAMES) {
        const group = referencedIds(P.fn(name).LoggingConfig.LogGroup)[0]!;
        expect(P.grants(name, 'logs:'), name).toEqual({ 'logs:CreateLogStream': [group], 'logs:PutLogEvents': [group] });
      }
    });
  });

  describe('fan-out', () => {
    it('queues each asset for the worker, with a visibility of six worker timeouts and a dead-letter queue after 3 receives', () => {
      const queue = prod.resources[prod.logicalId(prod.stack.fanOut.queue)]!.Properties;
      expect(queue).toMatchObject({
        VisibilityTimeout: 6 * FUNCTION_SPECS.worker.timeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [prod.logicalId(prod.stack.fanOut.deadLetterQueue), 'Arn'] }, maxReceiveCount: 3 },
      });
      // The worker's claim on an asset outlives a killed worker and expires before SQS redelivers it.
      expect(DEFAULT_ASSET_LEASE_MS).toBeGreaterThan(P.fn('worker').Timeout * 1000);
      expect(DEFAULT_ASSET_LEASE_MS).toBeLessThan(queue.VisibilityTimeout * 1000);
    });

    it('runs the worker from the queue in small batches, reporting per-message failures, at most N at once per stage', () => {
      for (const [stage, s] of STAGES) {
        s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          FunctionName: { Ref: inspect(s).functionId('worker') },
          EventSourceArn: { 'Fn::GetAtt': [s.logicalId(s.stack.fanOut.queue), 'Arn'] },
          BatchSize: 5,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: stage === 'prod' ? 10 : 2 },
        });
      }
    });

    it('encrypts every queue and refuses plain-HTTP access to each', () => {
      const queues = prod.ofType('AWS::SQS::Queue');
      for (const [id, q] of queues) expect(q.Properties.SqsManagedSseEnabled, id).toBe(true);
      const guarded = prod.ofType('AWS::SQS::QueuePolicy').flatMap(([, p]) => {
        const denies = (p.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[]).some(
          (st) => st.Effect === 'Deny' && JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        );
        return denies ? referencedIds(p.Properties.Queues) : [];
      });
      expect(guarded.sort()).toEqual(queues.map(([id]) => id).sort());
    });
  });

  describe('asynchronous invocations', () => {
    it('retry twice, then land in the dead-letter queue: ingest, compute and publish', () => {
      const configs = prod.ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
      expect(configs.map((c) => c.FunctionName.Ref).sort()).toEqual((['ingest', 'compute', 'publish'] as const).map(P.functionId).sort());
      for (const config of configs) {
        expect(config.MaximumRetryAttempts).toBe(2);
        expect(config.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [prod.logicalId(prod.stack.deadLetterQueue), 'Arn'] });
      }
    });
  });

  describe('schedules', () => {
    it('start a cycle and an outbox retry on each stage schedule', () => {
      const rules = (s: SynthesizedStage) =>
        s.ofType('AWS::Events::Rule').map(([, r]) => ({
          expression: r.Properties.ScheduleExpression as string,
          targets: referencedIds(r.Properties.Targets),
        }));
      expect(rules(prod)).toEqual(
        expect.arrayContaining([
          { expression: 'rate(1 hour)', targets: [P.functionId('ingest')] },
          { expression: 'rate(5 minutes)', targets: [P.functionId('publish')] },
        ]),
      );
      const devConfig = dev.stack.config.schedule;
      expect(rules(dev)).toEqual(
        expect.arrayContaining([
          { expression: rateExpression(devConfig.cycleEveryMinutes), targets: [D.functionId('ingest')] },
          { expression: rateExpression(devConfig.publishEveryMinutes), targets: [D.functionId('publish')] },
        ]),
      );
      expect(rateExpression(devConfig.cycleEveryMinutes)).toBe('rate(6 hours)');
    });
  });

  describe('HTTP API', () => {
    const routes = (s: SynthesizedStage): Record<string, { AuthorizationType: string; Target: unknown }> =>
      Object.fromEntries(s.ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties]));

    it('signs POST /v1/recompute with IAM and routes every read by prefix, unauthenticated', () => {
      const byKey = routes(prod);
      const reads = ['GET', 'HEAD', 'OPTIONS'].flatMap((method) => [`${method} /`, `${method} /{proxy+}`]);
      expect(Object.keys(byKey).sort()).toEqual([...reads, 'POST /v1/recompute'].sort());
      expect(byKey['POST /v1/recompute']!.AuthorizationType).toBe('AWS_IAM');
      for (const key of reads) expect(byKey[key]!.AuthorizationType, key).toBe('NONE');
    });

    it('sends every route to the api function and leaves CORS to it', () => {
      const integrations = prod.ofType('AWS::ApiGatewayV2::Integration');
      expect(integrations).toHaveLength(1);
      const [integrationId, integration] = integrations[0]!;
      expect(integration.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [P.functionId('api'), 'Arn'] });
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
      for (const route of Object.values(routes(prod))) expect(referencedIds(route.Target)).toEqual([integrationId]);
      // The function answers preflights (open for GET, closed for POST); API Gateway's CORS would answer for it.
      for (const [, api] of prod.ofType('AWS::ApiGatewayV2::Api')) expect(api.Properties.CorsConfiguration).toBeUndefined();
    });

    it('throttles the default stage per stage and writes JSON access logs', () => {
      for (const [stage, s] of STAGES) {
        const config = s.stack.config.api;
        s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
          StageName: '$default',
          AutoDeploy: true,
          DefaultRouteSettings: { ThrottlingRateLimit: config.throttleRatePerSecond, ThrottlingBurstLimit: config.throttleBurst },
          AccessLogSettings: {
            DestinationArn: { 'Fn::GetAtt': [s.logicalId(s.stack.api.accessLogs), 'Arn'] },
            Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
          },
        });
        expect(config.throttleRatePerSecond, stage).toBe(stage === 'prod' ? 50 : 10);
      }
    });

    it('throttles POST /v1/recompute (a whole cycle per call) tighter, on a stage created after that route', () => {
      const [, stage] = prod.ofType('AWS::ApiGatewayV2::Stage')[0]!;
      expect(stage.Properties.RouteSettings).toEqual({ 'POST /v1/recompute': { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2 } });
      const recomputeRoute = prod.ofType('AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === 'POST /v1/recompute')![0];
      expect(stage.DependsOn).toContain(recomputeRoute);
    });
  });

  describe('alarms', () => {
    const alarms = (s: SynthesizedStage) => s.ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicRef = (s: SynthesizedStage) => ({ Ref: s.logicalId(s.stack.alarms.topic) });

    it('watch every function for errors', () => {
      for (const name of HANDLER_NAMES) {
        prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: P.functionId(name) } }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
    });

    it('watch both dead-letter queues and the age of the asset backlog', () => {
      for (const queue of [prod.stack.deadLetterQueue, prod.stack.fanOut.deadLetterQueue]) {
        prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [prod.logicalId(queue), 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
      for (const [stage, s] of STAGES) {
        s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [s.logicalId(s.stack.fanOut.queue), 'QueueName'] } }],
          Statistic: 'Maximum',
          Threshold: stage === 'prod' ? 30 * 60 : 60 * 60,
          ComparisonOperator: 'GreaterThanThreshold',
        });
      }
    });

    it('watch the API for 5xx', () => {
      prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: [{ Name: 'ApiId', Value: { Ref: prod.logicalId(prod.stack.api.httpApi) } }],
        Statistic: 'Sum',
        Threshold: 5,
      });
    });

    it('treat data older than two cycles, or no run at all, as stale', () => {
      for (const [stage, s] of STAGES) {
        const windowSeconds = stage === 'prod' ? 2 * 3600 : 12 * 3600;
        s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: `LeverageAdvisor/${stage}`,
          MetricName: 'DataAgeMaxSeconds',
          Dimensions: [{ Name: 'service', Value: 'leverage-advisor' }],
          Statistic: 'Maximum',
          Period: windowSeconds,
          Threshold: windowSeconds,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'breaching',
        });
      }
    });

    it('alert when a run held parameters for want of an input (missing is not risky, but it is news)', () => {
      prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'LeverageAdvisor/prod',
        MetricName: 'RecommendationsMissingInputs',
        Dimensions: [{ Name: 'service', Value: 'leverage-advisor' }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('all notify the stage topic of ALARM and OK, e-mailed in prod', () => {
      for (const [stage, s] of STAGES) {
        for (const alarm of alarms(s)) {
          expect(alarm.AlarmActions, `${stage} ${alarm.AlarmName}`).toEqual([topicRef(s)]);
          expect(alarm.OKActions, `${stage} ${alarm.AlarmName}`).toEqual([topicRef(s)]);
          expect(alarm.AlarmDescription).toContain('docs/deploy.md#alarms');
        }
      }
      prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org', TopicArn: topicRef(prod) });
      dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  describe('secrets and outputs', () => {
    it('creates a placeholder for a secret not given, to be overwritten, and outputs its ARN', () => {
      const [id, secret] = prod.ofType('AWS::SecretsManager::Secret')[0]!;
      expect(secret.Properties.GenerateSecretString).toEqual({ PasswordLength: 64, ExcludePunctuation: true });
      const arnOutputs = Object.entries(prod.outputs).filter(([key]) => key.startsWith('PublishTargetsDiscourseApiKeyArn'));
      expect(arnOutputs.map(([, o]) => o.Value)).toEqual([{ Ref: id }]);
    });

    it('outputs the API URL, the recompute URL, the table and the alarm topic', () => {
      prod.template.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', Match.arrayWith([{ Ref: prod.logicalId(prod.stack.api.httpApi) }])] } });
      prod.template.hasOutput('RecomputeUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['/v1/recompute'])] } });
      prod.template.hasOutput('TableName', { Value: { Ref: prod.logicalId(prod.stack.table) } });
      prod.template.hasOutput('AlarmTopicArn', { Value: { Ref: prod.logicalId(prod.stack.alarms.topic) } });
    });
  });
});
