import type { FunctionRole } from '../../infra/function-specs.js';
import { PROD_WITH_TARGETS, synthStage, type SynthesizedStage } from './synth.js';

/**
 * The two deployment stages the stack tests read (synthesized once per test file), and lookups over
 * their functions, IAM roles and policies. The tests: stack-*.test.ts.
 */

export { IMPORTED_WEBHOOK_SECRET } from './synth.js';
/** prod with both publish targets: the Discourse key is created by the stack, the webhook secret imported. */
export const prod = synthStage(PROD_WITH_TARGETS);
export const dev = synthStage({ stage: 'dev' });
export const STAGES: [string, SynthesizedStage][] = [
  ['dev', dev],
  ['prod', prod],
];

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Logical ids referenced (Ref or Fn::GetAtt) anywhere inside a value; pseudo parameters (AWS::Region) are not resources. */
export function referencedIds(value: unknown): string[] {
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
export function inspect(s: SynthesizedStage) {
  const functionId = (name: FunctionRole) => s.logicalId(s.stack.functions[name]);
  const roleId = (name: FunctionRole) => s.logicalId(s.stack.functions[name].role as never);
  const fn = (name: FunctionRole) => s.resources[functionId(name)]!.Properties;
  const env = (name: FunctionRole) => fn(name).Environment.Variables as Record<string, unknown>;
  const policyStatements = s.ofType('AWS::IAM::Policy').flatMap(([, policy]) => {
    const roles = ((policy.Properties.Roles ?? []) as { Ref: string }[]).map((r) => r.Ref);
    return (policy.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({ roles, statement }));
  });
  const statementsOf = (name: FunctionRole) => policyStatements.filter((p) => p.roles.includes(roleId(name))).map((p) => p.statement);
  /** `action -> referenced resources` of one function's statements whose actions start with `prefix`. */
  const grants = (name: FunctionRole, prefix: string) => {
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
export const P = inspect(prod);
export const D = inspect(dev);

/** EventBridge rate syntax, written independently of CDK's Schedule.rate: largest whole unit, singular for 1. */
export function rateExpression(minutes: number): string {
  const [value, unit] = minutes % 1440 === 0 ? [minutes / 1440, 'day'] : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  return `rate(${value} ${unit}${value === 1 ? '' : 's'})`;
}
