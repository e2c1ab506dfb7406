import { z } from 'zod';
import { HazardAreaIdSchema, HazardLevelIdSchema } from './campaign.ts';
import { AttachmentKindSchema, HazardReportSchema, SupervisionSchema } from './hazards.ts';
import { RosterRowFieldsSchema } from './roster.ts';

/** Stored records: what the repositories return. Instants are ISO strings in UTC (`Z`). */
const Instant = z.iso.datetime({ offset: false });

/** A unit with the counters that change in the same transaction as its hazards. */
export const UnitRecordSchema = RosterRowFieldsSchema.extend({
  /** The last hazard number handed out; hazard ids are `<unit>-H<nnn>`. */
  hazardSeq: z.number().int().min(0),
  openGeneral: z.number().int().min(0),
  openMajor: z.number().int().min(0),
  /**
   * The unit's hazards as counts (`hazard-tally.ts`), moved in the same transaction as each
   * hazard: the dashboard counts hazards from these without reading them. Stored as one
   * attribute per counter; the repository gathers them here.
   */
  tally: z.record(z.string(), z.number().int()).optional(),
  /** True once the tally counts every hazard of the unit: from its creation, or after a recount. */
  tallied: z.boolean().optional(),
  /** Bumped by every change of the tally, so a recount can tell it raced with one. */
  tallyRev: z.number().int().min(0).optional(),
  /**
   * Set when a roster load moved the unit to another district: what it filed and reported before
   * stays indexed under the old one, so the dashboard reads everything rather than its indexes.
   */
  moved: z.boolean().optional(),
  /**
   * The district rollup item the unit's part is counted in (`rollup.ts`), set from its creation;
   * absent on a unit from a table older than the rollups.
   */
  rollupKey: z.string().optional(),
  /** Bumped by every filing, decision and roster change: what a change of the marks is conditioned on. */
  markRev: z.number().int().min(0).optional(),
  /**
   * Its filings' state fields by deliverable (`FilingMark`), set in the same transaction as each
   * filing and decision. Stored as one attribute per deliverable; the repository gathers them here.
   */
  marks: z
    .record(
      z.string(),
      z.lazy(() => FilingMarkSchema),
    )
    .optional(),
  /** SHA-256 of the unit's current form-link token, if one was issued. */
  linkHash: z.string().optional(),
  /** Bumped by every issue or rotation; the token is derived from it (see `form-links.ts`). */
  linkVersion: z.number().int().min(0).default(0),
  /**
   * Set when a roster load withdrew the unit (it is no longer on the roster): it leaves the daily
   * check and its link answers like an unknown one, but everything it filed is kept. Listing it
   * on the roster again clears this, and its link works again.
   */
  withdrawnAt: Instant.optional(),
  updatedAt: Instant,
});
export type UnitRecord = z.infer<typeof UnitRecordSchema>;

export const LinkRecordSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The unit the link opens; for a reviewer's link, the body the reviewer acts for. */
  unitCode: z.string(),
  /** Set on a named reviewer's link: the link opens only the workspace, as this reviewer. */
  reviewerId: z.string().optional(),
  campaignId: z.string(),
  issuedAt: Instant,
  revokedAt: Instant.optional(),
});
export type LinkRecord = z.infer<typeof LinkRecordSchema>;

/**
 * A supervisor's workspace session (issue 13): opened by the city office's or a district bureau's
 * unit link, or by a named reviewer's link, and carried by an HttpOnly, SameSite=Strict cookie. The
 * table keeps only the session id's SHA-256. Each request re-checks the link that opened it, so
 * rotating or revoking that link, or withdrawing the body, ends the session at once.
 */
export const SessionRecordSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The supervising body the session acts for: the city office, or a district bureau. */
  bodyCode: z.string(),
  /** The named reviewer acting for the body, or null when the body's own unit link opened it. */
  reviewerId: z.string().nullable(),
  /** The hash of the link that opened the session. */
  linkHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The synchronizer token every POST form of the session carries (random, never derived). */
  csrf: z.string(),
  createdAt: Instant,
  /** Refreshed at most every few minutes; a session idle past its limit is over. */
  lastSeenAt: Instant,
  /** The hard end, however active the session. */
  expiresAt: Instant,
});
export type SessionRecord = z.infer<typeof SessionRecordSchema>;

