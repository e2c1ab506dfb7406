import type { LocalDate } from '../shared/domain/calendar/calendar.ts';
import type { SendOutcome } from '../shared/domain/delivery/mail-once.ts';

/**
 * How a run ended: it sent (or found sent) every mail and marked the day `done`; it left some
 * `incomplete` (failed: the lease is released for a retry); it `stopped` (asked to, or it lost
 * its lease to another run); or it found the day `already-done` or `held` by a live run and did
 * nothing.
 */
export type RunStatus = 'done' | 'incomplete' | 'stopped' | 'already-done' | 'held';

export interface MailResult {
  purpose: string;
  recipient: string;
  outcome: SendOutcome;
  error?: string;
}

export interface DailyCheckReport {
  day: LocalDate;
  scheduledAt: string;
  /** Set when nothing was due: the day is before the campaign opened. */
  idle?: 'before-opening';
  run?: RunStatus;
  /** For `held`: until when (real time) the live run holds the day, unless it renews. */
  heldUntil?: string;
  mails: MailResult[];
  /** Mails resent because a run that died had started them: each may have gone out twice. */
  inDoubt?: number;
}

/** A mail the run could not account for: it failed, or a live claim held it. The run then fails. */
export function isUndone(result: Pick<MailResult, 'outcome'>): boolean {
  return result.outcome === 'failed' || result.outcome === 'in-flight';
}

/**
 * How a run that held the day ended. Only a run that got through every mail (`completed`) may
 * mark the day done: one that threw (a read that failed, DynamoDB gone) has not even listed them.
 */
export function runStatus(report: DailyCheckReport, completed: boolean, leaseLost: boolean): RunStatus {
  const everySent = report.mails.every(
    (m) => m.outcome === 'sent' || m.outcome === 'skipped' || m.outcome === 'refused',
  );
  const stopped = leaseLost || report.mails.some((m) => m.outcome === 'stopped');
  return stopped ? 'stopped' : completed && everySent ? 'done' : 'incomplete';
}

export function countOf(report: DailyCheckReport): (outcome: SendOutcome) => number {
  return (outcome) => report.mails.filter((m) => m.outcome === outcome).length;
}

/** One line for a person: what the run did. */
export function describeRun(report: DailyCheckReport): string {
  const count = countOf(report);
  if (report.idle) return `${report.day}: 活动尚未开始，无需检查 / before the campaign opens; nothing to do`;
  if (report.run === 'already-done')
    return `${report.day}: 当天的检查已完成，不再发送 / already done: the day's check finished before; nothing sent again`;
  if (report.run === 'held')
    return `${report.day}: 另一个检查正在运行（租约至 ${report.heldUntil}），本次不发送 / held by a live run (lease until ${report.heldUntil}); this one sends nothing`;
  const counts =
    `${report.day}: 发送 ${count('sent')}，已发过 ${count('skipped')}，失败 ${count('failed')}，处理中 ${count('in-flight')}，未发送 ${count('stopped')}，被拒收 ${count('refused')}` +
    ` / sent ${count('sent')}, already sent ${count('skipped')}, failed ${count('failed')}, in flight ${count('in-flight')}, not attempted ${count('stopped')}, refused ${count('refused')}`;
  const doubt = report.inDoubt
    ? ` (${report.inDoubt} resent with the same Message-ID: may have gone out twice)`
    : '';
  const tail =
    report.run === 'stopped'
      ? '; 已停止，下次运行继续 / stopped; the next run goes on'
      : report.run === 'done'
        ? '; 当天完成 / day done'
        : '';
  return `${counts}${doubt}${tail}`;
}
