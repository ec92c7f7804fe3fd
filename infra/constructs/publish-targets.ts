import { CfnOutput, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { HandlerEnvironment } from '../advisor-function.js';
import type { StageConfig } from '../stages.js';

export interface PublishTargetsProps {
  readonly publish: StageConfig['publish'];
  readonly removalPolicy: RemovalPolicy;
}

/** A complete secret ARN ends in the 6-character suffix Secrets Manager appends to the name. */
const COMPLETE_SECRET_ARN = /:secret:.+-[A-Za-z0-9]{6}$/;

const SECRET_ROTATION_REASON =
  'A third-party credential: the Discourse API key is issued by the forum, the webhook secret is shared with its receiver. ' +
  'It is rotated at the other end and written with put-secret-value (docs/deploy.md); a rotation Lambda cannot change it there.';

/**
 * The publish targets of a stage (Discourse and/or a signed webhook) as the publish function's
 * environment, and their credentials in Secrets Manager: an existing secret when its ARN is given
 * (optionally `#jsonKey`), else a secret created here with a generated placeholder the operator
 * overwrites. No target configured: no variables, no secrets, proposals stay pending.
 */
export class PublishTargets extends Construct {
  readonly environment: HandlerEnvironment = {};
  readonly secrets: ISecret[] = [];

  constructor(scope: Construct, id: string, props: PublishTargetsProps) {
    super(scope, id);
    const { discourse, webhook } = props.publish;
    if (discourse) {
      Object.assign(this.environment, {
        ADVISOR_DISCOURSE_URL: discourse.url,
        ADVISOR_DISCOURSE_CATEGORY_ID: String(discourse.categoryId),
        ADVISOR_DISCOURSE_API_USERNAME: discourse.apiUsername,
        ADVISOR_DISCOURSE_API_KEY_SECRET_ARN: this.secret('DiscourseApiKey', 'Discourse API key of the advisor', discourse.apiKeySecretArn, props),
      });
    }
    if (webhook) {
      Object.assign(this.environment, {
        ADVISOR_WEBHOOK_URL: webhook.url,
        ADVISOR_WEBHOOK_SECRET_ARN: this.secret('WebhookSecret', 'HMAC secret of the proposal webhook (>= 32 characters)', webhook.secretArn, props),
      });
    }
  }

  /** GetSecretValue (and DescribeSecret) on exactly these secrets. */
  grantRead(grantee: IGrantable): void {
    for (const secret of this.secrets) secret.grantRead(grantee);
  }

  /** The ARN the function reads (with any `#jsonKey`), importing the given secret or creating one. */
  private secret(id: string, description: string, reference: string | undefined, props: PublishTargetsProps): string {
    if (reference) {
      const [arn = reference, jsonKey] = reference.split('#');
      const secret = COMPLETE_SECRET_ARN.test(arn) ? Secret.fromSecretCompleteArn(this, id, arn) : Secret.fromSecretPartialArn(this, id, arn);
      this.secrets.push(secret);
      return jsonKey ? `${secret.secretArn}#${jsonKey}` : secret.secretArn;
    }
    const secret = new Secret(this, id, {
      description: `${description}: replace the generated placeholder with put-secret-value`,
      // Long enough for the webhook's 32-character minimum; letters and digits survive any shell quoting.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.removalPolicy,
    });
    Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: SECRET_ROTATION_REASON });
    this.secrets.push(secret);
    new CfnOutput(this, `${id}Arn`, { value: secret.secretArn, description: `${description}: aws secretsmanager put-secret-value --secret-id <this>` });
    return secret.secretArn;
  }
}
