import middy from '@middy/core';
import type { Context, SNSEvent } from 'aws-lambda';
import { SesNotificationSchema } from '../../schemas/mail-events.ts';
import { formatIssue, MESSAGES, parseWith } from '../../schemas/validation.ts';
import { sesBounceEvents } from '../shared/domain/delivery/mail-bounces.ts';
import { ValidationError } from '../shared/domain/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { METRIC } from '../shared/metrics.ts';
import type { BounceLog } from '../shared/ports.ts';
import type { InvocationDeps, MetricCounter } from '../shared/telemetry.ts';

export interface MailEventsDeps extends InvocationDeps {
  bounces: Pick<BounceLog, 'record'>;
  logger: Logger;
  /** Each bounce or complaint recorded counts as a failed mail (`MailsFailed`), which alarms. */
  metrics: MetricCounter;
}

export interface MailEventsReport {
  /** Addresses whose bounce or complaint was counted now. */
  recorded: number;
  /** Addresses this notification was already counted for (SNS delivers at least once). */
  duplicate: number;
  /** Notifications that record nothing: transient or undetermined bounces, other event types. */
  ignored: number;
}

/**
 * The SNS subscriber of the SES configuration set's event destination: records each permanent
 * bounce and each complaint against the recipient address. Idempotent on SES's feedback id, so a
 * redelivered notification changes nothing; a notification it cannot read fails the invocation
 * (retried, then the failure queue, which alarms).
 */
export function makeHandler(deps: MailEventsDeps) {
  return middy<SNSEvent, MailEventsReport, Error, Context>()
    .use([...(deps.middleware ?? [])])
    .handler(async (event) => {
      const report: MailEventsReport = { recorded: 0, duplicate: 0, ignored: 0 };
      for (const record of event.Records ?? []) {
        let message: unknown;
        try {
          message = JSON.parse(record.Sns.Message);
        } catch (error) {
          const detail = error instanceof Error ? error.message : String(error);
          const text = MESSAGES['json-syntax']({ detail });
          throw new ValidationError(
            [{ path: 'Sns.Message', value: record.Sns.Message.slice(0, 80), code: 'json-syntax', ...text }],
            { zh: `SES 通知不是有效的 JSON：${text.zh}`, en: `the SES notification ${text.en}` },
          );
        }
        const parsed = parseWith(SesNotificationSchema, message);
        if (!parsed.ok) {
          const issues = parsed.issues.map(formatIssue).join('; ');
          throw new ValidationError(parsed.issues, {
            zh: `SES 通知无效：${issues}`,
            en: `invalid SES notification: ${issues}`,
          });
        }
        const { events, ignored } = sesBounceEvents(parsed.value);
        if (ignored) {
          report.ignored += 1;
          deps.logger.info('mail event ignored', { reason: ignored, messageId: parsed.value.mail.messageId });
        }
        for (const bounce of events) {
          const outcome = await deps.bounces.record(bounce);
          report[outcome] += 1;
          if (outcome === 'recorded') deps.metrics.count(METRIC.mailsFailed);
          deps.logger.info(outcome === 'recorded' ? 'mail bounce recorded' : 'mail bounce seen before', {
            kind: bounce.kind,
            subtype: bounce.subtype,
            messageId: bounce.messageId,
            feedbackId: bounce.feedbackId,
          });
        }
      }
      return report;
    });
}
