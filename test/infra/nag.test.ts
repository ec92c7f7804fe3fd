import { describe, expect, it } from 'vitest';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { nagFindings, PROD_WITH_TARGETS, type NagFinding } from './synth.js';

const errorsIn = (findings: NagFinding[]) =>
  findings.filter((f) => f.severity === 'error' || f.severity === 'fatal').map((f) => `${f.rule} at ${f.paths.join(', ')}`);

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error in the dev stage', () => {
    expect(errorsIn(nagFindings({ stage: 'dev' }))).toEqual([]);
  });

  it('finds no unacknowledged error in the prod stage with both publish targets', () => {
    expect(errorsIn(nagFindings(PROD_WITH_TARGETS))).toEqual([]);
  });

  it('reports an error the stack has not acknowledged (the check can fail)', () => {
    // A queue with none of the project's settings: no DLQ, plain HTTP allowed.
    const findings = nagFindings({ stage: 'dev' }, (stack) => new Queue(stack, 'Careless'));
    const errors = errorsIn(findings);
    expect(errors).toContain('AwsSolutions-SQS3 at LeverageAdvisor-dev/Careless/Resource');
    expect(errors).toContain('AwsSolutions-SQS4 at LeverageAdvisor-dev/Careless/Resource');
    expect(errors).toHaveLength(2);
  });
});
