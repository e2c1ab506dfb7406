import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { FunctionName } from '../../functions/shared/function-limits.ts';
import { METRICS_NAMESPACE, type MetricName, metricDimensions } from '../../functions/shared/metrics.ts';

/**
 * The functions that send mail (receipts; reminders and digests; hazard notices, right after the
 * change and from the outbox sweep): they publish `MailsSent` and `MailsFailed`.
 */
export const MAIL_SENDERS = [
  'upload-received',
  'daily-check',
  'http',
  'outbox-sweep',
] as const satisfies readonly FunctionName[];

/** Who publishes `MailsFailed`: the senders and, where SES reports bounces, the function recording them. */
export function mailFailureReporters(bouncesRecorded: boolean): FunctionName[] {
  return [...MAIL_SENDERS, ...(bouncesRecorded ? (['mail-events'] as const) : [])];
}

/**
 * The sum over `period` of one metric a function publishes, found by the same namespace, name and
 * dimensions the function publishes it with (functions/shared/metrics.ts).
 */
export function campaignMetric(
  campaignId: string,
  name: MetricName,
  service: FunctionName,
  period: Duration = Duration.hours(1),
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: metricDimensions(campaignId, service),
    statistic: Stats.SUM,
    period,
  });
}
