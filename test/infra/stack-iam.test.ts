import { describe, expect, it } from 'vitest';
import { FUNCTION_ROLES, FUNCTION_SPECS, type FunctionRole } from '../../infra/function-specs.js';
import { IMPORTED_WEBHOOK_SECRET, prod, P, D, actionsOf, referencedIds } from './stack-fixture.js';

/** What each function's IAM role may do. Shared stages and lookups: stack-fixture.ts. */

describe('LeverageAdvisorStack', () => {
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
      for (const name of FUNCTION_ROLES) {
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
      const expected: Record<FunctionRole, FunctionRole[]> = { plan: ['finalize'], worker: ['finalize'], finalize: ['publish'], publish: [], api: ['plan'] };
      for (const name of FUNCTION_ROLES) {
        expect(P.grants(name, 'lambda:'), name).toEqual(
          expected[name].length > 0 ? { 'lambda:InvokeFunction': expected[name].map(P.functionId).sort() } : {},
        );
      }
    });

    it('lets the planner send to the asset queue, the worker consume it, and the async stages fail into the DLQ', () => {
      const assetQueue = prod.logicalId(prod.stack.fanOut.queue);
      const asyncDlq = prod.logicalId(prod.stack.deadLetterQueue);
      const sends = (name: FunctionRole) => P.grants(name, 'sqs:')['sqs:SendMessage'] ?? [];
      expect(sends('plan')).toEqual([assetQueue, asyncDlq].sort());
      expect(sends('finalize')).toEqual([asyncDlq]);
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
      for (const name of FUNCTION_ROLES) {
        const secrets = P.grants(name, 'secretsmanager:');
        if (name !== 'publish') expect(secrets, name).toEqual({});
      }
      const readers = P.statementsOf('publish').filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
      expect(readers.map((s) => s.Resource)).toEqual([{ Ref: created }, IMPORTED_WEBHOOK_SECRET]);
      for (const s of readers) expect(actionsOf(s).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
      expect(D.statementsOf('publish').some((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))).toBe(false);
    });

    it('lets each function write only its own log group', () => {
      for (const name of FUNCTION_ROLES) {
        const group = referencedIds(P.fn(name).LoggingConfig.LogGroup)[0]!;
        expect(P.grants(name, 'logs:'), name).toEqual({ 'logs:CreateLogStream': [group], 'logs:PutLogEvents': [group] });
      }
    });
  });
});
