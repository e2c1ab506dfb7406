import type { Readable } from 'node:stream';
import type { Campaign } from '../../schemas/campaign.ts';
import type { UnitType } from '../../schemas/primitives.ts';
import type {
  AuditEvent,
  DownloadLink,
  ExportJob,
  HazardFormKey,
  HazardHistoryEntry,
  HazardImport,
  HazardRecord,
  LinkRecord,
  MailBounce,
  MailRecord,
  OutboxItem,
  PendingUpload,
  RejectedUpload,
  ReviewDecision,
  ReviewerRecord,
  SanctionDocument,
  SanctionRecord,
  SessionRecord,
  SubmissionPointer,
  SubmissionVersion,
  UnitRecord,
  UploadReceipt,
  ZeroReport,
} from '../../schemas/records.ts';
import type { RosterRow } from '../../schemas/roster.ts';
import type { Bilingual } from '../../schemas/validation.ts';
import type { HazardTally } from './domain/hazards/hazard-tally.ts';
import type { Counters, ProfileChange, RollupRules } from './domain/report/rollup.ts';

export type { ProfileChange, RollupRules };

/**
 * The small interfaces the domain and handlers depend on. The DynamoDB, S3 and mail adapters
 * implement them; tests may pass their own.
 */
export interface Page<T> {
  items: T[];
  /** Opaque; pass it back to get the next page. Absent on the last page. */
  cursor?: string;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

export interface CampaignRepository {
  save(campaign: Campaign): Promise<void>;
  get(): Promise<Campaign | null>;
}

export interface UnitRepository {
  /**
   * Creates the unit or refreshes its roster fields; its counters and link are kept, and a
   * withdrawn unit is listed again.
   */
  upsertFromRoster(row: RosterRow, now: Date, rules: RollupRules): Promise<void>;
  /** Marks the unit withdrawn from the roster; a unit already withdrawn keeps its first date. */
  withdraw(code: string, now: Date, rules: RollupRules): Promise<void>;
  get(code: string): Promise<UnitRecord | null>;
  /** The units of `codes` that exist, in no particular order (one batched read, for a page's rows). */
  getMany(codes: readonly string[]): Promise<UnitRecord[]>;
  /**
   * One page of a district's counted units in a lag index (`dashboard-rolled.ts`): `owed`, the
   * units that owe a deliverable by the earliest due date; `lag`, every unit by its most days late.
   */
  lagging(district: string | null, index: 'owed' | 'lag', page?: PageRequest): Promise<Page<UnitRecord>>;
  /** Units by district and type; `district: null` lists the directly affiliated units. */
  list(filter: { district?: string | null }, page?: PageRequest): Promise<Page<UnitRecord>>;
  /** Every unit, or one district's (`null`: the city's own), or one type's within it, in index order. */
  all(filter?: { district: string | null; type?: UnitType }): AsyncIterable<UnitRecord>;
  /**
   * Reserves `count` hazard numbers with one atomic counter update; returns the first. Numbers are
   * never handed out twice; one reserved by a request that then fails stays unused (a gap).
   */
  reserveHazardSeq(code: string, count: number): Promise<number>;
  /**
   * Sets the unit's tally to `tally` (counted from its hazards) and marks it complete, only while
   * no hazard change moved the tally since `unit` was read (`tallyRev`); else `ConflictError`.
   */
  replaceTally(unit: UnitRecord, tally: HazardTally): Promise<void>;
  /**
   * Puts a unit from before the rollups into its district's rollup: its marks (`unit.marks`, read
   * from its pointers), rollup key and lag keys, and its part added to the rollup, only while its
   * tally and marks are as read (`tallyRev`, `markRev`); else `ConflictError`.
   */
  admitToRollup(unit: UnitRecord, rules: RollupRules): Promise<void>;
}

/** The district rollups (`rollup.ts`), read whole: about a hundred items. */
export interface RollupRepository {
  /** Every rollup item, and whether the rollups are complete (every counted unit has its part in one). */
  read(): Promise<{ ready: boolean; items: { key: string; district: string | null; counters: Counters }[] }>;
  /** Marks the rollups complete or not, as the roster load found them. */
  setReady(ready: boolean): Promise<void>;
}

export interface LinkRepository {
  /**
   * Makes `hash` the unit's link and revokes the one it replaces, atomically. `replacing` is the
   * hash the caller saw (undefined for the first link); if another issue raced it, `ConflictError`.
   */
  issue(
    link: { unitCode: string; campaignId: string; hash: string; linkVersion: number; replacing?: string },
    now: Date,
  ): Promise<void>;
  revoke(unitCode: string, hash: string, now: Date): Promise<void>;
  find(hash: string): Promise<LinkRecord | null>;
}

/** Workspace sessions, by the SHA-256 of their id (`domain/links/sessions.ts`). */
export interface SessionRepository {
  /** Stores a new session; its hash is of a fresh random id, so it never exists yet. */
  create(session: SessionRecord): Promise<void>;
  get(hash: string): Promise<SessionRecord | null>;
  /** Moves `lastSeenAt` to `at` if it is still before `staleBefore` (a no-op otherwise, and for an ended session). */
  touch(hash: string, at: string, staleBefore: string): Promise<void>;
  /** Ends the session; ending one already ended is a no-op. */
  end(hash: string): Promise<void>;
}

/** The named reviewers of the campaign config, and their links. */
export interface ReviewerRepository {
  /** Creates the reviewer or refreshes name, e-mail and scope from the config; a withdrawn one returns. */
  upsert(
    reviewer: Pick<ReviewerRecord, 'id' | 'name' | 'email' | 'scope' | 'bodyCode'>,
    now: Date,
  ): Promise<void>;
  /** Marks the reviewer withdrawn (no longer in the config): the link stops working. */
  withdraw(id: string, now: Date): Promise<void>;
  get(id: string): Promise<ReviewerRecord | null>;
  all(): AsyncIterable<ReviewerRecord>;
  /**
   * Makes `hash` the reviewer's link and revokes the one it replaces, atomically, like
   * `LinkRepository.issue`; a raced issue is a `ConflictError`.
   */
  issueLink(
    link: {
      reviewerId: string;
      bodyCode: string;
      campaignId: string;
      hash: string;
      linkVersion: number;
      replacing?: string;
    },
    now: Date,
  ): Promise<void>;
}

export interface SubmissionRepository {
  /** Adds `version` (which must be the next number) and makes it current, atomically. */
  addVersion(version: SubmissionVersion, district: string | null, profile: ProfileChange): Promise<void>;
  pointer(unitCode: string, deliverableId: string): Promise<SubmissionPointer | null>;
  version(unitCode: string, deliverableId: string, version: number): Promise<SubmissionVersion | null>;
  versions(unitCode: string, deliverableId: string, page?: PageRequest): Promise<Page<SubmissionVersion>>;
  /** Pointers of every unit that filed `deliverableId`. */
  filers(deliverableId: string, page?: PageRequest): Promise<Page<SubmissionPointer>>;
  /** Every filer of `deliverableId`, or one district's (`null`: the directly affiliated units). */
  allFilers(deliverableId: string, filter?: { district: string | null }): AsyncIterable<SubmissionPointer>;
  /**
   * Records `decision` as the deliverable's latest review, with its numbered item and `audit`,
   * in one transaction: only while `decision.version` is the current version and the pointer's
   * latest decision is number `decision.seq - 1` (none when it is 1). Otherwise `ConflictError`;
   * the caller re-reads the pointer to tell a repeat, a newer filing and a rival decision apart.
   */
  decide(decision: ReviewDecision, audit: Omit<AuditEvent, 'id'>, profile: ProfileChange): Promise<void>;
  /** Every decision on the deliverable, oldest first (on every version, kept after refiling). */
  decisions(unitCode: string, deliverableId: string, page?: PageRequest): Promise<Page<ReviewDecision>>;
}

export interface CounterDelta {
  openGeneral?: number;
  openMajor?: number;
  /** How the unit's hazard tally moves (`hazard-tally.ts`), counter by counter. */
  tally?: HazardTally;
}

export interface HazardRepository {
  /**
   * Stores a new hazard (version 1) under a number from `UnitRepository.reserveHazardSeq`, with
   * its first history entry, `delta` on the unit's counters and the report form's one-time key,
   * all in one transaction. A key stored already refuses the whole write (`ConflictError`).
   */
  create(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    delta: CounterDelta,
    formKey: Pick<HazardFormKey, 'formKey' | 'fingerprint'>,
    /** Mails the report owes (receipt, supervisor's notice), written in the same transaction. */
    outbox?: readonly OutboxItem[],
  ): Promise<void>;
  /** What a report form's one-time key created, if it was used. */
  formKey(unitCode: string, formKey: string): Promise<HazardFormKey | null>;
  /** Replaces the hazard if its stored version is `hazard.version - 1`, appending `entry` (and `outbox`, in the same transaction). */
  update(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    delta: CounterDelta,
    outbox?: readonly OutboxItem[],
  ): Promise<void>;
  /**
   * Stores a new hazard under a number reserved beforehand, with the mails it owes (`outbox`) in
   * the same transaction; the counters are the caller's (see imports).
   */
  createReserved(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    outbox?: readonly OutboxItem[],
  ): Promise<void>;
  get(unitCode: string, id: string): Promise<HazardRecord | null>;
  history(unitCode: string, id: string, page?: PageRequest): Promise<Page<HazardHistoryEntry>>;
  /** A unit's hazards, read consistently (a report shows at once; a recount misses none). */
  listForUnit(unitCode: string, page?: PageRequest): Promise<Page<HazardRecord>>;
  /** The major hazards listed for supervision by `supervisor`. */
  supervisedBy(supervisor: string, page?: PageRequest): Promise<Page<HazardRecord>>;
  /** All hazards, or one district's (`null` for the directly affiliated units). */
  list(filter: { district?: string | null }, page?: PageRequest): Promise<Page<HazardRecord>>;
  all(): AsyncIterable<HazardRecord>;
}

/** Mails owed for hazards (a transactional outbox): written with the change that owes them, swept until done. */
export interface Outbox {
  get(unitCode: string, id: string): Promise<OutboxItem | null>;
  /** The items not yet done, oldest first. */
  pending(page?: PageRequest): Promise<Page<OutboxItem>>;
  /** The mail went out (or was found sent, or was refused for good): the sweep no longer sees it. Idempotent. */
  markDone(item: OutboxItem, outcome: 'sent' | 'refused', at: Date): Promise<void>;
}

export interface ZeroReportRepository {
  get(unitCode: string): Promise<ZeroReport | null>;
  /** Records (or renews) the unit's zero report; refused while the unit has open or any hazards is the caller's rule. */
  confirm(report: ZeroReport, district: string | null): Promise<void>;
  all(): AsyncIterable<ZeroReport>;
  /** Marks the current zero report withdrawn; a no-op when there is none or it is already withdrawn. */
  withdraw(unitCode: string, at: Date, forHazard?: string): Promise<void>;
}

export interface HazardImportRepository {
  get(unitCode: string, etag: string): Promise<HazardImport | null>;
  /** Stores a rejected or an in-progress import (an in-progress one only if none is stored). */
  save(record: HazardImport): Promise<void>;
  /** Marks an in-progress import done and adds its hazards to the unit's counters, atomically, once. */
  complete(record: HazardImport, delta: CounterDelta, at: Date): Promise<void>;
  list(unitCode: string): Promise<HazardImport[]>;
}

/** Summons and circular decisions (约谈/通报), never changed once stored. */
export interface SanctionRepository {
  /**
   * Stores the decision, its form's one-time key and its audit event in one transaction:
   * 'duplicate' (nothing written) when that key was used already, by an earlier or a concurrent post.
   */
  record(sanction: SanctionRecord, audit: Omit<AuditEvent, 'id'>): Promise<'recorded' | 'duplicate'>;
  /** The decision a form's one-time key recorded, if it was used. */
  byFormKey(unitCode: string, formKey: string): Promise<SanctionRecord | null>;
  /** A unit's decisions, oldest first. */
  listForUnit(unitCode: string): Promise<SanctionRecord[]>;
  /**
   * Sets the decision's document, unless it holds one added later (an older upload's event
   * delivered late, or again): 'attached', or 'kept' when the stored one is as new or newer.
   */
  attachDocument(
    sanction: Pick<SanctionRecord, 'unitCode' | 'recordedAt' | 'id'>,
    document: SanctionDocument,
  ): Promise<'attached' | 'kept'>;
  /** Every decision, or one district's (`null`: the directly affiliated units), by district, unit, time. */
  list(filter: { district?: string | null }): AsyncIterable<SanctionRecord>;
  all(): AsyncIterable<SanctionRecord>;
}

export interface AuditLog {
  append(event: Omit<AuditEvent, 'id'>): Promise<AuditEvent>;
  listDay(day: string, page?: PageRequest): Promise<Page<AuditEvent>>;
}

/** A file written to scratch space (a digest's spreadsheet): read whole to attach, or streamed to S3. */
export interface ScratchFile {
  size: number;
  bytes(): Promise<Uint8Array>;
  stream(): Readable;
  dispose(): Promise<void>;
}

export interface DownloadLinkRepository {
  /** Stores a new link (its hash is of a fresh random token); it is dropped some time after expiry. */
  create(link: DownloadLink): Promise<void>;
  find(hash: string): Promise<DownloadLink | null>;
}

export interface PendingUploadRepository {
  put(pending: PendingUpload): Promise<void>;
  get(key: string): Promise<PendingUpload | null>;
}

/**
 * What became of each uploaded object. Each method writes, in one transaction, the receipt of
 * (bucket, key, ETag), the outcome and its audit event; a receipt seen before makes it a no-op
 * returning 'duplicate'. `accept` throws `ConflictError` if another version won the race.
 */
export interface UploadLedger {
  accept(input: {
    receipt: UploadReceipt;
    version: SubmissionVersion;
    district: string | null;
    audit: Omit<AuditEvent, 'id'>;
    /** The unit's profile and rollup change, in the same transaction (`filingProfileChange`). */
    profile: ProfileChange;
  }): Promise<'recorded' | 'duplicate'>;
  reject(input: {
    receipt: UploadReceipt;
    rejection: RejectedUpload;
    audit: Omit<AuditEvent, 'id'>;
  }): Promise<'recorded' | 'duplicate'>;
  /**
   * Writes only the receipt, for an object whose outcome is kept elsewhere (a hazard photo, an
   * import) or that was set aside (a withdrawn unit's): the sweep then knows it was seen.
   */
  note(receipt: UploadReceipt): Promise<'recorded' | 'duplicate'>;
  /** The receipt of an object already processed (accepted or refused), or null. */
  receipt(bucket: string, key: string, etag: string): Promise<UploadReceipt | null>;
  /** A unit's refused uploads, newest first. */
  rejections(unitCode: string, page?: PageRequest): Promise<Page<RejectedUpload>>;
}

/** Counts bad form-link tokens per source in fixed windows (a TTL cleans up). */
export interface BadTokenCounter {
  /**
   * Counts one bad token and returns the window's count including it, in one atomic update:
   * of N concurrent calls, exactly one sees each count 1..N.
   */
  add(source: string, now: Date): Promise<number>;
}

/**
 * `claimed`: this caller may send. `sent`: it went out before. `in-flight`: an unfenced claim
 * (a receipt) is still live; its lease decides when it may be claimed again. `fenced`: the run
 * lease named in the claim is no longer held by this run, so it may send nothing more.
 * `inDoubt` is set on a `claimed` mail that a dead run had marked `sending`: it may have gone out.
 */
export type ClaimResult =
  | { result: 'claimed'; inDoubt: boolean }
  | { result: 'sent' }
  | { result: 'in-flight' }
  | { result: 'fenced' };

/** The run lease a claim is made under: `holder` must still hold `RUN#<day>` when the claim is written. */
export interface RunFence {
  day: string;
  holder: string;
}

export interface MailLog {
  /**
   * Claims the right to send one mail, once per (day, purpose, recipient), marking it `sending`
   * just before the send; a failed send, or one a dead run left `sending`, may be claimed again.
   * With a `fence`, the claim is written only while the fence's run lease is held (one
   * transaction), and a `sending` left by another holder is taken over at once (that run lost
   * the lease, so it is dead or fenced off). Without one (receipts), a `sending` claim holds
   * for `CLAIM_LEASE_MS` of real time. `now` is the campaign time recorded.
   */
  claim(day: string, purpose: string, recipient: string, now: Date, fence?: RunFence): Promise<ClaimResult>;
  markSent(day: string, purpose: string, recipient: string, messageId: string, now: Date): Promise<void>;
  markFailed(day: string, purpose: string, recipient: string, error: string): Promise<void>;
  /** Every recipient was refused for good: final, never claimed again. */
  markRefused(day: string, purpose: string, recipient: string, error: string): Promise<void>;
  get(day: string, purpose: string, recipient: string): Promise<MailRecord | null>;
  /** The mails of `day` that did not go out: failed, or left `sending` by a run that died (lease expired). */
  failedOn(day: string): Promise<MailRecord[]>;
}

/**
 * What acquiring a day's run lease found: `acquired` (this holder runs the day), `done` (a
 * run sent every mail of the day), or `held` (a live run holds it until `until`, real epoch ms).
 */
export type RunLeaseResult =
  | { outcome: 'acquired' }
  | { outcome: 'done' }
  | { outcome: 'held'; until: number };

/**
 * One lease per scheduled day (`RUN#<day>`), on real time, so that one run at a time works a
 * day: a dead holder blocks it for at most one lease, a live one renews it and is never
 * overtaken, and every mail claim checks it (`RunFence`).
 */
export interface RunLeases {
  /** The lease's length in ms; the holder renews it at a third of it. */
  readonly leaseMs: number;
  acquire(day: string, holder: string): Promise<RunLeaseResult>;
  /** Extends the lease; false when `holder` no longer holds it (it ran out and another run took it). */
  renew(day: string, holder: string): Promise<boolean>;
  /** Marks the day done (every mail sent), or releases the lease so the next run may start at once. */
  finish(day: string, holder: string, done: boolean): Promise<void>;
}

export interface StoredObject {
  key: string;
  size: number;
  etag: string;
  contentType?: string;
  metadata: Record<string, string>;
}

/** An object as a listing shows it. */
export interface ListedObject {
  key: string;
  etag: string;
  size: number;
  lastModified: Date;
  /** The object's version, in a versioned bucket: a sweep feeds each version as its own event. */
  versionId?: string;
}

/** The outcome of reading one exact object (see `DocumentStore.readExact`). */
export type ExactRead =
  | { status: 'read'; bytes: Uint8Array; etag: string; versionId?: string }
  /** Larger than the limit asked: not read, only its size is known. */
  | { status: 'too-large'; size: number; etag: string; versionId?: string }
  /** The key now holds another object (412 or NoSuchVersion): the one asked for is no longer there. */
  | { status: 'changed' }
  | { status: 'gone' };

/** Uploaded files. Keys are immutable: every write is a new object; metadata lives in DynamoDB. */
export interface DocumentStore {
  /** Writes `body` under a new key `<prefix>/<uuid>` and returns it. Never overwrites. */
  putNew(input: {
    prefix: string;
    body: Uint8Array | string;
    contentType: string;
    metadata?: Record<string, string>;
  }): Promise<StoredObject>;
  /**
   * Streams a body of any size under a fresh key, in 5 MB parts (multipart), never held whole.
   * `size` is the body's length if known; otherwise the bytes are counted as they stream.
   */
  upload(input: {
    prefix: string;
    body: Readable;
    size?: number;
    contentType: string;
  }): Promise<StoredObject>;
  head(key: string): Promise<StoredObject | null>;
  /** The whole object as a stream, for readers that stream (the xlsx import). */
  open(key: string): Promise<Readable>;
  /** At most the first `count` bytes, for magic-byte checks without reading the whole file. */
  readFirstBytes(key: string, count: number): Promise<Uint8Array>;
  /**
   * Reads the object at `key` whole, but only if it is the one named by `versionId` (when given)
   * or `etag`, and no larger than `maxBytes`.
   */
  readExact(
    key: string,
    expected: { etag: string; versionId?: string },
    maxBytes: number,
  ): Promise<ExactRead>;
  /**
   * Writes `body` under exactly `key` with `If-None-Match: *`. 'exists' when the key is taken:
   * callers use content-addressed keys, so what is there holds the same bytes.
   */
  putAt(key: string, body: Uint8Array, contentType: string): Promise<'written' | 'exists'>;
  /**
   * Copies the object named by `expected` from `from` to `to`, then deletes `from` only if it
   * still holds that same object; a later object on the key is left alone. Safe to repeat.
   */
  quarantine(from: string, expected: { etag: string; versionId?: string }, to: string): Promise<void>;
  /** Every object under `prefix`, page by page. */
  list(prefix: string): AsyncIterable<ListedObject>;
  /** A browser form that uploads one file straight to storage under `key`, and nothing else. */
  presignPost(input: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
    redirectTo?: string;
  }): Promise<{ url: string; fields: Record<string, string> }>;
  /**
   * A download link that saves the file as `fileName` (or, with `disposition: 'inline'`, opens it
   * in the browser under that name), valid for `expiresInSeconds` (default 300). SigV4 allows at
   * most 7 days, and a link signed with a role's credentials dies with them.
   */
  presignGet(
    key: string,
    fileName: string,
    contentType: string,
    options?: { expiresInSeconds?: number; disposition?: 'inline' | 'attachment' },
  ): Promise<string>;
}

