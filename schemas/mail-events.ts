import { z } from 'zod';

/**
 * SES's bounce and complaint notifications as a configuration set's SNS event destination
 * publishes them (`eventType`; identity notifications say `notificationType`, also accepted).
 * Only the fields the campaign records are checked; SES adds others over time.
 * See https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
 */
const Timestamp = z.iso.datetime({ offset: true });

const BouncedRecipientSchema = z.looseObject({
  emailAddress: z.string().min(1),
  diagnosticCode: z.string().optional(),
  status: z.string().optional(),
});

export const SesNotificationSchema = z.looseObject({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: z.looseObject({ messageId: z.string().min(1) }),
  bounce: z
    .looseObject({
      /** `Permanent` is recorded; `Transient` and `Undetermined` are only logged. */
      bounceType: z.string(),
      bounceSubType: z.string(),
      bouncedRecipients: z.array(BouncedRecipientSchema).min(1),
      timestamp: Timestamp,
      feedbackId: z.string().min(1),
    })
    .optional(),
  complaint: z
    .looseObject({
      complainedRecipients: z.array(z.looseObject({ emailAddress: z.string().min(1) })).min(1),
      timestamp: Timestamp,
      feedbackId: z.string().min(1),
      complaintFeedbackType: z.string().optional(),
      complaintSubType: z.string().nullable().optional(),
    })
    .optional(),
});
export type SesNotification = z.infer<typeof SesNotificationSchema>;
