import type { Mailer, MailLog, OutboundMail } from '../ports.ts';
import type { Clock } from './clock.ts';

export type SendOutcome = 'sent' | 'skipped' | 'failed';

/**
 * Sends one mail at most once per (day, purpose, recipient): the claim is a conditional write
 * made before sending, so a rerun or a retry of the same run finds it and skips. A failed send
 * is recorded, and the next run for the same day sends it. `build` runs only after the claim,
 * so nothing is rendered for a mail that goes out no more.
 */
export async function sendOnce(
  deps: { mailLog: MailLog; mailer: Mailer; clock: Clock },
  key: { day: string; purpose: string; recipient: string },
  build: () => Promise<OutboundMail> | OutboundMail,
): Promise<{ outcome: SendOutcome; error?: unknown }> {
  const { day, purpose, recipient } = key;
  if (!(await deps.mailLog.claim(day, purpose, recipient, deps.clock.now()))) return { outcome: 'skipped' };
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(await build()));
  } catch (error) {
    await deps.mailLog.markFailed(
      day,
      purpose,
      recipient,
      error instanceof Error ? error.message : String(error),
    );
    return { outcome: 'failed', error };
  }
  // Outside the try: a mail that went out is never marked failed (and so never sent again).
  await deps.mailLog.markSent(day, purpose, recipient, messageId, deps.clock.now());
  return { outcome: 'sent' };
}
