import { randomUUID } from 'node:crypto';
import type { SesNotification } from '../../../../schemas/mail-events.ts';
import type { MailBounce, UnitRecord } from '../../../../schemas/records.ts';
import type { Logger } from '../../logger.ts';
import type { BounceEvent, BounceLog, Mailer, RefusedRecipient, UnitRepository } from '../../ports.ts';
import type { Clock } from '../calendar/clock.ts';
import { allPages } from '../pages.ts';
import { observingSends } from './observed-sends.ts';

/**
 * Bounces and complaints: recorded against the recipient address (from SES's notifications, or
 * from an SMTP server refusing a recipient at send time) and listed, in the digest and on the
 * supervising office's page, for the units whose contact address it is, so a wrong contact is
 * fixed before a deadline passes.
 */

/** A diagnostic is the receiving server's text: kept short, as a line of a page or a cell. */
export const DIAGNOSTIC_MAX = 300;

const shorten = (text: string): string =>
  text.length <= DIAGNOSTIC_MAX ? text : `${text.slice(0, DIAGNOSTIC_MAX - 1)}…`;

/** A send refused at RCPT TO, every recipient: `refused` lists those refused for good (SMTP 5xx). Nothing was sent. */
export class RecipientsRefusedError extends Error {
  constructor(
    readonly refused: RefusedRecipient[],
    options?: ErrorOptions,
  ) {
    super(
      `收件人被拒收 / recipient refused: ${refused.map((r) => `${r.address} (${shorten(r.response)})`).join(', ')}`,
      options,
    );
    this.name = 'RecipientsRefusedError';
  }
}

/**
 * Wraps a mailer so that a recipient refused for good is recorded in `bounces`, and a recipient
 * accepted afterwards is noted as delivered. The send's own outcome is never changed: a failure
 * to record is logged, and the send's error (or result) goes back to the caller as it came.
 */
export function recordingBounces(
  mailer: Mailer,
  bounces: Pick<BounceLog, 'record' | 'delivered'>,
  clock: Clock,
  logger?: Logger,
): Mailer {
  const guard = async (what: string, work: Promise<unknown>) => {
    try {
      await work;
    } catch (error) {
      logger?.error(`bounce log: ${what} not recorded`, { error });
    }
  };
  const refusedEvents = (refused: readonly RefusedRecipient[], messageId: string): BounceEvent[] => {
    const at = clock.now().toISOString();
    return refused
      .filter((r) => r.code >= 500)
      .map((r) => ({
        address: r.address,
        kind: 'bounce',
        subtype: `SMTP ${r.code}`,
        diagnostic: shorten(r.response),
        source: 'smtp',
        at,
        messageId,
        // Each refused send is its own event: a retry that is refused again counts again.
        feedbackId: `smtp-${randomUUID()}`,
      }));
  };
  return observingSends(mailer, {
    async failed(_mail, error) {
      if (error instanceof RecipientsRefusedError)
        for (const event of refusedEvents(error.refused, ''))
          await guard('refused recipient', bounces.record(event));
    },
    async sent(mail, result) {
      const refused = result.refused ?? [];
      for (const event of refusedEvents(refused, result.messageId))
        await guard('refused recipient', bounces.record(event));
      const gone = new Set(refused.map((r) => r.address.toLowerCase()));
      const now = clock.now();
      await Promise.all(
        mail.to
          .filter((address) => !gone.has(address.toLowerCase()))
          .map((address) => guard('delivery', bounces.delivered(address, now))),
      );
    },
  });
}

/**
 * The bounce events a SES notification reports: one per recipient of a permanent bounce or of a
 * complaint. A transient or undetermined bounce, or another event type, gives none (`ignored`
 * says why, for the log).
 */
