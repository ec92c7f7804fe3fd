import { describe, expect, it } from 'vitest';
import { FUNCTION_ROLES, FUNCTION_SPECS } from '../../infra/function-specs.js';
import { constructIdOf } from '../../infra/stack.js';
import { environmentSchema, readEnvironment } from '../../shared/cycle/deps.js';
import { IMPORTED_WEBHOOK_SECRET, prod, dev, STAGES, P, D, referencedIds, inspect } from './stack-fixture.js';

/** The five functions: sizes, reserved concurrency, logs, environment and wiring. Shared stages and lookups: stack-fixture.ts. */

describe('LeverageAdvisorStack', () => {
  describe('functions', () => {
    it('are five arm64 functions on the latest Node LTS, sized by FUNCTION_SPECS', () => {
      for (const name of FUNCTION_ROLES) {
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

    it('are named after their roles: <Role>Function, alarmed as <Role>FunctionErrors', () => {
      for (const role of FUNCTION_ROLES) expect(P.functionId(role), role).toMatch(new RegExp(`^${constructIdOf(role)}[0-9A-F]{8}$`));
      expect(prod.stack.alarms.alarms.map((a) => a.node.id)).toEqual(expect.arrayContaining(FUNCTION_ROLES.map((role) => `${constructIdOf(role)}Errors`)));
      expect(FUNCTION_ROLES.map(constructIdOf)).toEqual(['PlanFunction', 'WorkerFunction', 'FinalizeFunction', 'PublishFunction', 'ApiFunction']);
    });

    it('reserve concurrency for finalize and publish in prod only', () => {
      const reserved = (i: typeof P) => Object.fromEntries(FUNCTION_ROLES.map((n) => [n, i.fn(n).ReservedConcurrentExecutions]));
      expect(reserved(P)).toEqual({ plan: undefined, worker: undefined, finalize: 2, publish: 1, api: undefined });
      expect(Object.values(reserved(D)).every((r) => r === undefined)).toBe(true);
    });

    it('each log to their own group, kept a week in dev and a year in prod', () => {
      for (const [stage, s] of STAGES) {
        const i = inspect(s);
        const groups = FUNCTION_ROLES.map((n) => referencedIds(i.fn(n).LoggingConfig.LogGroup)[0]);
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
        for (const name of FUNCTION_ROLES) {
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
        for (const name of FUNCTION_ROLES) {
          const env = Object.fromEntries(Object.entries(i.env(name)).map(([k, v]) => [k, resolved(k, v)]));
          expect(() => readEnvironment(env), `${stage} ${name}`).not.toThrow();
        }
      }
    });

    it('each know the names of the functions they start, and nothing else of the stack', () => {
      const wiring = (i: typeof P) =>
        Object.fromEntries(
          FUNCTION_ROLES.map((name) => [
            name,
            Object.fromEntries(Object.entries(i.env(name)).filter(([key]) => key.endsWith('_FUNCTION_NAME') || key === 'ASSET_QUEUE_URL')),
          ]),
        );
      expect(wiring(P)).toEqual({
        // The planner finalizes a run with no assets itself.
        plan: { ASSET_QUEUE_URL: { Ref: prod.logicalId(prod.stack.fanOut.queue) }, FINALIZE_FUNCTION_NAME: { Ref: P.functionId('finalize') } },
        worker: { FINALIZE_FUNCTION_NAME: { Ref: P.functionId('finalize') } },
        finalize: { PUBLISH_FUNCTION_NAME: { Ref: P.functionId('publish') } },
        publish: {},
        api: { PLAN_FUNCTION_NAME: { Ref: P.functionId('plan') } },
      });
      expect(P.env('api').ADVISOR_AUTH_MODE).toBe('iam');
      // Proposals link to the deployed API.
      expect(referencedIds(P.env('finalize').ADVISOR_PUBLIC_URL)).toEqual([prod.logicalId(prod.stack.api.httpApi)]);
    });

    it('give the plan function the chain RPC endpoint of a stage that has one (-c chainRpcUrl), and no other function', () => {
      expect(P.env('plan').ADVISOR_RPC_URL).toBe('https://rpc.example.org');
      for (const role of ['worker', 'finalize', 'publish', 'api'] as const) expect(P.env(role).ADVISOR_RPC_URL).toBeUndefined();
      expect(D.env('plan').ADVISOR_RPC_URL).toBeUndefined();
    });

    it('give publish (and finalize, which labels proposals with their target) the targets of prod, and none in dev', () => {
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
      expect(targetVariables(P.env('finalize'))).toEqual(expected);
      for (const name of ['plan', 'worker', 'api'] as const) expect(targetVariables(P.env(name)), name).toEqual({});
      for (const name of FUNCTION_ROLES) expect(targetVariables(D.env(name)), name).toEqual({});
      // The lease outlives the dispatcher, so no proposal is sent by two at once.
      expect(Number(P.env('publish').ADVISOR_PUBLISH_LEASE_MS)).toBeGreaterThan(P.fn('publish').Timeout * 1000);
    });
  });
});
