import { describe, it, expect } from 'vitest';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LeverageAdvisorStack } from '../../infra/stack.js';
import type { HandlerName } from '../../infra/advisor-function.js';
import { DEFAULT_CONFIG } from '../../shared/config/defaults.js';
import { environmentSchema } from '../../shared/cycle/deps.js';
import { TABLE_DEFINITION } from '../../shared/store/table.js';

function synth(stage: string) {
  // An empty bundling-stacks list skips esbuild: the template is all these tests look at.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new LeverageAdvisorStack(app, `LeverageAdvisor-${stage}`, { stage });
  return { stack, template: Template.fromStack(stack) };
}

const { stack, template } = synth('dev');
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any; DeletionPolicy?: string }>;
const HANDLERS: HandlerName[] = ['ingest', 'compute', 'publish', 'api'];

const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const functionId = (name: HandlerName) => logicalId(stack.functions[name]);
const roleId = (name: HandlerName) => logicalId(stack.functions[name].role as never);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every statement of every AWS::IAM::Policy, with the logical ids of the roles it is attached to. */
const policyStatements = ofType('AWS::IAM::Policy').flatMap(([, policy]) => {
  const roles = ((policy.Properties.Roles ?? []) as { Ref: string }[]).map((r) => r.Ref);
  return (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({ roles, statement }));
});
const statementsOf = (role: string) => policyStatements.filter((p) => p.roles.includes(role)).map((p) => p.statement);

/** Logical ids referenced through Fn::GetAtt anywhere inside a value. */
function getAttTargets(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(getAttTargets);
  if (value && typeof value === 'object') {
    const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return [getAtt[0] as string];
    return Object.values(value).flatMap(getAttTargets);
  }
  return [];
}

/** EventBridge rate syntax, written independently of CDK's Schedule.rate: largest whole unit, singular for 1. */
function rateExpression(minutes: number): string {
  const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}