/**
 * A named reviewer (issue 13), listed in the campaign config: one person acting for the city office
 * (scope `city`) or for one district's bureau. `bodyCode` is that body's unit code, found when the
 * reviewer was loaded. Their link works like a unit's: derived, stored by hash, rotated by version.
 */
export const ReviewerRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  /** `city`, or a district code. */
  scope: z.string(),
  bodyCode: z.string(),
  linkHash: z.string().optional(),
  linkVersion: z.number().int().min(0).default(0),
  /** Set when the config no longer lists the reviewer: the link and every session end. */
  withdrawnAt: Instant.optional(),
  updatedAt: Instant,
});
export type ReviewerRecord = z.infer<typeof ReviewerRecordSchema>;

/**
 * A download link for a file too large to mail (a digest's spreadsheet). The mail carries
 * `/d/<token>`; the table keeps only the token's SHA-256. Following the link signs a short-lived
 * S3 download at that moment, so the link outlives the sender's temporary credentials.
 */
export const DownloadLinkSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  fileKey: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  createdAt: Instant,
  expiresAt: Instant,
});
export type DownloadLink = z.infer<typeof DownloadLinkSchema>;

export const SubmissionVersionSchema = z.object({
  unitCode: z.string(),
  deliverableId: z.string(),
  version: z.number().int().min(1),
  /**
   * Where this version's bytes are kept: `files/<unit>/<deliverable>/<upload>/<sha256>`, a copy
   * written once (`If-None-Match: *`) and never touched again. Versions filed before copies were
   * made point at their `incoming/` key.
   */
  fileKey: z.string(),
  displayName: z.string(),
  contentType: z.string(),
  size: z.number().int().min(0),
  /** The ETag of the uploaded object the copy was made from. */
  etag: z.string(),
  /** SHA-256 (hex) of the filed bytes, shown on the receipt and the unit page; absent on old records. */
  sha256: z.string().optional(),
  /** The uploaded object the bytes were read from: its `incoming/` key and S3 version, if versioned. */
  sourceKey: z.string().optional(),
  sourceVersionId: z.string().optional(),
  receivedAt: Instant,
  onTime: z.boolean(),
});
export type SubmissionVersion = z.infer<typeof SubmissionVersionSchema>;

/** A supervisor's verdict on one filed version: sent back for changes (退回修改), or accepted (审核通过). */
export const REVIEW_VERDICTS = ['needs-changes', 'accepted'] as const;
export const ReviewVerdictSchema = z.enum(REVIEW_VERDICTS);
export type ReviewVerdict = z.infer<typeof ReviewVerdictSchema>;

/**
 * One decision on one filed version of a unit's deliverable (`domain/filing/reviews.ts`).
 * Decisions are numbered per deliverable (`seq`, from 1, without gaps): the pointer holds the
 * latest, and every one is also kept as its own item and on the audit log, so the history stays
 * after the unit files again.
 */
export const ReviewDecisionSchema = z.object({
  unitCode: z.string(),
  deliverableId: z.string(),
  seq: z.number().int().min(1),
  version: z.number().int().min(1),
  verdict: ReviewVerdictSchema,
  /** Why it was sent back (required then, 1..500 characters); an optional note when accepted. */
  reason: z.string(),
  /** What the audit trail names: `reviewer:<id>`, or the supervising body's unit code. */
  by: z.string(),
  /** Who decided, as the school reads it: the reviewer's name, or the body's. */
  byName: z.string(),
  /** The supervising body (the city office or a district bureau) the decision was made for. */
  body: z.string(),
  at: Instant,
});
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>;

