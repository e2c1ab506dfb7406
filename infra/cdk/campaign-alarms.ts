import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC } from '../../functions/shared/metrics.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import { campaignMetric, mailFailureReporters } from './campaign-metrics.ts';
import { ResourceGroup } from './resource-group.ts';

export interface CampaignAlarmsProps {
  campaign: Campaign;
  /** Failure queues by id: each alarms on its first message. */
  failureQueues: ReadonlyMap<string, IQueue>;
  /** Functions by id: each alarms on its first error. */
  functions: ReadonlyMap<string, IFunction>;
  /** Whether SES bounces are recorded (by mail-events, which then counts them as failed mails). */
  bouncesRecorded: boolean;
}

/**
 * What calls for an operator, sent to the campaign's alarm topic (the config's `alarms.topicArn`,
 * else one of the stack's own). Every alarm fires on the first occurrence within its period: a
 * message in a failure queue or a function error within five minutes, a failed mail (refused at
 * send time, or bounced) within a day: the window slides, so it fires at once, and stays in alarm
 * for that day however many follow. Refused uploads are the schools' to fix: dashboard only.
 */
export class CampaignAlarms extends ResourceGroup {
  readonly topic: ITopic;
  /** Every alarm, for the dashboard. */
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;
  private readonly campaignId: string;

  constructor(scope: Construct, id: string, props: CampaignAlarmsProps) {
    super(scope, id);
    const { campaign } = props;
    this.campaignId = campaign.id;
    this.topic = campaign.alarms
      ? Topic.fromTopicArn(this, 'Alarms', campaign.alarms.topicArn)
      : new Topic(this, 'Alarms', { enforceSSL: true, displayName: `${campaign.id} alarms` });
    this.action = new SnsAction(this.topic);
    const period = Duration.minutes(5);
    for (const [queueId, queue] of props.failureQueues)
      this.alarmOnAny(
        `${queueId}Alarm`,
        `a message in ${queueId}`,
        queue.metricApproximateNumberOfMessagesVisible({ period }),
      );
    for (const [fnId, fn] of props.functions)
      this.alarmOnAny(`${fnId}ErrorsAlarm`, `errors in the ${fnId} function`, fn.metricErrors({ period }));
    for (const service of mailFailureReporters(props.bouncesRecorded))
      this.alarmOnAny(
        `${pascalCase(service)}MailsFailedAlarm`,
        `mails failed (${service}) in the last day`,
        campaignMetric(campaign.id, METRIC.mailsFailed, service, Duration.days(1)),
      );
  }

  /** An alarm at the first datapoint of `metric` at 1 or more; no data is not a breach. */
  private alarmOnAny(id: string, description: string, metric: IMetric): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `${this.campaignId}: ${description}`,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }
}

/** `upload-received` → `UploadReceived`, as the functions' construct ids go. */
function pascalCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