/** One stored file in an archive: where it goes in the archive and which object fills it. */
export interface ArchiveEntry {
  path: string;
  /** The object key in the document store. */
  fileKey: string;
  /** The object's length; the writer fails if the bytes read differ. */
  size: number;
  sha256?: string;
  /** The entry's modification time (ISO instant). */
  modifiedAt: string;
}

/** What an archive holds: small texts made on the spot (written first, whole), then stored files. */
export interface ArchiveContents {
  texts: { path: string; content: string; modifiedAt: string }[];
  entries: ArchiveEntry[];
  /**
   * The zone whose wall-clock time the entries' times are written in: a ZIP's (DOS) times carry
   * no zone, and the people who unpack it read them as their own.
   */
  timeZone: string;
}

/**
 * Writes an archive into storage as one ZIP, streamed: each stored file is read in turn and
 * passed through, so memory stays bounded whatever the archive's size. Every write is a new
 * object under `exports/`, which expires on its own.
 */
export interface DocumentsArchiveWriter {
  write(contents: ArchiveContents): Promise<{ key: string; size: number }>;
}

/**
 * Supervisors' documents export jobs (`ExportJob`). The lease is on real time (the repository's
 * own clock, never the campaign clock, which may be simulated), like the daily check's run lease.
 * Every write after the claim is made only while `holder` still holds the job.
 */
