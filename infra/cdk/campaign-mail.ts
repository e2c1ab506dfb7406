import { RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
  Identity,
  type IEmailIdentity,
} from 'aws-cdk-lib/aws-ses';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Campaign, MailTransport } from '../../schemas/campaign.ts';
import type { FunctionEnv } from '../../schemas/env.ts';
import { ResourceGroup } from './resource-group.ts';

export interface CampaignMailProps {
  campaign: Campaign;
  transport: MailTransport;
}

/**
 * How the campaign sends mail. Through SES: the sender identity and a configuration set whose
 * event destination publishes bounces and complaints to `bounceTopic` (the mail-events function
 * reads it). Through SMTP: a secret for the relay's credentials, filled in by the admin after the
 * first deploy; the sending functions record a refused recipient at send time.
 */
export class CampaignMail extends ResourceGroup {
  /** The SES bounces and complaints; none through SMTP. */
  readonly bounceTopic: ITopic | null;
  readonly smtpSecret: ISecret | null;
  /** Pairs with `grantSending`. */
  readonly environment: Pick<FunctionEnv, 'MAIL_TRANSPORT' | 'SMTP_SECRET_ARN' | 'SES_CONFIGURATION_SET'>;
  private readonly identity: IEmailIdentity | null;
  private readonly configurationSet: IConfigurationSet | null;

  constructor(scope: Construct, id: string, props: CampaignMailProps) {
    super(scope, id);
    const { campaign, transport } = props;
    this.smtpSecret = transport.kind === 'smtp' ? this.smtpCredentials(campaign.id, transport.host) : null;
    const configurationSet =
      transport.kind === 'ses' ? new ConfigurationSet(this, 'MailConfigurationSet') : null;
    this.configurationSet = configurationSet;
    this.bounceTopic = configurationSet
      ? new Topic(this, 'MailEvents', {
          enforceSSL: true,
          displayName: `${campaign.id} SES bounces and complaints`,
        })
      : null;
    if (configurationSet && this.bounceTopic)
      configurationSet.addEventDestination('BouncesAndComplaints', {
        destination: EventDestination.snsTopic(this.bounceTopic),
        events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
      });
    this.environment = {
      MAIL_TRANSPORT: transport.kind,
      ...(this.smtpSecret ? { SMTP_SECRET_ARN: this.smtpSecret.secretArn } : {}),
      ...(configurationSet ? { SES_CONFIGURATION_SET: configurationSet.configurationSetName } : {}),
    };
    this.identity =
      transport.kind === 'ses'
        ? new EmailIdentity(this, 'Sender', {
            identity: Identity.email(campaign.mail.from),
            // Also the identity's default, so no mail from it escapes the bounce reports.
            ...(configurationSet ? { configurationSet } : {}),
          })
        : null;
  }

  /**
   * Sending mail: the SMTP credentials, or SES on the identity and on the configuration set
   * (SES authorises a send with a configuration set on both).
   */
  grantSending(fn: IFunction): void {
    this.smtpSecret?.grantRead(fn);
    if (!this.identity) return;
    this.identity.grantSendEmail(fn);
    if (this.configurationSet)
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [
            Stack.of(this).formatArn({
              service: 'ses',
              resource: 'configuration-set',
              resourceName: this.configurationSet.configurationSetName,
            }),
          ],
        }),
      );
  }

  private smtpCredentials(campaignId: string, host: string): Secret {
    const secret = new Secret(this, 'SmtpCredentials', {
      description: `SMTP user and password of campaign ${campaignId} (${host})`,
      secretObjectValue: {
        smtpUser: SecretValue.unsafePlainText(''),
        smtpPassword: SecretValue.unsafePlainText(''),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "The SMTP password belongs to the organisation's relay and changes when the relay's owner changes it; the admin then updates this secret.",
    });
    return secret;
  }
}
