import type { Logger } from '../../logger.ts';
import type { KeyedMail, Mailer, MailLog, RunFence } from '../../ports.ts';
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

/**
 * Sends one mail at most once per (day, purpose, recipient), as far as a crash allows: the
 * claim marks it `sending` just before the send, and it is marked `sent` right after. Only a
 * crash between the two leaves a mail in doubt (one per send lane); the next run sends it again
 * with the same Message-ID and logs it as a possible repeat: `build` addresses the mail from
 * `key` (`shared/mail/envelope.ts`), so every attempt carries the same. A failed send is
 * recorded, and a later run for the same day sends it. `build` runs only after the claim, so
 * nothing is rendered for a mail that goes out no more. Recording the outcome is retried: a
 * mail that went out but could not be marked sent would otherwise be sent again. With a
 * `fence`, the claim is made only while the run still holds its day's lease.
 */
export async function sendOnce(
  deps: {
    mailLog: MailLog;
    mailer: Mailer;
    clock: Clock;
    logger?: Logger;
  },
  key: MailKey,
  build: () => Promise<KeyedMail> | KeyedMail,
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
    if (claim.inDoubt) {
      const fields = { day, purpose, messageId: mail.messageId };
      const message = 'mail resent: a run that died may have sent it already (same Message-ID)';
      deps.logger?.warn(message, fields);
    }
    ({ messageId } = await deps.mailer.send(mail));
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
