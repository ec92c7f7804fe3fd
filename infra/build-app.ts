import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LeverageAdvisorStack } from './stack.js';
import { resolveStageConfig } from './stages.js';

export interface BuildAdvisorAppOptions {
  /** Run cdk-nag's AwsSolutions pack at synth; an unacknowledged error fails the synth. Default true. */
  readonly nag?: boolean;
}

export const stackNameOf = (stage: string) => `LeverageAdvisor-${stage}`;

/**
 * Adds the stage chosen by `-c stage=<dev|prod>` (default dev) to the app, configured from
 * stages.ts and the context overrides. infra/app.ts and the tests build the app the same way.
 */
export function buildAdvisorApp(app: App, options: BuildAdvisorAppOptions = {}): LeverageAdvisorStack {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  const config = resolveStageConfig(stage, (key) => app.node.tryGetContext(key));
  const stack = new LeverageAdvisorStack(app, stackNameOf(config.stage), {
    config,
    description: `Leverage Advisor (${config.stage}): risk parameter recommendations for lending and perp protocols`,
    // Environment-agnostic unless the CLI supplies an account and region.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    terminationProtection: config.retainData,
  });
  Tags.of(stack).add('project', 'leverage-advisor');
  Tags.of(stack).add('stage', config.stage);
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
