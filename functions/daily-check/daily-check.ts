import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Campaign } from '../../schemas/campaign.ts';
import type { LocalDate } from '../shared/domain/calendar/calendar.ts';
import type { Clock } from '../shared/domain/calendar/clock.ts';
import { type SendOutcome, sendOnce } from '../shared/domain/delivery/mail-once.ts';
import { createDownloadLink } from '../shared/domain/filing/download-links.ts';
import { XLSX_CONTENT_TYPE } from '../shared/domain/filing/file-types.ts';
import { currentToken } from '../shared/domain/links/form-links.ts';
import { buildDigest } from '../shared/domain/report/digest.ts';
import { scopeKey } from '../shared/domain/report/hazard-pass.ts';
import { campaignInstant } from '../shared/domain/report/instant.ts';
import type {
  CampaignInstant,
  Digest,
  DigestScope,
  LedgerRow,
  LedgerSpool,
} from '../shared/domain/report/model.ts';
import { gapsOf, reminderFor } from '../shared/domain/report/reminders.ts';
import { loadSnapshot } from '../shared/domain/report/snapshot.ts';
import type { Logger } from '../shared/logger.ts';
import { digestAttachmentName, digestMailContent } from '../shared/mail/digest-mail.ts';
import { keyedMail, type MailContent } from '../shared/mail/envelope.ts';
import { reminderMail } from '../shared/mail/reminder-mail.ts';
import type {
  BounceLog,
  DocumentStore,
  DownloadLinkRepository,
  HazardRepository,
  KeyedMail,
  MailAttachment,
  Mailer,
  MailLog,
  RunFence,
  RunLeases,
  ScratchFile,
  SubmissionRepository,
  UnitRepository,
  ZeroReportRepository,
} from '../shared/ports.ts';

/**
 * The daily check: on each campaign day, at the campaign's check time, read the whole campaign
 * once, remind the units that have a gap on a reminder day, and send the digests (the office's,
 * each district bureau's, and once the drive has closed, the closing report). Every mail goes
 * through `sendOnce`, keyed on the scheduled day, so a rerun sends only what did not go out; a
 * reminder still failed when the next day's check runs is sent then, with that day's gaps.
 * (A digest is not: the next day's replaces it.)
 *
 * One run at a time works a day: a run first takes the day's run lease (`RunLeases`, real time,
 * a minute), renews it while it runs, and claims every mail under it (fencing), so a run that
 * lost the lease sends nothing more. A run that finds the day done, or held by a live run, does
 * nothing and succeeds. At the end the day is marked done if every mail went out, else the
 * lease is released for the next run (a retry, or a restart's catch-up).
 */
export interface DailyCheckDeps {
  campaign: Campaign;
  linkKey: string;
  /** The public base URL of the form pages, e.g. `https://….execute-api….amazonaws.com`. */
  appUrl: string;
  clock: Clock;
  logger: Logger;
  units: Pick<UnitRepository, 'all'>;
  submissions: Pick<SubmissionRepository, 'allFilers'>;
  hazards: Pick<HazardRepository, 'all'>;
  zeroReports: Pick<ZeroReportRepository, 'all'>;
  /** Read with the campaign: the digests list the units whose contact address bounces. */
  bounces: Pick<BounceLog, 'all'>;
  mailLog: MailLog;
  runLeases: RunLeases;
  mailer: Mailer;
  /** Stops the run between two mails (local Ctrl-C): it records where it stands and releases the day. */
  signal?: AbortSignal;
  /** Send lanes (default `SEND_CONCURRENCY`); also the most mails a crash can leave in doubt. */
  sendConcurrency?: number;
  documents: Pick<DocumentStore, 'upload'>;
  downloads: DownloadLinkRepository;
  digestWorkbook(campaign: Campaign, digest: Digest, ledger: AsyncIterable<LedgerRow>): Promise<ScratchFile>;
  /** Where one run spools its ledger rows (a scratch directory in Lambda); disposed when the run ends. */
  ledgerSpool(): Promise<LedgerSpool & { dispose(): Promise<void> }>;
}

/** A larger spreadsheet is stored in S3 and linked, not attached. */
export const ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024;
/**
 * Mails in flight at once (send lanes). SES accounts start at 14 mails a second; the SDK retries
 * a throttled send, and a send that still fails is made up by the retry of the run. Each lane
 * has at most one mail between `sending` and `sent`, so a crash leaves at most this many mails
 * in doubt; they are resent with the same Message-ID. One lane would make it one mail, at an
 * eighth of the speed of a city-scale morning (about a thousand reminders).
 */
const SEND_CONCURRENCY = 8;

/** A reminder's mail-log purpose: `reminder:<unit code>`. */
const REMINDER = 'reminder:';

