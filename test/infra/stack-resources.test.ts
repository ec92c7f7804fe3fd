import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { createTableInput, TABLE_DEFINITION } from '../../shared/store/table.js';
import { prod, dev } from './stack-fixture.js';
import type { SynthesizedStage } from './synth.js';

/** Resource counts, retention of stateful resources, and the table. Shared stages and lookups: stack-fixture.ts. */

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
      // The key schema and indexes of the table the local runtime creates from the same definition.
      const local = createTableInput('any');
      dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: local.KeySchema,
        AttributeDefinitions: Match.arrayWith(keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type }))),
        GlobalSecondaryIndexes: local.GlobalSecondaryIndexes,
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
});
