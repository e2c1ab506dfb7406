import type { Mailer, OutboundMail } from '../../ports.ts';

type SendResult = Awaited<ReturnType<Mailer['send']>>;

/** What a decorator does after a send ended. It must not throw: the send's outcome is not its to change. */
export interface SendObserver {
  sent?(mail: OutboundMail, result: SendResult): Promise<void> | void;
  failed?(mail: OutboundMail, error: unknown): Promise<void> | void;
}

/**
 * A Mailer that tells `observer` how each send ended, once it ended; the send's result or error
 * goes back to the caller as it came. The bounce log and the metrics observe sends this way.
 */
export function observingSends(mailer: Mailer, observer: SendObserver): Mailer {
  return {
    async send(mail) {
      let result: SendResult;
      try {
        result = await mailer.send(mail);
      } catch (error) {
        await observer.failed?.(mail, error);
        throw error;
      }
      await observer.sent?.(mail, result);
      return result;
    },
  };
}
