import { createHash } from 'node:crypto';
import type { Logger } from '../../logger.ts';
import type { Mailer, MailLog, OutboundMail, RunFence } from '../../ports.ts';
import type { Clock } from '../calendar/clock.ts';
import { RecipientsRefusedError } from './mail-bounces.ts';

/**
 * `in-flight`: not sent now, because a live unfenced claim holds it (a receipt another delivery
 * is sending). `stopped`: not attempted, because the run lost its lease (another run now works
 * the day) or was asked to stop; the next run sends it. The caller treats both as not done.
 */
export type SendOutcome = 'sent' | 'skipped' | 'failed' | 'in-flight' | 'stopped' | 'refused';

const RECORD_ATTEMPTS = 3;

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= RECORD_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** i));
    }
  }
}

export interface MailKey {
  day: string;
  purpose: string;
  recipient: string;
}

/** The mail's key as one string, in the `X-Campaign-Mail-Key` header: `<campaign>|<day>|<purpose>|<recipient>`. */
export function mailKeyOf(campaignId: string, key: MailKey): string {
  return [campaignId, key.day, key.purpose, key.recipient.toLowerCase()].join('|');
}

/**
 * The mail's stable Message-ID, derived from its key, so that every attempt at one mail (and a
 * resend of one a dead run may have sent) carries the same, and a repeat can be recognised.
 */
export function stableMessageId(campaignId: string, from: string, key: MailKey): string {
  const host = from.slice(from.lastIndexOf('@') + 1).replace(/[^A-Za-z0-9.-]/g, '') || 'campaign.invalid';
  const hash = createHash('sha256').update(mailKeyOf(campaignId, key)).digest('hex');
  return `<${hash}@${host}>`;
}

/**
 * Sends one mail at most once per (day, purpose, recipient), as far as a crash allows: the
 * claim marks it `sending` just before the send, and it is marked `sent` right after. Only a
 * crash between the two leaves a mail in doubt (one per send lane); the next run sends it again
 * with the same Message-ID and logs it as a possible repeat. A failed send is recorded, and a
 * later run for the same day sends it. `build` runs only after the claim, so nothing is rendered
 * for a mail that goes out no more. Recording the outcome is retried: a mail that went out but
 * could not be marked sent would otherwise be sent again. With a `fence`, the claim is made
 * only while the run still holds its day's lease.
 */
export async function sendOnce(
  deps: {
    mailLog: MailLog;
    mailer: Mailer;
    clock: Clock;
    campaign: { id: string };
    logger?: Logger;
  },
  key: MailKey,
  build: () => Promise<OutboundMail> | OutboundMail,
  fence?: RunFence,
): Promise<{ outcome: SendOutcome; error?: unknown; inDoubt?: boolean }> {
  const { day, purpose, recipient } = key;
  const claim = await deps.mailLog.claim(day, purpose, recipient, deps.clock.now(), fence);
  if (claim.result === 'sent') return { outcome: 'skipped' };
  if (claim.result === 'in-flight') return { outcome: 'in-flight' };
  if (claim.result === 'fenced') return { outcome: 'stopped' };
  let messageId: string;
  try {
    const mail = await build();
    const mailKey = mailKeyOf(deps.campaign.id, key);
    const stableId = stableMessageId(deps.campaign.id, mail.from, key);
    if (claim.inDoubt) {
      const fields = { day, purpose, messageId: stableId };
      const message = 'mail resent: a run that died may have sent it already (same Message-ID)';
      if (deps.logger?.warn) deps.logger.warn(message, fields);
      else deps.logger?.info(message, fields);
    }
    ({ messageId } = await deps.mailer.send({
      ...mail,
      messageId: stableId,
      headers: { ...mail.headers, 'X-Campaign-Mail-Key': mailKey },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof RecipientsRefusedError) {
      // Refused for good: sending again would be refused again. The bounce is recorded (by the
      // mailer) and listed in the digest until the contact is fixed; the run does not fail on it.
      await withRetries(() => deps.mailLog.markRefused(day, purpose, recipient, message)).catch(
        () => undefined,
      );
      return { outcome: 'refused', error };
    }
    // If even this fails, the mail stays `sending` and the next run sends it again.
    await withRetries(() => deps.mailLog.markFailed(day, purpose, recipient, message)).catch(() => undefined);
    return { outcome: 'failed', error };
  }
  // Outside the try: a mail that went out is never marked failed.
  try {
    await withRetries(() => deps.mailLog.markSent(day, purpose, recipient, messageId, deps.clock.now()));
  } catch (error) {
    return { outcome: 'sent', error, inDoubt: claim.inDoubt };
  }
  return { outcome: 'sent', inDoubt: claim.inDoubt };
}
