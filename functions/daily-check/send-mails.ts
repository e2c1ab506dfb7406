import { type SendOutcome, sendOnce } from '../shared/domain/delivery/mail-once.ts';
import type { DailyCheckDeps } from './deps.ts';
import type { MailJob } from './plan-mails.ts';
import type { DayHold } from './run-lease.ts';
import type { DailyCheckReport, MailResult } from './run-report.ts';

/**
 * Mails in flight at once (send lanes). SES accounts start at 14 mails a second; the SDK retries
 * a throttled send, and a send that still fails is made up by the retry of the run. Each lane
 * has at most one mail between `sending` and `sent`, so a crash leaves at most this many mails
 * in doubt; they are resent with the same Message-ID. One lane would make it one mail, at an
 * eighth of the speed of a city-scale morning (about a thousand reminders).
 */
const SEND_CONCURRENCY = 8;

async function runPool<T>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

type SendResult = { outcome: SendOutcome; error?: unknown; inDoubt?: boolean };

/** Adds one mail's outcome to the report, and logs what went wrong with it. */
function recordResult(
  deps: Pick<DailyCheckDeps, 'logger'>,
  job: MailJob,
  result: SendResult,
  report: DailyCheckReport,
): void {
  const entry: MailResult = { purpose: job.purpose, recipient: job.recipient, outcome: result.outcome };
  if (result.inDoubt) report.inDoubt = (report.inDoubt ?? 0) + 1;
  if (result.error !== undefined) {
    entry.error = result.error instanceof Error ? result.error.message : String(result.error);
    if (result.outcome === 'refused') {
      // The recipient's server refused it for good: the digest lists the bounce; no run fails on it.
      const fields = { day: job.day, purpose: job.purpose, error: entry.error };
      deps.logger.warn('mail refused by the recipient server', fields);
    } else {
      deps.logger.error(result.outcome === 'sent' ? 'mail sent but not recorded' : 'mail failed', {
        day: job.day,
        purpose: job.purpose,
        error: result.error,
      });
    }
  }
  if (result.outcome === 'in-flight')
    deps.logger.error('mail in flight: an earlier claim still holds it', {
      day: job.day,
      purpose: job.purpose,
    });
  report.mails.push(entry);
}

/**
 * Sends every job once (`sendOnce`, claimed under the run's fence) and records each outcome in
 * `report`. Checked between two mails: a stopped run (asked to, or one that lost its lease)
 * claims nothing more, so nothing is left `sending`.
 */
export async function sendMails(
  deps: Pick<DailyCheckDeps, 'mailLog' | 'mailer' | 'clock' | 'logger' | 'signal' | 'sendConcurrency'>,
  jobs: readonly MailJob[],
  hold: DayHold,
  report: DailyCheckReport,
): Promise<void> {
  await runPool(jobs, deps.sendConcurrency ?? SEND_CONCURRENCY, async (job) => {
    const result: SendResult =
      deps.signal?.aborted || hold.lost
        ? { outcome: 'stopped' }
        : await sendOnce(deps, job, job.build, hold.fence);
    if (result.outcome === 'stopped' && !deps.signal?.aborted) hold.lost = true;
    recordResult(deps, job, result, report);
  });
}
