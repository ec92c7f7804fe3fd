import { App, Tags } from 'aws-cdk-lib';
import { LeverageAdvisorStack } from './stack.js';

const app = new App();
// `npx cdk synth -c stage=prod`; anything but `prod` is disposable.
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
  throw new Error(`invalid stage ${JSON.stringify(stage)}: use lower-case letters, digits and dashes (at most 16)`);
}

new LeverageAdvisorStack(app, `LeverageAdvisor-${stage}`, {
  stage,
  description: `Leverage Advisor (${stage}): risk parameter recommendations for lending and perp protocols`,
  // Environment-agnostic unless the CLI supplies an account and region.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Tags.of(app).add('project', 'leverage-advisor');
Tags.of(app).add('stage', stage);
