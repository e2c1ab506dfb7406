import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DailyCheckEventSchema } from '../../schemas/daily-check.ts';
import { formatIssue, parseWith } from '../../schemas/validation.ts';
import { fileSpool } from '../shared/adapters/fs/ledger-spool.ts';
import { ValidationError } from '../shared/domain/errors.ts';
import type { InvocationDeps } from '../shared/telemetry.ts';
import { type Adapters, ConfigurationError } from '../shared/wiring.ts';
import { type DailyCheckDeps, type DailyCheckReport, isUndone, runDailyCheck } from './daily-check.ts';

/**
 * Thrown after a run in which some mail failed or was held by a live claim. Everything else was
 * sent and recorded; the error makes Lambda retry the same event (the same scheduled time),
 * which sends only what is missing, and lands the event in the failure queue (which alarms) if
 * the retries cannot.
 */
export class MailFailuresError extends Error {
  constructor(readonly report: DailyCheckReport) {
    const undone = report.mails.filter(isUndone);
    super(
      `${undone.length} mail(s) of ${report.day} not sent: ${undone.map((m) => `${m.purpose} → ${m.recipient} (${m.outcome})`).join(', ')}`,
    );
    this.name = 'MailFailuresError';
  }
}

/**
 * A day this invocation could not finish and no other run is finishing for sure: held by a run
 * that may be dead (its lease runs out within a minute), or given up when this run lost its
 * lease. Thrown only where the platform retries the event (Lambda: after about 1 and 2 minutes,
 * by when a dead holder's lease is over), so the day is never left half-sent.
 */
export class DayUnfinishedError extends Error {
  constructor(readonly report: DailyCheckReport) {
    super(
      `the check of ${report.day} is not finished (${report.run === 'held' ? `held by another run until ${report.heldUntil}` : 'this run lost its lease'}); the retry goes on`,
    );
    this.name = 'DayUnfinishedError';
  }
}

/** The daily check's dependencies from the shared adapters; it cannot run without the link key. */
export function dailyCheckDeps(adapters: Adapters, appUrl: string): DailyCheckDeps {
  if (!adapters.linkKey)
    throw new ConfigurationError('the daily check needs the link key (LINK_KEY_SECRET_ARN or LINK_KEY)');
  return {
    ...adapters,
    linkKey: adapters.linkKey,
    appUrl,
    // exceljs loads when the first digest is built, not at every cold start.
    digestWorkbook: async (campaign, digest, ledger) =>
      (await import('../shared/adapters/xlsx/digest-workbook.ts')).digestWorkbookFile(
        campaign,
        digest,
        ledger,
      ),
    ledgerSpool: () => fileSpool(),
  };
}

/**
 * The scheduled daily check (EventBridge Scheduler target; locally, the campaign-clock scheduler).
 * `retryUnfinished` (the Lambda entry): a day held by another run, or left when this run lost
 * its lease, fails the invocation so that Lambda's retry finishes it. Without it (the CLI, the
 * local scheduler, which retries by itself), such a run succeeds and says so.
 */
export function makeHandler(
  deps: DailyCheckDeps & InvocationDeps,
  options: { retryUnfinished?: boolean } = {},
) {
  return middy<unknown, DailyCheckReport, Error, Context>()
    .use([...(deps.middleware ?? [])])
    .handler(async (event) => {
      const parsed = parseWith(DailyCheckEventSchema, event);
      if (!parsed.ok) {
        throw new ValidationError(parsed.issues, {
          zh: `定时检查事件无效：${parsed.issues.map(formatIssue).join('; ')}`,
          en: `invalid daily-check event: ${parsed.issues.map(formatIssue).join('; ')}`,
        });
      }
      const report = await runDailyCheck(deps, new Date(parsed.value.scheduledTime));
      if (report.mails.some(isUndone)) throw new MailFailuresError(report);
      if (options.retryUnfinished && (report.run === 'held' || report.run === 'stopped'))
        throw new DayUnfinishedError(report);
      return report;
    });
}
