import { campaignInstant } from '../shared/domain/report/instant.ts';
import type { CampaignInstant, CampaignSnapshot } from '../shared/domain/report/model.ts';
import { loadSnapshot } from '../shared/domain/report/snapshot.ts';
import type { DailyCheckDeps } from './deps.ts';
import { digestJobs, reminderJobs } from './plan-mails.ts';
import { type DayHold, holdDay } from './run-lease.ts';
import { countOf, type DailyCheckReport } from './run-report.ts';
import { sendMails } from './send-mails.ts';

export type { DailyCheckDeps } from './deps.ts';
export { ATTACHMENT_LIMIT_BYTES } from './digest-delivery.ts';
export {
  type DailyCheckReport,
  describeRun,
  isUndone,
  type MailResult,
  type RunStatus,
} from './run-report.ts';

/**
 * The daily check: on each campaign day, at the campaign's check time, read the whole campaign
 * once, remind the units that have a gap on a reminder day, and send the digests (the office's,
 * each district bureau's, and once the drive has closed, the closing report). Every mail goes
 * through `sendOnce`, keyed on the scheduled day, so a rerun sends only what did not go out; a
 * reminder still failed when the next day's check runs is sent then, with that day's gaps.
 * (A digest is not: the next day's replaces it.)
 *
 * One run at a time works a day: a run first takes the day's run lease (`holdDay`), renews it
 * while it runs, and claims every mail under it (fencing), so a run that lost the lease sends
 * nothing more. A run that finds the day done, or held by a live run, does nothing and
 * succeeds. At the end the day is marked done if every mail went out, else the lease is
 * released for the next run (a retry, or a restart's catch-up).
 *
 * The steps: load (and model: `loadSnapshot`) → plan reminders and digests (`plan-mails.ts`) →
 * render (each mail when its claim is won) → send and record (`send-mails.ts`).
 */
export async function runDailyCheck(deps: DailyCheckDeps, scheduledAt: Date): Promise<DailyCheckReport> {
  const instant = campaignInstant(deps.campaign, scheduledAt);
  const report: DailyCheckReport = { day: instant.today, scheduledAt: instant.iso, mails: [] };
  if (instant.today < deps.campaign.opensOn) return { ...report, idle: 'before-opening' };
  return holdDay(deps, report, (hold) => checkDay(deps, instant, hold, report));
}

async function checkDay(
  deps: DailyCheckDeps,
  instant: CampaignInstant,
  hold: DayHold,
  report: DailyCheckReport,
): Promise<void> {
  const spool = await deps.ledgerSpool();
  try {
    const snapshot = await loadSnapshot(deps.campaign, deps, instant, spool);
    const jobs = [...(await reminderJobs(deps, snapshot)), ...digestJobs(deps, snapshot)];
    await sendMails(deps, jobs, hold, report);
    logDone(deps, snapshot, report);
  } finally {
    await spool.dispose();
  }
}

function logDone(deps: DailyCheckDeps, snapshot: CampaignSnapshot, report: DailyCheckReport): void {
  const count = countOf(report);
  deps.logger.info('daily check done', {
    day: report.day,
    units: snapshot.state.units.length,
    hazards: snapshot.hazards.count,
    sent: count('sent'),
    skipped: count('skipped'),
    failed: count('failed'),
    inFlight: count('in-flight'),
    stopped: count('stopped'),
    refused: count('refused'),
    inDoubt: report.inDoubt ?? 0,
  });
}
