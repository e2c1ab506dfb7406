import type { FunctionName } from './function-limits.ts';

/**
 * The CloudWatch metrics the functions publish (Powertools Metrics, embedded metric format) and
 * the stack's alarms and dashboard read. This file is the contract between the two: a metric is
 * published as `METRICS_NAMESPACE` / one of `METRIC` / exactly the dimensions `metricDimensions`
 * gives, so an alarm built from the same three finds it.
 */
export const METRICS_NAMESPACE = 'SchoolSafetyCampaign';

export const METRIC = {
  /** A document version filed (upload-received). */
  filings: 'Filings',
  /** An upload refused and quarantined: wrong type, too large, unreadable (upload-received). */
  refusals: 'UploadsRefused',
  /** A mail handed to the transport: receipts, reminders, digests. */
  mailsSent: 'MailsSent',
  /**
   * A mail the transport failed to take or refused (the senders), or one SES reported as bounced
   * or complained about (mail-events, once per recorded address).
   */
  mailsFailed: 'MailsFailed',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** One campaign's metrics, split by function. Powertools adds `service` from its serviceName. */
export function metricDimensions(campaignId: string, service: FunctionName): Record<string, string> {
  return { campaign: campaignId, service };
}