/** Which version of a deliverable is current; older versions stay stored. */
export const SubmissionPointerSchema = z.object({
  unitCode: z.string(),
  district: z.string().nullable(),
  deliverableId: z.string(),
  currentVersion: z.number().int().min(1),
  firstReceivedAt: Instant,
  currentReceivedAt: Instant,
  /** Whether the first filing was on time: a late re-upload does not make an on-time filing late. */
  firstOnTime: z.boolean(),
  /**
   * The latest review decision on this deliverable. It speaks for the current version only when
   * `review.version === currentVersion`: a new filing makes it stale by construction.
   */
  review: ReviewDecisionSchema.optional(),
});
export type SubmissionPointer = z.infer<typeof SubmissionPointerSchema>;

/** A filing's state fields, mirrored on its unit's profile (`rollup.ts`). */
export const FilingMarkSchema = SubmissionPointerSchema.pick({
  currentVersion: true,
  firstReceivedAt: true,
  currentReceivedAt: true,
  firstOnTime: true,
  review: true,
});

/**
 * `closed`: closed out (销号). `withdrawn`: the reporting unit withdrew the report while it was
 * only registered (a wrong report); terminal, it counts nowhere as open, but the record and its
 * history stay.
 */
export const HAZARD_STATUSES = [
  'registered',
  'rectifying',
  'awaiting-acceptance',
  'closed',
  'withdrawn',
] as const;
export const HazardStatusSchema = z.enum(HAZARD_STATUSES);

export const HazardPhotoSchema = z.object({
  key: z.string(),
  /** `before`: the hazard as found; `after`: rectified; `plan`: the contingency plan as a document. */
  kind: AttachmentKindSchema,
  displayName: z.string(),
  /** The type its content was checked to be. */
  contentType: z.string(),
  addedAt: Instant,
});
export type HazardPhoto = z.infer<typeof HazardPhotoSchema>;

export const HazardRecordSchema = z.object({
  id: z.string(),
  unitCode: z.string(),
  district: z.string().nullable(),
  area: HazardAreaIdSchema,
  level: HazardLevelIdSchema,
  status: HazardStatusSchema,
  title: z.string(),
  /** Optimistic-lock counter; also the sequence number of the latest history entry. */
  version: z.number().int().min(1),
  createdAt: Instant,
  updatedAt: Instant,
  /** The report as the school filed it (and as later edits changed it). */
  report: HazardReportSchema,
  /** Listed supervision; every major hazard has it, general ones never. */
  supervision: SupervisionSchema.nullable(),
  photos: z.array(HazardPhotoSchema),
  /** The school's account of its rectification, when it asked for acceptance. */
  rectification: z.object({ note: z.string(), at: Instant }).optional(),
  /** The last refused acceptance: the hazard stays on the books (继续挂账). */
  refusal: z.object({ reason: z.string(), by: z.string(), at: Instant }).optional(),
  closedAt: Instant.optional(),
  /** Why, when and by whom the report was withdrawn (status `withdrawn`). */
  withdrawal: z.object({ reason: z.string(), by: z.string(), at: Instant }).optional(),
});
export type HazardRecord = z.infer<typeof HazardRecordSchema>;

export const HazardChangeSchema = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });

/** One append-only entry in a hazard's history: nothing ever overwrites an old value. */
export const HazardHistoryEntrySchema = z.object({
  hazardId: z.string(),
  seq: z.number().int().min(1),
  at: Instant,
  /** The unit whose link made the change (the school, its district bureau or the city). */
  byUnit: z.string(),
  action: z.string(),
  changes: z.array(HazardChangeSchema),
  note: z.string().optional(),
  /** Made after the hazard drive closed: allowed, but marked. */
  afterClose: z.boolean(),
});
export type HazardHistoryEntry = z.infer<typeof HazardHistoryEntrySchema>;

/**
 * A report form's one-time key, written in the same transaction as the hazard it created: the
 * same key again (a replay, a double click) finds it and answers with that hazard.
 */
export const HazardFormKeySchema = z.object({
  unitCode: z.string(),
  formKey: z.uuid(),
  hazardId: z.string(),
  /** SHA-256 of the validated report: the same key with other content is not a replay. */
  fingerprint: z.string(),
  at: Instant,
});
export type HazardFormKey = z.infer<typeof HazardFormKeySchema>;

