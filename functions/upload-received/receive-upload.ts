import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Campaign, Deliverable } from '../../schemas/campaign.ts';
import type {
  HazardImport,
  HazardPhoto,
  SubmissionVersion,
  UnitRecord,
  UploadReceipt,
} from '../../schemas/records.ts';
import { jitteredBackoff } from '../shared/domain/backoff.ts';
import { localDateOf } from '../shared/domain/calendar/calendar.ts';
import { sendOnce } from '../shared/domain/delivery/mail-once.ts';
import { ConflictError } from '../shared/domain/errors.ts';
import { SIGNATURE_BYTES } from '../shared/domain/filing/file-types.ts';
import { judgeUpload } from '../shared/domain/filing/uploads.ts';
import type { WorkbookRead } from '../shared/domain/hazards/hazard-import.ts';
import { type ImportDeps, importHazards } from '../shared/domain/hazards/hazard-import-service.ts';
import { applyHazardAction } from '../shared/domain/hazards/hazard-lifecycle.ts';
import { allPages } from '../shared/domain/pages.ts';
import { filingProfileChange, pointerAfterFiling } from '../shared/domain/report/rollup.ts';
import type { Logger } from '../shared/logger.ts';
import { withHazardNotices } from '../shared/mail/hazard-mail.ts';
import { receiptMail } from '../shared/mail/receipt-mail.ts';
import type {
  DocumentStore,
  HazardRepository,
  Mailer,
  MailLog,
  Outbox,
  PendingUploadRepository,
  SanctionRepository,
  SubmissionRepository,
  UnitRepository,
  UploadLedger,
} from '../shared/ports.ts';

export interface ReceivedObject {
  bucket: string;
  key: string;
  etag: string;
  /** The S3 version the event names (a versioned bucket); without it the ETag pins the object. */
  versionId?: string;
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
  /** The mails an import owes (a major hazard's notice to its supervisor), sent after its commit. */
  outbox: Outbox;
  /** Summons and circulars, whose documents arrive as uploads too. */
  sanctions: SanctionRepository;
}

export type ReceiveOutcome =
  | { outcome: 'accepted'; version: number }
  | { outcome: 'imported'; status: HazardImport['status']; rows: number }
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'duplicate' }
  | { outcome: 'ignored'; why: string };

const INCOMING = /^incoming\/([A-Z0-9-]+)\/[^/]+$/;
/**
 * Version numbers stay gap-free: each version is written in one conditional transaction that
 * also moves the deliverable's pointer from n-1 to n, and a loser of that race retries with the
 * next number. Allocating numbers atomically (a counter bumped first) would leave a gap whenever
 * the writer died between the bump and the write; retrying costs only time, and only under
 * contention. Full-jitter exponential backoff (20 ms doubling, capped at 1 s) spreads the
 * contenders out; 50 attempts (about 25 s at worst, well inside the function's timeout) let
 * dozens of concurrent uploads to one deliverable all land.
 */
