import { AdvisorError } from '../shared/util/errors.js';

/** `-c stage=<name>` names a stage the app does not define. */
export class UnknownStageError extends AdvisorError {
  constructor(
    readonly stage: string,
    readonly allowed: readonly string[],
  ) {
    super('UNKNOWN_STAGE', `unknown stage ${JSON.stringify(stage)}: use -c stage=<${allowed.join('|')}>`, { stage, allowed });
  }
}

/** A stage's configuration (its defaults plus the context overrides) breaks a rule; every problem at once. */
export class StageConfigError extends AdvisorError {
  constructor(
    readonly stage: string,
    readonly problems: readonly string[],
  ) {
    super('STAGE_CONFIG_INVALID', `invalid configuration of stage ${stage}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      stage,
      problems,
    });
  }
}
