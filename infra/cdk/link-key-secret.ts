import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { FunctionEnv } from '../../schemas/env.ts';

export interface LinkKeySecretProps {
  campaignId: string;
}

/**
 * The form-link key (`LinkKeySecretSchema`), generated at deploy and kept when the stack goes. It
 * can mint any unit's form link: only the daily check may read it.
 */
export class LinkKeySecret extends Secret {
  /** Pairs with `grantRead`. */
  readonly environment: Pick<FunctionEnv, 'LINK_KEY_SECRET_ARN'>;

  constructor(scope: Construct, id: string, props: LinkKeySecretProps) {
    super(scope, id, {
      description: `Form-link key of campaign ${props.campaignId}`,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'linkKey',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.environment = { LINK_KEY_SECRET_ARN: this.secretArn };
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "The link key must not rotate on a timer: every unit's form link derives from it. Links rotate per unit instead (a new link version).",
    });
  }
}
