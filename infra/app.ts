import { App } from 'aws-cdk-lib';
import { AdvisorError } from '../shared/util/errors.js';
import { buildAdvisorApp } from './build-app.js';

// `npx cdk synth -c stage=prod -c alarmEmail=ops@example.org`; infra/stages.ts lists the other keys.
try {
  buildAdvisorApp(new App());
} catch (error) {
  // A refused stage or configuration is the operator's to fix: its message, not a stack trace.
  if (!(error instanceof AdvisorError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(1);
}
