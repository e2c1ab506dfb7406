import type { Readable } from 'node:stream';
import type { Campaign, Deliverable } from '../../../schemas/campaign.ts';
import type { HazardImport, HazardPhoto, SubmissionVersion, UnitRecord } from '../../../schemas/records.ts';
import type { Logger } from '../logger.ts';
import type {
  DocumentStore,
  HazardRepository,
  Mailer,
  MailLog,
  OutboundMail,
  PendingUploadRepository,
  SubmissionRepository,
  UnitRepository,
  UploadLedger,
} from '../ports.ts';
import { formatLocal, localDateOf } from './calendar.ts';
import { ConflictError } from './errors.ts';
import { SIGNATURE_BYTES } from './file-types.ts';
import type { WorkbookRead } from './hazard-import.ts';
import { type ImportDeps, importHazards } from './hazard-import-service.ts';
import { applyHazardAction } from './hazard-lifecycle.ts';
import { sendOnce } from './mail-once.ts';
import { allPages } from './pages.ts';
import { judgeUpload } from './uploads.ts';

export interface ReceivedObject {
  bucket: string;
  key: string;
  etag: string;
  /** When S3 created the object: lateness is judged by this, so a retried event is judged the same. */
  createdAt: Date;
}

export interface ReceiveUploadDeps extends ImportDeps {
  /** Reads the rows of a hazard workbook from a stream (the xlsx adapter). */
  readHazardRows(input: Readable): Promise<WorkbookRead>;
  campaign: Campaign;
  logger: Logger;
  pending: PendingUploadRepository;
  documents: DocumentStore;
  units: UnitRepository;
  submissions: SubmissionRepository;
  ledger: UploadLedger;
  hazards: HazardRepository;
  mailLog: MailLog;
  mailer: Mailer;
}

export type ReceiveOutcome =
  | { outcome: 'accepted'; version: number }
  | { outcome: 'imported'; status: HazardImport['status']; rows: number }
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'duplicate' }
  | { outcome: 'ignored'; why: string };

const INCOMING = /^incoming\/([A-Z0-9-]+)\/[^/]+$/;
const VERSION_RACE_RETRIES = 3;

export function receiptMail(input: {
  campaign: Campaign;
  unit: UnitRecord;
  deliverable: Deliverable;
  version: SubmissionVersion;
}): OutboundMail {
  const { campaign, unit, deliverable, version } = input;
  const at = formatLocal(new Date(version.receivedAt), campaign.timeZone);
  const status = version.onTime
    ? { zh: '按时报送', en: 'filed on time' }
    : { zh: '逾期报送', en: 'filed late' };
  const text = [
    `${unit.name}：`,
    `市教育局已收到贵单位报送的《${deliverable.name.zh}》（第 ${version.version} 版，文件 ${version.displayName}，${at} 收到，${status.zh}）。`,
    '如需更正，可通过原填报链接重新上传；历次版本均会保留。',
    '',
    `${campaign.organiser.name.zh}`,
    '',
    '---',
    `Receipt: the ${deliverable.name.en} of ${unit.name} (version ${version.version}, file "${version.displayName}", received ${at} ${campaign.timeZone}) was ${status.en}.`,
    'To correct it, upload again through the same form link; every version is kept.',
    '',
    campaign.organiser.name.en,
  ].join('\n');
  return {
    from: campaign.mail.from,
    ...(campaign.mail.replyTo ? { replyTo: campaign.mail.replyTo } : {}),
    to: [unit.email],
    subject: `【回执】${deliverable.name.zh} 已收到（第 ${version.version} 版）/ Receipt: ${deliverable.name.en} received`,
    text,
  };
}

/** The receipt goes out once per version; a failed send throws, so the event's retry sends it. */
async function sendReceiptOnce(
  deps: ReceiveUploadDeps,
  unit: UnitRecord,
  deliverable: Deliverable,
  version: SubmissionVersion,
): Promise<void> {
  const day = localDateOf(new Date(version.receivedAt), deps.campaign.timeZone);
  const { outcome, error } = await sendOnce(
    deps,
    { day, purpose: `receipt:${version.fileKey}`, recipient: unit.email },
    () => receiptMail({ campaign: deps.campaign, unit, deliverable, version }),
  );
  if (outcome === 'failed') throw error;
}

async function findVersionOf(deps: ReceiveUploadDeps, unitCode: string, deliverableId: string, key: string) {
  const versions = await allPages((page) => deps.submissions.versions(unitCode, deliverableId, page), 100);
  return versions.find((v) => v.fileKey === key) ?? null;
}

/**
 * Adds an accepted photo to its hazard, through the hazard's own history. Idempotent: a photo
 * already attached (a redelivered event) changes nothing; a concurrent change is retried.
 */
async function attachPhoto(
  deps: ReceiveUploadDeps,
  unitCode: string,
  target: { id: string },
  photo: HazardPhoto,
): Promise<ReceiveOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const hazard = await deps.hazards.get(unitCode, target.id);
    if (!hazard) return { outcome: 'ignored', why: 'the hazard no longer exists' };
    if (hazard.photos.some((p) => p.key === photo.key)) return { outcome: 'duplicate' };
    const change = applyHazardAction(
      hazard,
      { kind: 'add-photo', photo },
      { unitCode, role: 'owner' },
      { campaign: deps.campaign, now: new Date(photo.addedAt) },
    );
    try {
      await deps.hazards.update(change.hazard, change.entry, change.delta);
      deps.logger.info('hazard photo added', { unit: unitCode, hazard: hazard.id });
      return { outcome: 'accepted', version: change.hazard.version };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= VERSION_RACE_RETRIES) throw error;
    }
  }
}

