import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildAdvisorApp } from '../../infra/build-app.js';
import type { LeverageAdvisorStack } from '../../infra/stack.js';

export const IMPORTED_WEBHOOK_SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:advisor-webhook-AbC123';

/** A prod stage with every optional part: both publish targets, the Discourse key created by the stack, the webhook secret imported. */
export const PROD_WITH_TARGETS = {
  stage: 'prod',
  alarmEmail: 'ops@example.org',
  discourseUrl: 'https://forum.example.org',
  discourseCategoryId: '12',
  discourseApiUsername: 'leverage-advisor',
  webhookUrl: 'https://hooks.example.org/advisor',
  webhookSecretArn: `${IMPORTED_WEBHOOK_SECRET}#hmac`,
  chainRpcUrl: 'https://rpc.example.org',
};

/**
 * An app as infra/app.ts builds it, from context. Bundling is skipped (the template is all the tests
 * read) and so is CDK's built-in CloudFormation schema validation: it costs seconds of WebAssembly
 * per synth and `npm run synth` runs it anyway.
 */
export function buildTestApp(context: Record<string, unknown>, options: { nag?: boolean; outdir?: string } = {}) {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = buildAdvisorApp(app, { nag: options.nag ?? false });
  return { app, stack };
}

export interface Resource {
  Type: string;
  Properties: any;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

/** One synthesized stage and lookups over its template. */
export function synthStage(context: Record<string, unknown>) {
  const { stack } = buildTestApp(context);
  const template = Template.fromStack(stack);
  const json = template.toJSON() as { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };
  const resources = json.Resources;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return { stack, template, resources, outputs: json.Outputs, logicalId, ofType };
}
export type SynthesizedStage = ReturnType<typeof synthStage>;

export interface NagFinding {
  rule: string;
  severity: string;
  paths: string[];
}

/**
 * Synthesizes with cdk-nag's AwsSolutions pack (as infra/app.ts does) and returns every finding left
 * after the acknowledgements, read from the validation report CDK writes into the cloud assembly.
 */
export function nagFindings(context: Record<string, unknown>, mutate?: (stack: LeverageAdvisorStack) => void): NagFinding[] {
  const outdir = mkdtempSync(join(tmpdir(), 'advisor-nag-'));
  try {
    const { app, stack } = buildTestApp(context, { nag: true, outdir });
    mutate?.(stack);
    const reportFile = join(outdir, 'validation-report.json');
    try {
      app.synth();
    } catch (error) {
      // A failed validation throws after writing its report; any other failure leaves none.
      if (!existsSync(reportFile)) throw error;
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
    };
    return report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((v) => ({ rule: v.ruleName, severity: v.severity, paths: v.violatingConstructs.map((c) => c.constructPath) })),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
