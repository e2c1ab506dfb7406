import { createHash } from 'node:crypto';
import type { Campaign } from '../../../schemas/campaign.ts';
import type { MailKey } from '../domain/delivery/mail-once.ts';
import type { KeyedMail, OutboundMail } from '../ports.ts';

/**
 * The one place a campaign mail is addressed: from and reply-to from the campaign, to the key's
 * recipient, and a Message-ID and `X-Campaign-Mail-Key` header derived from the mail's key, so
 * that every attempt at one mail (and a resend of one a dead run may have sent) carries the
 * same, and a repeat can be recognised.
 */

/** What a mail says, apart from its envelope. */
export type MailContent = Pick<OutboundMail, 'subject' | 'text' | 'html' | 'attachments'>;

/** The mail's key as one string, in the `X-Campaign-Mail-Key` header: `<campaign>|<day>|<purpose>|<recipient>`. */
export function mailKeyOf(campaignId: string, key: MailKey): string {
  return [campaignId, key.day, key.purpose, key.recipient.toLowerCase()].join('|');
}

/** The mail's stable Message-ID (`<sha256 of the key@from's host>`). */
export function stableMessageId(campaignId: string, from: string, key: MailKey): string {
  const host = from.slice(from.lastIndexOf('@') + 1).replace(/[^A-Za-z0-9.-]/g, '') || 'campaign.invalid';
  const hash = createHash('sha256').update(mailKeyOf(campaignId, key)).digest('hex');
  return `<${hash}@${host}>`;
}

/** `content` in the campaign's envelope, to `key.recipient`. */
export function keyedMail(
  campaign: Pick<Campaign, 'id' | 'mail'>,
  key: MailKey,
  content: MailContent,
): KeyedMail {
  return {
    from: campaign.mail.from,
    ...(campaign.mail.replyTo ? { replyTo: campaign.mail.replyTo } : {}),
    to: [key.recipient],
    ...content,
    messageId: stableMessageId(campaign.id, campaign.mail.from, key),
    headers: { 'X-Campaign-Mail-Key': mailKeyOf(campaign.id, key) },
  };
}