describe('LeverageAdvisorStack', () => {
  describe('table', () => {
    it('has the key schema, GSI and TTL attribute of TABLE_DEFINITION', () => {
      const { partitionKey, sortKey, globalSecondaryIndexes, timeToLiveAttribute } = TABLE_DEFINITION;
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      const keys = [partitionKey, sortKey, ...globalSecondaryIndexes.flatMap((g) => [g.partitionKey, g.sortKey])];
      template.hasResourceProperties('AWS::DynamoDB::Table', {
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
      });
    });

    it('is on-demand, with point-in-time recovery and AWS-managed encryption', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('is retained in prod and destroyed in other stages', () => {
      template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
      synth('prod').template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    });
  });

  describe('functions', () => {
    it('are four Node 22 arm64 functions with sensible timeouts', () => {
      const functions = ofType('AWS::Lambda::Function');
      expect(functions.map(([id]) => id).sort()).toEqual(HANDLERS.map(functionId).sort());
      for (const [, fn] of functions) {
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
      }
      const timeout = (name: HandlerName) => resources[functionId(name)]!.Properties.Timeout as number;
      expect(timeout('ingest')).toBeGreaterThanOrEqual(120);
      expect(timeout('compute')).toBeGreaterThanOrEqual(120);
      // Below API Gateway's 30 s integration limit, so a slow read fails in the function, visibly.
      expect(timeout('api')).toBeLessThanOrEqual(29);
    });

    it('get only variables the handlers read, with valid values', () => {
      const known = new Set([...Object.keys(environmentSchema.shape), 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS']);
      const shape = environmentSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
      for (const name of HANDLERS) {
        const env = resources[functionId(name)]!.Properties.Environment.Variables as Record<string, unknown>;
        expect(env, name).toMatchObject({
          TABLE_NAME: { Ref: logicalId(stack.table) },
          ADVISOR_AUTH_MODE: 'iam',
          POWERTOOLS_SERVICE_NAME: 'leverage-advisor',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        });
        for (const [key, value] of Object.entries(env)) {
          expect(known.has(key), `${name}: ${key} is read by no handler`).toBe(true);
          if (typeof value === 'string' && shape[key]) expect(shape[key].safeParse(value).success, `${name}: ${key}=${value}`).toBe(true);
        }
      }
    });

    it('each know the name of the next stage only', () => {
      const names = (name: HandlerName) => {
        const env = resources[functionId(name)]!.Properties.Environment.Variables as Record<string, unknown>;
        return Object.fromEntries(Object.entries(env).filter(([key]) => key.endsWith('_FUNCTION_NAME')));
      };
      expect(names('ingest')).toEqual({ COMPUTE_FUNCTION_NAME: { Ref: functionId('compute') } });
      expect(names('compute')).toEqual({ PUBLISH_FUNCTION_NAME: { Ref: functionId('publish') } });
      expect(names('publish')).toEqual({});
      expect(names('api')).toEqual({ INGEST_FUNCTION_NAME: { Ref: functionId('ingest') } });
    });
  });

  describe('IAM', () => {
    it('has no wildcard action in any policy', () => {
      expect(policyStatements.length).toBeGreaterThan(0);
      for (const { statement } of policyStatements) {
        for (const action of actionsOf(statement)) {
          expect(action === '*' || action.endsWith(':*'), `wildcard action ${action}`).toBe(false);
        }
      }
    });

    it('grants table access on the table and its indexes only, and never deletes', () => {
      const tableId = logicalId(stack.table);
      const dynamoActions = (name: HandlerName) => {
        const statements = statementsOf(roleId(name)).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
        for (const s of statements) {
          expect(s.Resource, `${name} resource`).not.toEqual('*');
          expect(new Set(getAttTargets(s.Resource)), `${name} resource`).toEqual(new Set([tableId]));
        }
        return new Set(statements.flatMap(actionsOf));
      };
      for (const name of ['ingest', 'compute', 'publish'] as const) {
        const actions = dynamoActions(name);
        for (const a of ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem']) {
          expect(actions.has(a), `${name} needs ${a}`).toBe(true);
        }
        expect(actions.has('dynamodb:DeleteItem'), `${name} may delete`).toBe(false);
      }
      const api = dynamoActions('api');
      expect(api.has('dynamodb:Query') && api.has('dynamodb:GetItem') && api.has('dynamodb:PutItem')).toBe(true);
      for (const a of ['dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteItem']) {
        expect(api.has(a), `api may ${a}`).toBe(false);
      }
    });

    it('lets each function invoke only the next stage', () => {
      const expected: Record<HandlerName, HandlerName[]> = { ingest: ['compute'], compute: ['publish'], publish: [], api: ['ingest'] };
      const roles = new Set(HANDLERS.map(roleId));
      for (const { roles: attached, statement } of policyStatements) {
        if (!actionsOf(statement).some((a) => a.startsWith('lambda:'))) continue;
        expect(attached.every((r) => roles.has(r)), 'lambda permission on a role that is not a handler').toBe(true);
      }
      for (const name of HANDLERS) {
        const invoke = statementsOf(roleId(name)).filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
        const targets = new Set(invoke.flatMap((s) => getAttTargets(s.Resource)));
        expect(targets, name).toEqual(new Set(expected[name].map(functionId)));
        for (const s of invoke) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
      }
    });
  });

  describe('HTTP API', () => {
    const routes = (): Record<string, { AuthorizationType: string; Target: unknown }> =>
      Object.fromEntries(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [r.Properties.RouteKey, r.Properties]));

    it('signs POST /v1/recompute with IAM and leaves the reads open', () => {
      const reads = ['/v1/health', '/v1/recommendations', '/v1/recommendations/{asset}', '/v1/recommendations/{asset}/history', '/v1/runs/{id}'];
      const byKey = routes();
      expect(Object.keys(byKey).sort()).toEqual([...reads.map((p) => `GET ${p}`), 'POST /v1/recompute'].sort());
      expect(byKey['POST /v1/recompute']!.AuthorizationType).toBe('AWS_IAM');
      for (const path of reads) expect(byKey[`GET ${path}`]!.AuthorizationType, path).toBe('NONE');
    });

    it('sends every route to the api function', () => {
      const integrations = ofType('AWS::ApiGatewayV2::Integration');
      expect(integrations.length).toBeGreaterThan(0);
      for (const [, integration] of integrations) {
        expect(integration.Properties.IntegrationUri).toEqual({ 'Fn::GetAtt': [functionId('api'), 'Arn'] });
      }
      const integrationIds = new Set(integrations.map(([id]) => id));
      for (const route of Object.values(routes())) {
        const target = JSON.stringify(route.Target);
        expect([...integrationIds].some((id) => target.includes(id)), target).toBe(true);
      }
    });

    it('throttles the default stage and outputs its URL and the table name', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
      template.hasOutput('ApiUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
      template.hasOutput('TableName', { Value: { Ref: logicalId(stack.table) } });
    });
  });

  describe('schedules', () => {
    it('start ingest every cycle and publish every publish interval, from the default config', () => {
      const rules = ofType('AWS::Events::Rule').map(([, r]) => ({
        expression: r.Properties.ScheduleExpression as string,
        targets: getAttTargets(r.Properties.Targets),
      }));
      expect(rules).toHaveLength(2);
      expect(rules).toContainEqual({ expression: rateExpression(DEFAULT_CONFIG.schedule.cycleEveryMinutes), targets: [functionId('ingest')] });
      expect(rules).toContainEqual({ expression: rateExpression(DEFAULT_CONFIG.schedule.publishEveryMinutes), targets: [functionId('publish')] });
    });
  });

  describe('dead-letter queue', () => {
    const queueId = () => logicalId(stack.deadLetterQueue);

    it('is encrypted and refuses plain-HTTP access', () => {
      template.resourceCountIs('AWS::SQS::Queue', 1);
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId() }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('receives the asynchronous failures of ingest, compute and publish after two retries', () => {
      const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
      expect(configs.map((c) => c.FunctionName.Ref).sort()).toEqual((['ingest', 'compute', 'publish'] as const).map(functionId).sort());
      for (const config of configs) {
        expect(config.MaximumRetryAttempts).toBe(2);
        expect(config.DestinationConfig.OnFailure.Destination).toEqual({ 'Fn::GetAtt': [queueId(), 'Arn'] });
      }
      for (const name of ['ingest', 'compute', 'publish'] as const) {
        const send = statementsOf(roleId(name)).find((s) => actionsOf(s).includes('sqs:SendMessage'));
        expect(getAttTargets(send?.Resource), name).toEqual([queueId()]);
      }
    });
  });

  describe('alarms', () => {
    it('watch every function for errors, and the dead-letter queue', () => {
      for (const name of HANDLERS) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
          Statistic: 'Sum',
          Period: 300,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
      }
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.deadLetterQueue), 'QueueName'] } }],
      });
    });
  });
});