/** A mail the run could not account for: it failed, or a live claim held it. The run then fails. */
export function isUndone(result: Pick<MailResult, 'outcome'>): boolean {
  return result.outcome === 'failed' || result.outcome === 'in-flight';
}

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

/** One line for a person: what the run did. */
export function describeRun(report: DailyCheckReport): string {
  const count = (outcome: SendOutcome) => report.mails.filter((m) => m.outcome === outcome).length;
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

interface MailJob {
  day: LocalDate;
  purpose: string;
  recipient: string;
  build(): Promise<KeyedMail> | KeyedMail;
}

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

/** The digest mail for one scope, built once and shared by the scope's recipients. */
async function digestMail(
  deps: DailyCheckDeps,
  digest: Digest,
  ledger: AsyncIterable<LedgerRow>,
): Promise<MailContent> {
  const workbook = await deps.digestWorkbook(deps.campaign, digest, ledger);
  const name = digestAttachmentName(digest);
  let attachments: MailAttachment[] = [];
  let downloadUrl: string | undefined;
  let body: Readable | undefined;
  try {
    if (workbook.size > ATTACHMENT_LIMIT_BYTES) {
      body = workbook.stream();
      const stored = await deps.documents.upload({
        prefix: `digests/${digest.day}`,
        body,
        size: workbook.size,
        contentType: XLSX_CONTENT_TYPE,
      });
      const path = await createDownloadLink(
        deps,
        { fileKey: stored.key, fileName: name, contentType: XLSX_CONTENT_TYPE },
        deps.clock.now(),
      );
      downloadUrl = new URL(path, deps.appUrl).toString();
    } else {
      attachments = [{ filename: name, content: await workbook.bytes(), contentType: XLSX_CONTENT_TYPE }];
    }
  } finally {
    body?.destroy();
    await workbook.dispose();
  }
  return digestMailContent(deps.campaign, digest, {
    attachmentName: name,
    ...(downloadUrl ? { downloadUrl } : {}),
    attachments,
  });
}

export async function runDailyCheck(deps: DailyCheckDeps, scheduledAt: Date): Promise<DailyCheckReport> {
  const { campaign } = deps;
  const instant = campaignInstant(campaign, scheduledAt);
  const day = instant.today;
  const report: DailyCheckReport = { day, scheduledAt: instant.iso, mails: [] };
  if (day < campaign.opensOn) return { ...report, idle: 'before-opening' };

  const fence: RunFence = { day, holder: randomUUID() };
  const lease = await deps.runLeases.acquire(day, fence.holder);
  if (lease.outcome === 'done') {
    deps.logger.info('daily check: the day is already done', { day });
    return { ...report, run: 'already-done' };
  }
  if (lease.outcome === 'held') {
    const heldUntil = new Date(lease.until).toISOString();
    deps.logger.info('daily check: held by a live run', { day, heldUntil });
    return { ...report, run: 'held', heldUntil };
  }
  // The heartbeat: renewed at a third of the lease, so one missed beat loses nothing. A renewal
  // refused means another run took the day (this one was paused past its lease): stop sending.
  const state = { lost: false };
  const beat = setInterval(() => {
    deps.runLeases.renew(day, fence.holder).then(
      (held) => {
        if (!held) state.lost = true;
      },
      (error: unknown) => deps.logger.error('daily check: lease renewal failed', { day, error }),
    );
  }, deps.runLeases.leaseMs / 3);
  beat.unref();
  let spool: Awaited<ReturnType<DailyCheckDeps['ledgerSpool']>> | undefined;
  // Only a run that got through every mail may mark the day done: one that threw (a read that
  // failed, DynamoDB gone) has not even listed them, and releases the day for the next run.
  let completed = false;
  try {
    spool = await deps.ledgerSpool();
    await checkDay(deps, instant, report, spool, fence, state);
    completed = true;
  } finally {
    clearInterval(beat);
    await spool?.dispose();
    const everySent = report.mails.every(
      (m) => m.outcome === 'sent' || m.outcome === 'skipped' || m.outcome === 'refused',
    );
    const stopped = state.lost || report.mails.some((m) => m.outcome === 'stopped');
    report.run = stopped ? 'stopped' : completed && everySent ? 'done' : 'incomplete';
    // A run that lost the lease leaves the day to its new holder; otherwise done, or released
    // at once (also when the run threw before it sent anything).
    if (!state.lost)
      await deps.runLeases
        .finish(day, fence.holder, report.run === 'done')
        .catch((error: unknown) =>
          deps.logger.error('daily check: could not release the day', { day, error }),
        );
  }
  return report;
}

async function checkDay(
  deps: DailyCheckDeps,
  instant: CampaignInstant,
  report: DailyCheckReport,
  spool: LedgerSpool,
  fence: RunFence,
  lease: { lost: boolean },
): Promise<DailyCheckReport> {
  const { campaign } = deps;
  const { day } = report;
  const snapshot = await loadSnapshot(campaign, deps, instant, spool);
  const { records, state, hazards: pass } = snapshot;
  const unitsByCode = new Map(records.units.map((u) => [u.code, u]));
  const jobs: MailJob[] = [];

  // A reminder that failed yesterday, after every retry, is made up today if the gaps remain.
  const missed = new Set(
    (await deps.mailLog.failedOn(instant.yesterday))
      .filter((m) => m.purpose.startsWith(REMINDER))
      .map((m) => m.purpose.slice(REMINDER.length)),
  );
  for (const unit of state.units) {
    const due = reminderFor(campaign, unit, day);
    const makeUp = missed.has(unit.unit.code) ? gapsOf(campaign, unit) : [];
    const gaps = due ?? (makeUp.length > 0 ? makeUp : null);
    if (!gaps) continue;
    const record = unitsByCode.get(unit.unit.code);
    const token = record ? currentToken(deps.linkKey, campaign.id, record) : null;
    const link = token ? new URL(`/f/${token}`, deps.appUrl).toString() : null;
    // Keyed on the unit: two units may share a mailbox, and each gets its own reminder.
    const key = { day, purpose: `${REMINDER}${unit.unit.code}`, recipient: unit.unit.email };
    jobs.push({ ...key, build: () => reminderMail(key, { campaign, unit: unit.unit, gaps, link }) });
  }

  const digests = new Map<string, Promise<MailContent>>();
  const addDigest = (
    key: { day: LocalDate; purpose: string },
    scope: DigestScope,
    recipients: string[],
    closing = false,
  ) => {
    for (const recipient of recipients) {
      const mailKey = { ...key, recipient };
      jobs.push({
        ...mailKey,
        build: async () => {
          let mail = digests.get(key.purpose);
          if (!mail) {
            mail = digestMail(
              deps,
              buildDigest(snapshot, scope, { closing }),
              pass.spool.rows(scopeKey(scope)),
            );
            digests.set(key.purpose, mail);
          }
          return keyedMail(campaign, mailKey, await mail);
        },
      });
    }
  };
  const office = campaign.safetyOffice.recipients.map((r) => r.email);
  addDigest({ day, purpose: 'digest' }, { kind: 'office' }, office);
  for (const bureau of records.units.filter((u) => u.type === 'district-bureau' && u.district !== null)) {
    const district = bureau.district as string;
    addDigest({ day, purpose: `digest:${district}` }, { kind: 'district', district }, [bureau.email]);
  }
  if (state.drive.closed) {
    // Keyed on the closing day, not today: the first check after the close sends it, later ones find it sent.
    addDigest(
      { day: campaign.hazardDrive.closesOn, purpose: 'closing-report' },
      { kind: 'office' },
      office,
      true,
    );
  }

  await runPool(jobs, deps.sendConcurrency ?? SEND_CONCURRENCY, async (job) => {
    // Checked between two mails: a stopped run claims nothing more, so nothing is left `sending`.
    const result =
      deps.signal?.aborted || lease.lost
        ? { outcome: 'stopped' as const }
        : await sendOnce(deps, job, job.build, fence);
    if (result.outcome === 'stopped' && !deps.signal?.aborted) lease.lost = true;
    const entry: MailResult = { purpose: job.purpose, recipient: job.recipient, outcome: result.outcome };
    if ('inDoubt' in result && result.inDoubt) report.inDoubt = (report.inDoubt ?? 0) + 1;
    if ('error' in result && result.error !== undefined) {
      entry.error = result.error instanceof Error ? result.error.message : String(result.error);
      if (result.outcome === 'refused') {
        // The recipient's server refused it for good: the digest lists the bounce; no run fails on it.
        const fields = { day: job.day, purpose: job.purpose, error: entry.error };
        if (deps.logger.warn) deps.logger.warn('mail refused by the recipient server', fields);
        else deps.logger.info('mail refused by the recipient server', fields);
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
  });
  const count = (outcome: SendOutcome) => report.mails.filter((m) => m.outcome === outcome).length;
  deps.logger.info('daily check done', {
    day,
    units: state.units.length,
    hazards: pass.count,
    sent: count('sent'),
    skipped: count('skipped'),
    failed: count('failed'),
    inFlight: count('in-flight'),
    stopped: count('stopped'),
    refused: count('refused'),
    inDoubt: report.inDoubt ?? 0,
  });
  return report;
}