export function sesBounceEvents(notification: SesNotification): { events: BounceEvent[]; ignored?: string } {
  const type = notification.eventType ?? notification.notificationType ?? '';
  const messageId = notification.mail.messageId;
  const { bounce, complaint } = notification;
  if (type === 'Bounce' && bounce) {
    if (bounce.bounceType !== 'Permanent') return { events: [], ignored: `${bounce.bounceType} bounce` };
    const at = new Date(bounce.timestamp).toISOString();
    return {
      events: bounce.bouncedRecipients.map((r) => ({
        address: r.emailAddress,
        kind: 'bounce',
        subtype: bounce.bounceSubType,
        diagnostic: shorten(r.diagnosticCode ?? r.status ?? ''),
        source: 'ses',
        at,
        messageId,
        feedbackId: bounce.feedbackId,
      })),
    };
  }
  if (type === 'Complaint' && complaint) {
    const at = new Date(complaint.timestamp).toISOString();
    return {
      events: complaint.complainedRecipients.map((r) => ({
        address: r.emailAddress,
        kind: 'complaint',
        subtype: complaint.complaintFeedbackType ?? complaint.complaintSubType ?? 'complaint',
        diagnostic: '',
        source: 'ses',
        at,
        messageId,
        feedbackId: complaint.feedbackId,
      })),
    };
  }
  return { events: [], ignored: `event type ${type || 'unknown'}` };
}

/**
 * Whether a bounce still stands: a complaint always does; a bounce until mail to the address is
 * accepted after it (SMTP tells so at send time; SES reports only the bounces). A unit leaves the
 * list when its contact address changes, since the record is the old address's.
 */
export function stillBouncing(bounce: MailBounce): boolean {
  return (
    bounce.kind === 'complaint' || bounce.deliveredAt === undefined || bounce.deliveredAt < bounce.lastSeenAt
  );
}

export interface BouncedUnit {
  unitCode: string;
  unitName: string;
  district: string | null;
  address: string;
  kind: MailBounce['kind'];
  subtype: string;
  diagnostic: string;
  lastSeenAt: string;
  count: number;
}

/** What a bounce is called on pages, mails and sheets. */
export const BOUNCE_KIND_LABELS: Record<MailBounce['kind'], { zh: string; en: string }> = {
  bounce: { zh: '退信', en: 'bounced' },
  complaint: { zh: '投诉为垃圾邮件', en: 'marked as spam' },
};

/** The units (of those given) whose contact address has a standing bounce, by district then unit code. */
export function bouncedUnits(units: readonly UnitRecord[], bounces: Iterable<MailBounce>): BouncedUnit[] {
  const standing = new Map<string, MailBounce>();
  for (const b of bounces) if (stillBouncing(b)) standing.set(b.address.toLowerCase(), b);
  if (standing.size === 0) return [];
  return units
    .flatMap((unit): BouncedUnit[] => {
      const b = standing.get(unit.email.toLowerCase());
      return b
        ? [
            {
              unitCode: unit.code,
              unitName: unit.name,
              district: unit.district,
              address: unit.email,
              kind: b.kind,
              subtype: b.subtype,
              diagnostic: b.diagnostic,
              lastSeenAt: b.lastSeenAt,
              count: b.count,
            },
          ]
        : [];
    })
    .sort(
      (a, b) => (a.district ?? '').localeCompare(b.district ?? '') || a.unitCode.localeCompare(b.unitCode),
    );
}

/**
 * What a supervising unit's own page lists: for the city office, every unit whose contact
 * bounces; for a district bureau, its district's. Other units see none (null). Units are read
 * only when some address has a standing bounce, which is rare.
 */
export async function bouncedUnitsFor(
  deps: { units: Pick<UnitRepository, 'list'>; bounces: Pick<BounceLog, 'all'> },
  viewer: UnitRecord,
): Promise<BouncedUnit[] | null> {
  const district = viewer.type === 'district-bureau' ? viewer.district : undefined;
  if (viewer.type !== 'city-office' && !district) return null;
  const bounces: MailBounce[] = [];
  for await (const b of deps.bounces.all()) if (stillBouncing(b)) bounces.push(b);
  if (bounces.length === 0) return [];
  const units = await allPages((page) => deps.units.list(district ? { district } : {}, page));
  return bouncedUnits(
    units.filter((u) => !u.withdrawnAt),
    bounces,
  );
}