/**
 * Handles one object that arrived in the bucket. Checks it, then either records a new version
 * of the submission (and mails the unit a receipt) or records a refusal and moves the file to
 * quarantine/. Safe to run twice for the same object: the ledger and the mail log see to it.
 */
export async function receiveUpload(
  object: ReceivedObject,
  deps: ReceiveUploadDeps,
): Promise<ReceiveOutcome> {
  const unitFromKey = INCOMING.exec(object.key)?.[1];
  if (!unitFromKey) return { outcome: 'ignored', why: 'not under incoming/<unit>/' };
  const head = await deps.documents.head(object.key);
  if (!head) return { outcome: 'ignored', why: 'object gone (already moved to quarantine)' };
  const pending = await deps.pending.get(object.key);
  const firstBytes =
    head.size > 0 ? await deps.documents.readFirstBytes(object.key, SIGNATURE_BYTES) : new Uint8Array();
  const verdict = judgeUpload({
    campaign: deps.campaign,
    pending,
    size: head.size,
    firstBytes,
    receivedAt: object.createdAt,
  });
  const receivedAt = object.createdAt.toISOString();
  const receipt = { bucket: object.bucket, key: object.key, etag: object.etag, size: head.size, receivedAt };
  const unitCode = pending?.unitCode ?? unitFromKey;

  if (!verdict.ok) {
    const quarantineKey = `quarantine/${object.key.slice('incoming/'.length)}`;
    await deps.ledger.reject({
      receipt,
      rejection: {
        unitCode,
        deliverableId: pending?.deliverableId ?? '',
        displayName: pending?.displayName ?? '',
        reason: verdict.reason,
        size: head.size,
        receivedAt,
        quarantineKey,
      },
      audit: {
        at: receivedAt,
        actor: unitCode,
        action: 'upload-rejected',
        subject: object.key,
        detail: { reason: verdict.reason, size: head.size },
      },
    });
    await deps.documents.move(object.key, quarantineKey);
    deps.logger.info('upload rejected', { key: object.key, reason: verdict.reason });
    return { outcome: 'rejected', reason: verdict.reason };
  }

  const unit = await deps.units.get(unitCode);
  // A form signed before the unit was withdrawn from the roster may still deliver a file: it is
  // left where it landed, unrecorded, as the unit's link no longer works.
  if (unit?.withdrawnAt) return { outcome: 'ignored', why: 'the unit was withdrawn from the roster' };

  if (pending?.hazardImport) {
    if (!unit) return { outcome: 'ignored', why: 'the unit no longer exists' };
    const read = await deps.readHazardRows(await deps.documents.open(object.key));
    const result = await importHazards(deps, {
      unit,
      etag: object.etag,
      fileName: pending.displayName,
      ...(read.ok ? { rows: read.rows } : { rows: [], problem: read.error }),
      now: object.createdAt,
    });
    deps.logger.info('hazard import', { unit: unit.code, status: result.status, rows: result.rowCount });
    return { outcome: 'imported', status: result.status, rows: result.rowCount };
  }

  if (pending?.hazard) {
    return attachPhoto(deps, pending.unitCode, pending.hazard, {
      key: object.key,
      kind: pending.hazard.photoKind,
      displayName: verdict.displayName,
      contentType: verdict.contentType,
      addedAt: receivedAt,
    });
  }

  // judgeUpload accepts only with a pending upload for a deliverable of this campaign.
  const deliverableId = pending?.deliverableId ?? '';
  const deliverable = deps.campaign.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable || !unit) return { outcome: 'ignored', why: 'unit or deliverable no longer exists' };

  for (let attempt = 1; ; attempt += 1) {
    const pointer = await deps.submissions.pointer(unit.code, deliverable.id);
    const version: SubmissionVersion = {
      unitCode: unit.code,
      deliverableId: deliverable.id,
      version: (pointer?.currentVersion ?? 0) + 1,
      fileKey: object.key,
      displayName: verdict.displayName,
      contentType: verdict.contentType,
      size: head.size,
      etag: object.etag,
      receivedAt,
      onTime: verdict.onTime,
    };
    try {
      const result = await deps.ledger.accept({
        receipt,
        version,
        district: unit.district,
        audit: {
          at: receivedAt,
          actor: unit.code,
          action: 'submission-filed',
          subject: `${unit.code}/${deliverable.id}/v${version.version}`,
          detail: { key: object.key, size: head.size, onTime: verdict.onTime },
        },
      });
      if (result === 'duplicate') {
        const recorded = await findVersionOf(deps, unit.code, deliverable.id, object.key);
        if (recorded) await sendReceiptOnce(deps, unit, deliverable, recorded);
        return { outcome: 'duplicate' };
      }
      await sendReceiptOnce(deps, unit, deliverable, version);
      deps.logger.info('submission filed', {
        unit: unit.code,
        deliverable: deliverable.id,
        version: version.version,
      });
      return { outcome: 'accepted', version: version.version };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= VERSION_RACE_RETRIES) throw error;
    }
  }
}