/**
 * A mail owed because of a hazard (transactional outbox): written in the same DynamoDB
 * transaction as the hazard change that owes it, so a crash after the commit cannot lose it; sent
 * at once after the commit and by the outbox sweep (every minute) if that did not happen, each
 * time through the mail log's claim (`sendOnce`), so no retry or concurrent sweep sends it twice.
 * `hazard-receipt`: to the reporting unit, for every report. `major-hazard`: to the supervisor,
 * when a hazard is reported as major or becomes major (edit or reclassification).
 */
export const OutboxItemSchema = z.object({
  /** Unique per mail: `<kind>#<hazard id>#v<hazard version>`; also the mail's purpose in the mail log. */
  id: z.string(),
  kind: z.enum(['hazard-receipt', 'major-hazard']),
  unitCode: z.string(),
  hazardId: z.string(),
  /** The hazard's version whose change owed the mail. */
  hazardVersion: z.number().int().min(1),
  /** The unit the mail goes to, and its address as it was when the mail was owed (the mail's key). */
  recipientUnit: z.string(),
  recipient: z.string(),
  /** The campaign day the mail was owed: the day of its mail-log key. */
  day: z.string(),
  createdAt: Instant,
  /** Set once the mail went out (or was refused for good, or found sent already): it leaves the sweep's index. */
  doneAt: Instant.optional(),
  outcome: z.enum(['sent', 'refused']).optional(),
});
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

export const AuditEventSchema = z.object({
  id: z.string(),
  at: Instant,
  /** Who acted: a unit code, `system`, or `admin`. */
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  detail: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const MailRecordSchema = z.object({
  /** The campaign day the mail belongs to, e.g. the scheduled run's day. */
  day: z.string(),
  purpose: z.string(),
  recipient: z.string(),
  /**
   * `sending`: claimed just before the send (`claimed` is the same, written before runs held
   * leases). `refused`: the mail server refused every recipient for good (SMTP 5xx); final, as a
   * resend would be refused again: the bounce is listed until the contact is fixed.
   */
  status: z.enum(['claimed', 'sending', 'sent', 'failed', 'refused']),
  claimedAt: Instant,
  /** Real time (epoch ms) until which the claim holds; past it, the claimer is presumed dead. */
  leaseUntil: z.number().int().optional(),
  /** The run (its lease holder id) that claimed it, when claimed under a run lease. */
  holder: z.string().optional(),
  /** Set when this send repeats one a dead run had started: the mail may have gone out twice. */
  inDoubt: z.boolean().optional(),
  sentAt: Instant.optional(),
  messageId: z.string().optional(),
  error: z.string().optional(),
});
export type MailRecord = z.infer<typeof MailRecordSchema>;

export const EXPORT_JOB_STATUSES = ['pending', 'running', 'done', 'failed'] as const;

/**
 * A supervisor's documents export (issue 13): every document in the asking body's scope as one
 * ZIP, written by the export-jobs function rather than inside an HTTP request (API Gateway waits
 * 30 s, a province's archive takes minutes). Its id is derived from the form that asked for it
 * (`domain/filing/export-jobs.ts`), so a double click or a reused form is one job. While
 * `pending` or `running` it is listed in the sparse gsi1 collection `EXPORTS`; `done` and
 * `failed` leave it. A run holds it by a lease on real time (`holder`, `leaseUntil`, epoch ms);
 * `attempts` counts the runs that claimed it.
 */
export const ExportJobSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  /** The supervising body whose scope is exported (the city office or a district bureau). */
  bodyCode: z.string(),
  /** Who asked, as the audit trail names them (`reviewer:<id>` or the body's code). */
  actor: z.string(),
  allVersions: z.boolean(),
  requestedAt: Instant,
  status: z.enum(EXPORT_JOB_STATUSES),
  attempts: z.number().int().min(0),
  holder: z.string().optional(),
  leaseUntil: z.number().int().optional(),
  startedAt: Instant.optional(),
  finishedAt: Instant.optional(),
  /** Once done: where the archive is, its download name, its size and the files in it. */
  result: z
    .object({
      key: z.string(),
      fileName: z.string(),
      size: z.number().int().min(0),
      count: z.number().int().min(0),
    })
    .optional(),
  /** Why the last run failed (a retry may follow), or, once `failed`, why it gave up. */
  error: z.object({ zh: z.string(), en: z.string() }).optional(),
});
export type ExportJob = z.infer<typeof ExportJobSchema>;