export const VERSION_RACE_ATTEMPTS = 50;

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Where accepted bytes are filed: apart from the untrusted incoming/ prefix, named by the upload
 * (its key's last part) and the content's SHA-256. The name is a function of the bytes, so a
 * retry writes the same key (and finds it taken: `If-None-Match: *`), and two objects posted
 * with one reused form get two keys.
 */
const filedKey = (unitCode: string, owner: string, incomingKey: string, sha256: string) =>
  `files/${unitCode}/${owner}/${incomingKey.split('/').at(-1)}/${sha256}`;

/**
 * The receipt goes out once per version. A failed send throws, so the event's retry sends it;
 * so does a claim still held (a delivery that died mid-send, or one sending right now): the
 * retry finds it sent, or its lease run out, instead of counting an unsent receipt as done.
 */
async function sendReceiptOnce(
  deps: ReceiveUploadDeps,
  unit: UnitRecord,
  deliverable: Deliverable,
  version: SubmissionVersion,
): Promise<void> {
  const day = localDateOf(new Date(version.receivedAt), deps.campaign.timeZone);
  const key = { day, purpose: `receipt:${version.fileKey}`, recipient: unit.email };
  const { outcome, error } = await sendOnce(deps, key, () =>
    receiptMail(key, { campaign: deps.campaign, unit, deliverable, version }),
  );
  if (outcome === 'failed') throw error;
  if (outcome === 'in-flight')
    throw new Error(
      `receipt ${version.unitCode}/${version.deliverableId}/v${version.version}: another delivery holds its mail; retry`,
    );
}

async function findVersionOf(
  deps: ReceiveUploadDeps,
  unitCode: string,
  deliverableId: string,
  fileKey: string,
) {
  const versions = await allPages((page) => deps.submissions.versions(unitCode, deliverableId, page), 100);
  return versions.find((v) => v.fileKey === fileKey) ?? null;
}

/**
 * Finishes what a recorded object's first delivery may have left undone when it died: an
 * accepted one's receipt mail, a refused one's move to quarantine/. Nothing is judged again.
 */
async function finishRecorded(deps: ReceiveUploadDeps, receipt: UploadReceipt): Promise<ReceiveOutcome> {
  const source = { etag: receipt.etag, ...(receipt.versionId ? { versionId: receipt.versionId } : {}) };
  if (receipt.outcome === 'rejected' && receipt.quarantineKey) {
    await deps.documents.quarantine(receipt.key, source, receipt.quarantineKey);
    return { outcome: 'duplicate' };
  }
  const pending = await deps.pending.get(receipt.key);
  const deliverable = deps.campaign.deliverables.find((d) => d.id === pending?.deliverableId);
  const unit = pending ? await deps.units.get(pending.unitCode) : null;
  if (!pending || !deliverable || !unit) return { outcome: 'duplicate' };
  const recorded = await findVersionOf(deps, unit.code, deliverable.id, receipt.fileKey ?? receipt.key);
  if (recorded) await sendReceiptOnce(deps, unit, deliverable, recorded);
  return { outcome: 'duplicate' };
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
  sourceKey: string,
): Promise<ReceiveOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const hazard = await deps.hazards.get(unitCode, target.id);
    if (!hazard) return { outcome: 'ignored', why: 'the hazard no longer exists' };
    // Photos attached before filed copies existed are known by their incoming/ key.
    if (hazard.photos.some((p) => p.key === photo.key || p.key === sourceKey))
      return { outcome: 'duplicate' };
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
      if (!(error instanceof ConflictError) || attempt >= VERSION_RACE_ATTEMPTS) throw error;
      await jitteredBackoff(attempt);
    }
  }
}

/**
 * Handles one object that arrived in the bucket. An object already recorded (its receipt, by
 * bucket + key + ETag) is a redelivery: 'duplicate', before anything is judged, so a second
 * verdict can never undo the first. Otherwise it reads that exact object (its version, or its
 * ETag) whole, judges those bytes, and either files a copy under `files/` and records a new
 * version (and mails the unit a receipt with the SHA-256), or records a refusal and moves the
 * object to quarantine/. Filed bytes are never touched again: not by a later object on the same
 * key (a reused form), nor by any quarantine. Safe to run twice for the same object.
 */
