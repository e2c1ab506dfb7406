import type { LocalDate } from '../shared/domain/calendar/calendar.ts';
import { currentToken } from '../shared/domain/links/form-links.ts';
import { buildDigest } from '../shared/domain/report/digest.ts';
import { scopeKey } from '../shared/domain/report/hazard-pass.ts';
import type { CampaignSnapshot, DigestScope } from '../shared/domain/report/model.ts';
import { gapsOf, reminderFor } from '../shared/domain/report/reminders.ts';
import { keyedMail, type MailContent } from '../shared/mail/envelope.ts';
import { reminderMail } from '../shared/mail/reminder-mail.ts';
import type { KeyedMail } from '../shared/ports.ts';
import type { DailyCheckDeps } from './deps.ts';
import { type DigestDeliveryDeps, renderDigestMail } from './digest-delivery.ts';

/** One mail of the day: its key, and how to render it once claimed (`sendOnce`). */
export interface MailJob {
  day: LocalDate;
  purpose: string;
  recipient: string;
  build(): Promise<KeyedMail> | KeyedMail;
}

/** A reminder's mail-log purpose: `reminder:<unit code>`. */
const REMINDER = 'reminder:';

/**
 * A reminder for each unit with a gap on a reminder day. A reminder that failed yesterday,
 * after every retry, is made up today if the gaps remain.
 */
export async function reminderJobs(
  deps: Pick<DailyCheckDeps, 'mailLog' | 'linkKey' | 'appUrl'>,
  snapshot: CampaignSnapshot,
): Promise<MailJob[]> {
  const { campaign, instant, state, records } = snapshot;
  const day = instant.today;
  const missed = new Set(
    (await deps.mailLog.failedOn(instant.yesterday))
      .filter((m) => m.purpose.startsWith(REMINDER))
      .map((m) => m.purpose.slice(REMINDER.length)),
  );
  const unitsByCode = new Map(records.units.map((u) => [u.code, u]));
  const jobs: MailJob[] = [];
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
  return jobs;
}

/**
 * The office's digest, each district bureau's, and once the drive has closed, the closing
 * report. Each scope's mail is rendered once, by the first of its recipients' jobs to be sent.
 */
export function digestJobs(deps: DigestDeliveryDeps, snapshot: CampaignSnapshot): MailJob[] {
  const { campaign, instant, state, records, hazards } = snapshot;
  const day = instant.today;
  const rendered = new Map<string, Promise<MailContent>>();
  const jobs: MailJob[] = [];
  const addDigest = (
    at: { day: LocalDate; purpose: string },
    scope: DigestScope,
    recipients: string[],
    closing = false,
  ) => {
    for (const recipient of recipients) {
      const key = { ...at, recipient };
      jobs.push({
        ...key,
        build: async () => {
          let content = rendered.get(at.purpose);
          if (!content) {
            content = renderDigestMail(
              deps,
              buildDigest(snapshot, scope, { closing }),
              hazards.spool.rows(scopeKey(scope)),
            );
            rendered.set(at.purpose, content);
          }
          return keyedMail(campaign, key, await content);
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
  return jobs;
}
