import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_ROLES } from '../../infra/function-specs.js';
import { prod, dev, STAGES, P } from './stack-fixture.js';
import type { SynthesizedStage } from './synth.js';

/** Alarms, the created secrets and the stack outputs. Shared stages and lookups: stack-fixture.ts. */

describe('LeverageAdvisorStack', () => {
  describe('alarms', () => {
    const alarms = (s: SynthesizedStage) => s.ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const topicRef = (s: SynthesizedStage) => ({ Ref: s.logicalId(s.stack.alarms.topic) });

    it('watch every function for errors', () => {
      for (const name of FUNCTION_ROLES) {
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