/** The lease on one scheduled day's daily check (`RUN#<day>`); see `RunLeases`. */
export const RunLeaseRecordSchema = z.object({
  day: z.string(),
  status: z.enum(['running', 'done']),
  holder: z.string(),
  /** Real time (epoch ms) until which the holder holds the day. */
  leaseUntil: z.number().int(),
  doneAt: Instant.optional(),
});
export type RunLeaseRecord = z.infer<typeof RunLeaseRecordSchema>;

/**
 * One uploaded object (bucket, key, ETag) that was processed; its key makes redelivery a no-op.
 * It is read before anything is judged, so a redelivered event never judges an object again.
 */
export const UploadReceiptSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  etag: z.string(),
  size: z.number().int().min(0),
  receivedAt: Instant,
  /** The S3 version read, where the bucket is versioned. */
  versionId: z.string().optional(),
  /**
   * What became of it (absent on old receipts): accepted (a version, a photo or an import),
   * rejected (quarantined), or ignored (set aside unrecorded, e.g. its unit was withdrawn).
   */
  outcome: z.enum(['accepted', 'rejected', 'ignored']).optional(),
  /** For an accepted object: where its bytes were filed, and their SHA-256. */
  fileKey: z.string().optional(),
  sha256: z.string().optional(),
  /** For a refused one: where it is (or is being) quarantined. */
  quarantineKey: z.string().optional(),
});
export type UploadReceipt = z.infer<typeof UploadReceiptSchema>;

/**
 * An upload the server prepared (the presigned POST it handed out). The upload-received function
 * finds it by object key: a key it does not know is not an upload of ours.
 */
export const PendingUploadSchema = z.object({
  key: z.string(),
  unitCode: z.string(),
  deliverableId: z.string(),
  displayName: z.string(),
  /** The accepted type the name promised; null when the name is unknown (a form without script). */
  fileType: z.string().nullable(),
  /** Set for a hazard workbook to import (then `deliverableId` is empty). */
  hazardImport: z.boolean().optional(),
  /** Set for a photo of a hazard (then `deliverableId` is empty). */
  hazard: z.object({ id: z.string(), photoKind: AttachmentKindSchema }).optional(),
  /** Set for the document of a summons or circular against the unit (then `deliverableId` is empty). */
  sanction: z.object({ id: z.string(), recordedAt: Instant, bodyCode: z.string().optional() }).optional(),
  createdAt: Instant,
  /** After this the presigned form is void, and an object arriving under the key is refused. */
  expiresAt: Instant,
});
export type PendingUpload = z.infer<typeof PendingUploadSchema>;

export const REJECTION_REASONS = [
  'unknown-upload',
  'expired',
  'empty',
  'too-large',
  'type-not-accepted',
  'type-mismatch',
  'closed',
] as const;
export const RejectionReasonSchema = z.enum(REJECTION_REASONS);
export type RejectionReason = z.infer<typeof RejectionReasonSchema>;

/** An upload that arrived but was refused after checking; the file sits in quarantine/. */
export const RejectedUploadSchema = z.object({
  unitCode: z.string(),
  deliverableId: z.string(),
  displayName: z.string(),
  reason: RejectionReasonSchema,
  size: z.number().int().min(0),
  receivedAt: Instant,
  quarantineKey: z.string(),
});
export type RejectedUpload = z.infer<typeof RejectedUploadSchema>;

/**
 * A zero report (零报告): the unit confirms its self-check found no hazards, as of a date. It is
 * recorded, unlike silence, and withdrawn (kept, marked) once a hazard is reported after all.
 */
