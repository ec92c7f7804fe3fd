import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_SPECS } from '../../infra/function-specs.js';
import { DEFAULT_ASSET_LEASE_MS } from '../../shared/cycle/worker.js';
import { prod, dev, STAGES, P, D, referencedIds, inspect, rateExpression } from './stack-fixture.js';
import type { SynthesizedStage } from './synth.js';

/** The asset fan-out, asynchronous invocations, schedules and the HTTP API. Shared stages and lookups: stack-fixture.ts. */

describe('LeverageAdvisorStack', () => {
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
    it('retry twice, then land in the dead-letter queue: plan, finalize and publish', () => {
      const configs = prod.ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
      expect(configs.map((c) => c.FunctionName.Ref).sort()).toEqual((['plan', 'finalize', 'publish'] as const).map(P.functionId).sort());
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
          { expression: 'rate(1 hour)', targets: [P.functionId('plan')] },
          { expression: 'rate(5 minutes)', targets: [P.functionId('publish')] },
        ]),
      );
      const devConfig = dev.stack.config.schedule;
      expect(rules(dev)).toEqual(
        expect.arrayContaining([
          { expression: rateExpression(devConfig.cycleEveryMinutes), targets: [D.functionId('plan')] },
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
});
