import type { Mailer, MailLog, OutboundMail } from '../ports.ts';
import type { Clock } from './clock.ts';

/**
 * `in-flight`: not sent now, because a live claim holds it (another run, or one that died
 * mid-send; after the lease it may be claimed again). The caller treats it as not done.
 */
export type SendOutcome = 'sent' | 'skipped' | 'failed' | 'in-flight';

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

/**
 * Sends one mail at most once per (day, purpose, recipient): the claim is a conditional write
 * made before sending, so a rerun or a retry of the same run finds it. A failed send is
 * recorded, and a later run for the same day sends it. `build` runs only after the claim, so
 * nothing is rendered for a mail that goes out no more. Recording the outcome is retried: a mail
 * that went out but could not be marked sent would be sent again once its lease ran out.
 */
export async function sendOnce(
  deps: { mailLog: MailLog; mailer: Mailer; clock: Clock },
  key: { day: string; purpose: string; recipient: string },
  build: () => Promise<OutboundMail> | OutboundMail,
): Promise<{ outcome: SendOutcome; error?: unknown }> {
  const { day, purpose, recipient } = key;
  const claim = await deps.mailLog.claim(day, purpose, recipient, deps.clock.now());
  if (claim === 'sent') return { outcome: 'skipped' };
  if (claim === 'in-flight') return { outcome: 'in-flight' };
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(await build()));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // If even this fails, the claim's lease runs out and the mail counts as not sent.
    await withRetries(() => deps.mailLog.markFailed(day, purpose, recipient, message)).catch(() => undefined);
    return { outcome: 'failed', error };
  }
  // Outside the try: a mail that went out is never marked failed (and so never sent again).
  try {
    await withRetries(() => deps.mailLog.markSent(day, purpose, recipient, messageId, deps.clock.now()));
  } catch (error) {
    return { outcome: 'sent', error };
  }
  return { outcome: 'sent' };
}
