import { CfnOutput, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type Campaign, mailTransport } from '../../schemas/campaign.ts';
import { CampaignAlarms } from './campaign-alarms.ts';
import { CampaignApi } from './campaign-api.ts';
import { CampaignDashboard } from './campaign-dashboard.ts';
import { CampaignFunctions } from './campaign-functions.ts';
import { CampaignMail } from './campaign-mail.ts';
import { CampaignStorage } from './campaign-storage.ts';
import { DailyCheckSchedule } from './daily-check-schedule.ts';
import { ExportJobsSchedule } from './export-jobs-schedule.ts';
import { FailureQueues } from './failure-queues.ts';
import { LinkKeySecret } from './link-key-secret.ts';
import { OutboxSweepSchedule } from './outbox-sweep-schedule.ts';
import { GroupedStack } from './resource-group.ts';

export type Partition = 'aws' | 'aws-cn';

export interface CampaignStackProps extends StackProps {
  campaign: Campaign;
  /** `aws-cn`: no SES (the config's SMTP relay is used), no X-Ray. */
  partition: Partition;
  /**
   * When the stack is deployed. EventBridge Scheduler refuses a start or an end in the past, so
   * those are left out when already past, and a campaign that has ended gets a disabled schedule.
   */
  deployedAt: Date;
}

/**
 * One campaign year: its table, its bucket, the functions, the HTTP API, the schedule, the alarms
 * and a dashboard. Deleting the stack keeps the table and the buckets (a year is archived by
 * deleting its stack). Its groups do not show in logical IDs (`GroupedStack`).
 */
export class CampaignStack extends GroupedStack {
  constructor(scope: Construct, id: string, props: CampaignStackProps) {
    super(scope, id, props);
    const { campaign } = props;
    const china = props.partition === 'aws-cn';
    const transport = mailTransport(campaign.mail, !china);
    if (!transport)
      throw new Error(
        `campaign ${campaign.id}: the ${props.partition} partition has no SES; add mail.smtp (host, port, secure) to the config`,
      );

    const storage = new CampaignStorage(this, 'Storage');
    // Two secrets, so that each function holds only what it uses: the link key here, the SMTP
    // credentials (where the campaign sends through SMTP) with the mail.
    const linkKey = new LinkKeySecret(this, 'LinkKey', { campaignId: campaign.id });
    const mail = new CampaignMail(this, 'Mail', { campaign, transport });
    const api = new CampaignApi(this, 'Api', { campaign });
    const failures = new FailureQueues(this, 'Failures', { mailEvents: mail.bounceTopic !== null });
    const functions = new CampaignFunctions(this, 'Functions', {
      campaign,
      tracing: !china,
      storage,
      mail,
      linkKey,
      appUrl: api.publicUrl,
      failures,
    });
    api.routeTo(functions.http);
    new DailyCheckSchedule(this, 'Schedule', {
      campaign,
      deployedAt: props.deployedAt,
      dailyCheck: functions.dailyCheck,
      deadLetterQueue: failures.schedule,
    });
    new OutboxSweepSchedule(this, 'OutboxSchedule', {
      campaign,
      deployedAt: props.deployedAt,
      outboxSweep: functions.outboxSweep,
      deadLetterQueue: failures.schedule,
    });
    new ExportJobsSchedule(this, 'ExportSchedule', {
      campaign,
      exportJobs: functions.exportJobs,
      deadLetterQueue: failures.schedule,
    });
    const alarms = new CampaignAlarms(this, 'Monitoring', {
      campaign,
      failureQueues: failures.all,
      functions: functions.all,
      bouncesRecorded: functions.mailEvents !== null,
    });
    new CampaignDashboard(this, 'Operations', {
      campaignId: campaign.id,
      functions: functions.all,
      failureQueues: failures.all,
      alarms: alarms.alarms,
      bouncesRecorded: functions.mailEvents !== null,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url });
    new CfnOutput(this, 'PublicUrl', { value: api.publicUrl });
    new CfnOutput(this, 'TableName', { value: storage.table.tableName });
    new CfnOutput(this, 'BucketName', { value: storage.documents.bucketName });
    new CfnOutput(this, 'StackName', { value: this.stackName });
    new CfnOutput(this, 'LinkKeySecretArn', { value: linkKey.secretArn });
    if (mail.smtpSecret) new CfnOutput(this, 'SmtpSecretArn', { value: mail.smtpSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
  }
}
