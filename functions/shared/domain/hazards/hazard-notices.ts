import type { Campaign } from '../../../../schemas/campaign.ts';
import type { HazardRecord, OutboxItem, UnitRecord } from '../../../../schemas/records.ts';
import type { Logger } from '../../logger.ts';
import type { HazardRepository, KeyedMail, Mailer, MailLog, Outbox, UnitRepository } from '../../ports.ts';
import { localDateOf } from '../calendar/calendar.ts';
import type { Clock } from '../calendar/clock.ts';
import { type MailKey, type SendOutcome, sendOnce } from '../delivery/mail-once.ts';
import { allPages } from '../pages.ts';
import { isOpenHazard } from './hazard-lifecycle.ts';

/**
 * Immediate notices of hazards, through a transactional outbox: a hazard change that owes a mail
 * writes an outbox item in its own DynamoDB transaction (`noticesOwed`), so a crash after the
 * commit cannot lose the mail; the request sends it at once after the commit (`deliverNotices`),
 * and the outbox sweep, every minute, sends whatever is still owed (`sweepOutbox`). Every send
 * goes through the mail log's claim (`sendOnce`, keyed on the item's day, its id as the purpose,
 * and its recipient), so a retry, a sweep racing the request, or two sweeps send it once.
 */

export type NoticeKind = OutboxItem['kind'];

/** What a notice says, for its renderer (`shared/mail/hazard-mail.ts`). */
export interface NoticeContent {
  campaign: Campaign;
  kind: NoticeKind;
  hazard: HazardRecord;
  /** The reporting unit. */
  unit: UnitRecord;
  /** The unit the mail goes to: the reporting unit (receipt) or the supervisor (major hazard). */
  recipient: UnitRecord;
}

export type NoticeRenderer = (key: MailKey, notice: NoticeContent) => KeyedMail;

/**
 * The mails a hazard change owes: every new report a receipt to its unit; a hazard that is major
 * and open now, and was not major before (a new major report, or one edited or reclassified as
 * major), a notice to its supervisor. Each is keyed on the hazard's version, so a hazard made
 * major a second time notifies again, and no change owes the same mail twice.
 */
export function noticesOwed(input: {
  campaign: Campaign;
  before: HazardRecord | null;
  after: HazardRecord;
  unit: UnitRecord;
  supervisor: UnitRecord | null;
  now: Date;
}): OutboxItem[] {
  const { before, after, unit, supervisor, now } = input;
  const base = {
    unitCode: after.unitCode,
    hazardId: after.id,
    hazardVersion: after.version,
    day: localDateOf(now, input.campaign.timeZone),
    createdAt: now.toISOString(),
  };
  const item = (kind: NoticeKind, to: UnitRecord): OutboxItem => ({
    ...base,
    id: `${kind}#${after.id}#v${after.version}`,
    kind,
    recipientUnit: to.code,
    recipient: to.email,
  });
  const items: OutboxItem[] = [];
  if (before === null) items.push(item('hazard-receipt', unit));
  const becameMajor = after.level === 'major' && (before === null || before.level !== 'major');
  const listedWith = after.supervision?.supervisorUnit;
  if (becameMajor && isOpenHazard(after) && supervisor && listedWith === supervisor.code) {
    items.push(item('major-hazard', supervisor));
  }
  return items;
}

export interface NoticeDeps {
  campaign: Campaign;
  clock: Clock;
  mailLog: MailLog;
  mailer: Mailer;
  units: Pick<UnitRepository, 'get'>;
  hazards: Pick<HazardRepository, 'get'>;
  outbox: Outbox;
  renderNotice: NoticeRenderer;
  logger?: Logger;
}

/**
 * Sends one owed mail at most once and marks the item done when it went out (or was found sent,
 * or refused for good). A send in flight elsewhere or a failed one leaves the item for the sweep.
 */
export async function deliverNotice(deps: NoticeDeps, item: OutboxItem): Promise<SendOutcome | 'obsolete'> {
  const key: MailKey = { day: item.day, purpose: item.id, recipient: item.recipient };
  if (item.kind === 'major-hazard') {
    // Left to the sweep, a major-hazard notice may find the hazard withdrawn or reclassified as
    // general meanwhile: the supervisor is not told of a major hazard that is no longer one.
    const now = await deps.hazards.get(item.unitCode, item.hazardId);
    if (now && (now.level !== 'major' || !isOpenHazard(now))) {
      await deps.outbox.markDone(item, 'refused', deps.clock.now());
      return 'obsolete';
    }
  }
  const result = await sendOnce(deps, key, async () => {
    const [hazard, unit, recipient] = await Promise.all([
      deps.hazards.get(item.unitCode, item.hazardId),
      deps.units.get(item.unitCode),
      deps.units.get(item.recipientUnit),
    ]);
    if (!hazard || !unit || !recipient) throw new Error(`outbox item ${item.id} names a missing record`);
    return deps.renderNotice(key, { campaign: deps.campaign, kind: item.kind, hazard, unit, recipient });
  });
  if (result.outcome === 'sent' || result.outcome === 'skipped' || result.outcome === 'refused') {
    await deps.outbox.markDone(item, result.outcome === 'refused' ? 'refused' : 'sent', deps.clock.now());
  } else if (result.outcome === 'failed') {
    deps.logger?.warn('hazard notice not sent; the outbox sweep will try again', {
      id: item.id,
      error: result.error instanceof Error ? result.error.message : String(result.error),
    });
  }
  return result.outcome;
}

/** The mails a change owes, sent right after its commit; a failure leaves them to the sweep, never to the request. */
export async function deliverNotices(deps: NoticeDeps, items: readonly OutboxItem[]): Promise<void> {
  for (const item of items) {
    try {
      await deliverNotice(deps, item);
    } catch (error) {
      deps.logger?.warn('hazard notice not sent; the outbox sweep will try again', {
        id: item.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}

export interface SweepReport {
  /** Items found owed. */
  found: number;
  /** Sent now, or found sent already (by a send that died before marking its item). */
  sent: number;
  /** Refused for good (a bounced address), or no longer owed (a major hazard since withdrawn or made general). */
  refused: number;
  /** Failed, or in flight elsewhere: still owed, for the next sweep. */
  left: number;
}

/**
 * Sends every mail still owed, oldest first: what a request could not send after its commit (it
 * crashed, the mail server failed). Safe to run concurrently with requests and other sweeps.
 */
export async function sweepOutbox(deps: NoticeDeps): Promise<SweepReport> {
  const items = await allPages((page) => deps.outbox.pending(page));
  const report: SweepReport = { found: items.length, sent: 0, refused: 0, left: 0 };
  for (const item of items) {
    let outcome: SendOutcome | 'obsolete';
    try {
      outcome = await deliverNotice(deps, item);
    } catch (error) {
      deps.logger?.error('hazard notice failed in the sweep', {
        id: item.id,
        error: error instanceof Error ? error.message : String(error),
      });
      outcome = 'failed';
    }
    if (outcome === 'sent' || outcome === 'skipped') report.sent += 1;
    else if (outcome === 'refused' || outcome === 'obsolete') report.refused += 1;
    else report.left += 1;
  }
  return report;
}