export async function receiveUpload(
  object: ReceivedObject,
  deps: ReceiveUploadDeps,
): Promise<ReceiveOutcome> {
  const unitFromKey = INCOMING.exec(object.key)?.[1];
  if (!unitFromKey) return { outcome: 'ignored', why: 'not under incoming/<unit>/' };
  const seen = await deps.ledger.receipt(object.bucket, object.key, object.etag);
  if (seen) return finishRecorded(deps, seen);

  const source = { etag: object.etag, ...(object.versionId ? { versionId: object.versionId } : {}) };
  const read = await deps.documents.readExact(object.key, source, deps.campaign.uploads.maxBytes);
  if (read.status === 'gone') return { outcome: 'ignored', why: 'object gone (already moved to quarantine)' };
  if (read.status === 'changed') {
    // Another object replaced this one before it was read: S3 with versioning never lets that
    // happen, nor does the local S3 front, which refuses a second object on a key. The newer
    // object's own event records it; this one's bytes are gone.
    deps.logger.error('upload replaced before it was read', { key: object.key, etag: object.etag });
    return { outcome: 'ignored', why: 'the object was replaced before it was read' };
  }
  const bytes = read.status === 'read' ? read.bytes : null;
  const size = read.status === 'read' ? read.bytes.byteLength : read.size;
  const versionId = read.versionId ?? object.versionId;
  const pending = await deps.pending.get(object.key);
  const verdict = judgeUpload({
    campaign: deps.campaign,
    pending,
    size,
    firstBytes: bytes ? bytes.subarray(0, SIGNATURE_BYTES) : new Uint8Array(),
    receivedAt: object.createdAt,
  });
  const receivedAt = object.createdAt.toISOString();
  const receipt: UploadReceipt = {
    bucket: object.bucket,
    key: object.key,
    etag: object.etag,
    size,
    receivedAt,
    ...(versionId ? { versionId } : {}),
  };
  const unitCode = pending?.unitCode ?? unitFromKey;

  if (!verdict.ok || !bytes) {
    const reason = verdict.ok ? 'too-large' : verdict.reason;
    // One quarantine key per object, so two refused objects posted with one form both stay.
    const quarantineKey = `quarantine/${object.key.slice('incoming/'.length)}/${object.etag}`;
    const recorded = await deps.ledger.reject({
      receipt: { ...receipt, outcome: 'rejected', quarantineKey },
      rejection: {
        // A summons' or circular's document is the deciding body's upload, not the unit's: its
        // refusal is listed for that body, never on the sanctioned school's page.
        unitCode: pending?.sanction?.bodyCode ?? unitCode,
        deliverableId: pending?.deliverableId ?? '',
        displayName: pending?.displayName ?? '',
        reason,
        size,
        receivedAt,
        quarantineKey,
      },
      audit: {
        at: receivedAt,
        actor: unitCode,
        action: 'upload-rejected',
        subject: object.key,
        detail: { reason, size },
      },
    });
    if (recorded === 'duplicate') {
      // A concurrent delivery recorded this object first; its outcome stands.
      const first = await deps.ledger.receipt(object.bucket, object.key, object.etag);
      return first ? finishRecorded(deps, first) : { outcome: 'duplicate' };
    }
    await deps.documents.quarantine(object.key, source, quarantineKey);
    deps.logger.info('upload rejected', { key: object.key, reason });
    return { outcome: 'rejected', reason };
  }

  const unit = await deps.units.get(unitCode);
  // A form signed before the unit was withdrawn from the roster may still deliver a file: it is
  // left where it landed, unrecorded, as the unit's link no longer works.
  if (unit?.withdrawnAt) {
    await deps.ledger.note({ ...receipt, outcome: 'ignored' });
    return { outcome: 'ignored', why: 'the unit was withdrawn from the roster' };
  }

  if (pending?.hazardImport) {
    if (!unit) return { outcome: 'ignored', why: 'the unit no longer exists' };
    // The bytes judged are the bytes imported; the import is keyed on their ETag.
    const rows = await deps.readHazardRows(Readable.from([Buffer.from(bytes)]));
    // The supervisors' notices of imported major hazards go out at once; what fails is left to
    // the outbox sweep, which also sends them if this function dies first.
    const result = await importHazards(withHazardNotices(deps), {
      unit,
      etag: object.etag,
      fileName: pending.displayName,
      ...(rows.ok ? { rows: rows.rows } : { rows: [], problem: rows.error }),
      now: object.createdAt,
    });
    await deps.ledger.note({ ...receipt, outcome: 'accepted' });
    deps.logger.info('hazard import', { unit: unit.code, status: result.status, rows: result.rowCount });
    return { outcome: 'imported', status: result.status, rows: result.rowCount };
  }

  const sha256 = sha256Hex(bytes);
  if (pending?.hazard) {
    const fileKey = filedKey(pending.unitCode, pending.hazard.id, object.key, sha256);
    await deps.documents.putAt(fileKey, bytes, verdict.contentType);
    const attached = await attachPhoto(
      deps,
      pending.unitCode,
      pending.hazard,
      {
        key: fileKey,
        kind: pending.hazard.photoKind,
        displayName: verdict.displayName,
        contentType: verdict.contentType,
        addedAt: receivedAt,
      },
      object.key,
    );
    // The photo itself is idempotent on its key; the receipt only tells the sweep it was seen.
    await deps.ledger.note({
      ...receipt,
      outcome: attached.outcome === 'ignored' ? 'ignored' : 'accepted',
      fileKey,
      sha256,
    });
    return attached;
  }

  if (pending?.sanction) {
    const decision = (await deps.sanctions.listForUnit(pending.unitCode)).find(
      (s) => s.id === pending.sanction?.id,
    );
    if (!decision) return { outcome: 'ignored', why: 'the decision no longer exists' };
    const fileKey = filedKey(pending.unitCode, `sanction-${decision.id}`, object.key, sha256);
    await deps.documents.putAt(fileKey, bytes, verdict.contentType);
    const attached = await deps.sanctions.attachDocument(decision, {
      key: fileKey,
      displayName: verdict.displayName,
      contentType: verdict.contentType,
      sha256,
      addedAt: receivedAt,
    });
    await deps.ledger.note({ ...receipt, outcome: 'accepted', fileKey, sha256 });
    deps.logger.info('sanction document', { unit: pending.unitCode, sanction: decision.id, attached });
    return attached === 'attached' ? { outcome: 'accepted', version: 1 } : { outcome: 'duplicate' };
  }

  // judgeUpload accepts only with a pending upload for a deliverable of this campaign.
  const deliverableId = pending?.deliverableId ?? '';
  const deliverable = deps.campaign.deliverables.find((d) => d.id === deliverableId);
  if (!deliverable || !unit) return { outcome: 'ignored', why: 'unit or deliverable no longer exists' };

  // The copy is written before the record that names it, so no record ever names missing bytes.
  const fileKey = filedKey(unit.code, deliverable.id, object.key, sha256);
  await deps.documents.putAt(fileKey, bytes, verdict.contentType);

  for (let attempt = 1; ; attempt += 1) {
    const pointer = await deps.submissions.pointer(unit.code, deliverable.id);
    // Read afresh: the filing moves the profile's marks too, conditioned on them as read.
    const current = (await deps.units.get(unit.code)) ?? unit;
    const version: SubmissionVersion = {
      unitCode: unit.code,
      deliverableId: deliverable.id,
      version: (pointer?.currentVersion ?? 0) + 1,
      fileKey,
      displayName: verdict.displayName,
      contentType: verdict.contentType,
      size,
      etag: object.etag,
      sha256,
      sourceKey: object.key,
      ...(versionId ? { sourceVersionId: versionId } : {}),
      receivedAt,
      onTime: verdict.onTime,
    };
    try {
      const result = await deps.ledger.accept({
        receipt: { ...receipt, outcome: 'accepted', fileKey, sha256 },
        version,
        district: unit.district,
        profile: filingProfileChange(
          deps.campaign,
          current,
          pointerAfterFiling(pointer, version, unit.district),
        ),
        audit: {
          at: receivedAt,
          actor: unit.code,
          action: 'submission-filed',
          subject: `${unit.code}/${deliverable.id}/v${version.version}`,
          detail: { key: object.key, fileKey, sha256, size, onTime: verdict.onTime },
        },
      });
      if (result === 'duplicate') {
        const first = await deps.ledger.receipt(object.bucket, object.key, object.etag);
        return first ? finishRecorded(deps, first) : { outcome: 'duplicate' };
      }
      await sendReceiptOnce(deps, unit, deliverable, version);
      deps.logger.info('submission filed', {
        unit: unit.code,
        deliverable: deliverable.id,
        version: version.version,
        attempts: attempt,
      });
      return { outcome: 'accepted', version: version.version };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= VERSION_RACE_ATTEMPTS) throw error;
      await jitteredBackoff(attempt);
    }
  }
}
