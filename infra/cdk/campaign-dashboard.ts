import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  Stats,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionName } from '../../functions/shared/function-limits.ts';
import { METRIC, type MetricName } from '../../functions/shared/metrics.ts';
import { campaignMetric, MAIL_SENDERS, mailFailureReporters } from './campaign-metrics.ts';
import { ResourceGroup } from './resource-group.ts';

export interface CampaignDashboardProps {
  campaignId: string;
  functions: ReadonlyMap<string, IFunction>;
  failureQueues: ReadonlyMap<string, IQueue>;
  alarms: IAlarm[];
  /** Whether SES bounces are recorded (by mail-events, which then counts them as failed mails). */
  bouncesRecorded: boolean;
}

/**
 * One page for the campaign's operator: filings and refused uploads, mails sent and failed,
 * function errors and failure-queue depth, hour by hour, and the state of every alarm.
 */
export class CampaignDashboard extends ResourceGroup {
  constructor(scope: Construct, id: string, props: CampaignDashboardProps) {
    super(scope, id);
    const { campaignId } = props;
    const period = Duration.hours(1);
    const graph = (title: string, left: IMetric[]) => new GraphWidget({ title, left, width: 12, height: 6 });
    // A label on the metric itself would turn an alarm on it into a metric-math one, hence here.
    const metric = (name: MetricName, service: FunctionName) =>
      campaignMetric(campaignId, name, service, period).with({ label: `${name} (${service})` });
    new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [new AlarmStatusWidget({ title: `${campaignId}: alarms`, alarms: props.alarms, width: 24 })],
        [
          graph('Uploads filed and refused', [
            metric(METRIC.filings, 'upload-received'),
            metric(METRIC.refusals, 'upload-received'),
          ]),
          graph('Mails sent and failed', [
            ...MAIL_SENDERS.map((sender) => metric(METRIC.mailsSent, sender)),
            ...mailFailureReporters(props.bouncesRecorded).map((service) =>
              metric(METRIC.mailsFailed, service),
            ),
          ]),
        ],
        [
          graph(
            'Function errors',
            [...props.functions].map(([fnId, fn]) =>
              fn.metricErrors({ period, statistic: Stats.SUM, label: fnId }),
            ),
          ),
          graph(
            'Failure queues: messages waiting',
            [...props.failureQueues].map(([queueId, queue]) =>
              queue.metricApproximateNumberOfMessagesVisible({
                period,
                statistic: Stats.MAXIMUM,
                label: queueId,
              }),
            ),
          ),
        ],
      ],
    });
  }
}