export interface ExportJobRepository {
  /** The lease's length in ms; the holder renews it at a third of it. */
  readonly leaseMs: number;
  /**
   * Stores a new job with its audit event, in one transaction: 'duplicate' (nothing written) when
   * a job of that id exists already (a double click, a form posted again).
   */
  create(job: ExportJob, audit: Omit<AuditEvent, 'id'>): Promise<'created' | 'duplicate'>;
  get(id: string): Promise<ExportJob | null>;
  /** Jobs pending or running, oldest first (a sparse index: done and failed jobs are not in it). */
  waiting(page?: PageRequest): Promise<Page<ExportJob>>;
  /**
   * Takes the job for `holder` if it is pending, or running under a lease that ran out (its run
   * died): counts an attempt and returns the job as claimed; null when another run holds it or it
   * is done or failed.
   */
  claim(id: string, holder: string, now: Date): Promise<ExportJob | null>;
  /** Extends the lease; false when `holder` no longer holds it. */
  renew(id: string, holder: string): Promise<boolean>;
  /** Done, with `audit`, in one transaction, only while `holder` holds it; false when it does not. */
  finish(
    id: string,
    holder: string,
    result: NonNullable<ExportJob['result']>,
    at: Date,
    audit: Omit<AuditEvent, 'id'>,
  ): Promise<boolean>;
  /** Back to pending for a later run (the error kept), only while `holder` holds it. */
  release(id: string, holder: string, error: Bilingual): Promise<boolean>;
  /** Failed for good, only while `holder` holds it. */
  fail(id: string, holder: string, error: Bilingual, at: Date): Promise<boolean>;
}