export const ZeroReportSchema = z.object({
  unitCode: z.string(),
  checkedOn: z.string(),
  confirmedAt: Instant,
  withdrawnAt: Instant.optional(),
  /** The hazard whose report withdrew it, if that is what did. */
  withdrawnFor: z.string().optional(),
});
export type ZeroReport = z.infer<typeof ZeroReportSchema>;

export const ImportErrorSchema = z.object({
  row: z.number().int(),
  column: z.string(),
  zh: z.string(),
  en: z.string(),
});

/**
 * One uploaded hazard workbook, keyed by the file's ETag (its content): the same file uploaded
 * again finds this record and imports nothing twice.
 */
export const HazardImportSchema = z.object({
  unitCode: z.string(),
  etag: z.string(),
  fileName: z.string(),
  status: z.enum(['rejected', 'importing', 'imported']),
  rowCount: z.number().int().min(0),
  /** Every error by row and column (the first 500), when rejected. */
  errors: z.array(ImportErrorSchema),
  /** The first hazard number reserved for the rows; row i becomes number firstSeq + i. */
  firstSeq: z.number().int().optional(),
  createdAt: Instant,
  finishedAt: Instant.optional(),
});
export type HazardImport = z.infer<typeof HazardImportSchema>;

/**
 * A recipient address whose mail bounced for good or drew a complaint: from SES's bounce and
 * complaint notifications, or from an SMTP server refusing the recipient (5xx) at send time.
 * Keyed on the address (lower case), so a unit whose contact changes has none. Each feedback id
 * (SES's, or one per refused SMTP send) counts once.
 */
export const MailBounceSchema = z.object({
  address: z.string(),
  kind: z.enum(['bounce', 'complaint']),
  /** SES's bounce subtype (`General`, `NoEmail`, `Suppressed`, …) or complaint feedback type; `SMTP 550` for SMTP. */
  subtype: z.string(),
  /** The receiving server's words (SES's diagnostic code, the SMTP reply), shortened. */
  diagnostic: z.string(),
  source: z.enum(['ses', 'smtp']),
  firstSeenAt: Instant,
  lastSeenAt: Instant,
  count: z.number().int().min(1),
  /** The message id of the mail that last bounced (SES's, or the SMTP transport's). */
  messageId: z.string(),
  /** The last time mail to the address was accepted after it bounced (SMTP only; SES reports no delivery here). */
  deliveredAt: Instant.optional(),
});
export type MailBounce = z.infer<typeof MailBounceSchema>;

export const SANCTION_KINDS = ['summons', 'circular'] as const;
export const SanctionKindSchema = z.enum(SANCTION_KINDS);
export type SanctionKind = z.infer<typeof SanctionKindSchema>;

/**
 * A summons (约谈) or circular (通报) decision the city office, or a district bureau for its own
 * district, recorded against a unit (issue 13). Kept on the unit's partition, listed in the
 * `SANCTIONS` collection for the digest; never changed once stored. `formKey` is the one-time key
 * of the form that recorded it: the same key again (a double click, a retry) finds this record.
 */
export const SanctionRecordSchema = z.object({
  /** The form's one-time key (a UUID) doubles as the decision's id. */
  id: z.uuid(),
  unitCode: z.string(),
  /** The unit's district when recorded (null: a directly affiliated unit). */
  district: z.string().nullable(),
  kind: SanctionKindSchema,
  /** The day of the summons or of the circular, on the campaign calendar. */
  date: z.string(),
  reason: z.string(),
  /** The supervising body that decided: the city office's or a district bureau's unit code. */
  bodyCode: z.string(),
  /** Who recorded it, as the audit trail names them (`reviewer:<id>` or the body's code). */
  actor: z.string(),
  recordedAt: Instant,
  /**
   * The decision's document (the summons notice, the circular), uploaded after the decision is
   * recorded; a later upload replaces it. The only part of a decision that changes.
   */
  document: z
    .object({
      key: z.string(),
      displayName: z.string(),
      contentType: z.string(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      addedAt: Instant,
    })
    .optional(),
});
export type SanctionDocument = NonNullable<z.infer<typeof SanctionRecordSchema>['document']>;
export type SanctionRecord = z.infer<typeof SanctionRecordSchema>;