export interface MailAttachment {
  filename: string;
  content: Uint8Array;
  contentType: string;
}

export interface OutboundMail {
  from: string;
  to: string[];
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /**
   * A stable Message-ID (`<…@host>`), the same on every attempt at this mail, so a repeat can
   * be recognised; SES may replace it, hence also `headers`.
   */
  messageId?: string;
  /** Extra headers, e.g. `X-Campaign-Mail-Key`. */
  headers?: Record<string, string>;
}

/** A mail in the campaign's envelope (`shared/mail/envelope.ts`): its Message-ID and key header set. */
export interface KeyedMail extends OutboundMail {
  messageId: string;
  headers: Record<string, string>;
}

export interface Mailer {
  /**
   * Sends one mail. A recipient the receiving server refuses for good (SMTP 5xx to RCPT TO) is
   * listed in `refused` when others were accepted; when every recipient is refused the send
   * throws `RecipientsRefusedError` (`domain/delivery/mail-bounces.ts`).
   */
  send(mail: OutboundMail): Promise<{ messageId: string; refused?: RefusedRecipient[] }>;
}

/** A recipient refused for good at send time: the SMTP reply code (5xx) and text. */
export interface RefusedRecipient {
  address: string;
  code: number;
  response: string;
}

/** One permanent bounce or complaint of one address, as a notification or a refused send reports it. */
export interface BounceEvent {
  address: string;
  kind: MailBounce['kind'];
  subtype: string;
  diagnostic: string;
  source: MailBounce['source'];
  /** When it happened (ISO instant). */
  at: string;
  messageId: string;
  /** What makes a redelivered notification a no-op: SES's feedback id, or one per refused SMTP send. */
  feedbackId: string;
}

/** Addresses whose mail bounced for good or drew a complaint, keyed on the address (lower case). */
export interface BounceLog {
  /** Counts `event` against its address once per (address, feedback id); a repeat is 'duplicate' and changes nothing. */
  record(event: BounceEvent): Promise<'recorded' | 'duplicate'>;
  /** Notes that mail to `address` was accepted at `at`; a no-op for an address that never bounced. */
  delivered(address: string, at: Date): Promise<void>;
  get(address: string): Promise<MailBounce | null>;
  all(): AsyncIterable<MailBounce>;
}
