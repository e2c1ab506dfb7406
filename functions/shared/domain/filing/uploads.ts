import { randomUUID } from 'node:crypto';
import type { Campaign, Deliverable, FileType } from '../../../../schemas/campaign.ts';
import type { AttachmentKind } from '../../../../schemas/hazards.ts';
import type { PendingUpload, RejectionReason, UnitRecord } from '../../../../schemas/records.ts';
import type { Bilingual, FieldIssue } from '../../../../schemas/validation.ts';
import { isOnTime } from '../calendar/calendar.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { cleanDisplayName } from './file-names.ts';
import { detectSignature, FILE_TYPE_INFO, fileTypeOfExtension, fileTypeOfSignature } from './file-types.ts';

/** A presigned upload form is good for ten minutes. */
export const UPLOAD_FORM_LIFETIME_MS = 10 * 60 * 1000;

export interface UploadRequest {
  deliverableId: string;
  /** The name of the file chosen; absent for a plain HTML form rendered before a file was chosen. */
  fileName?: string | undefined;
  size?: number | undefined;
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function typeList(campaign: Campaign): string {
  return campaign.uploads.acceptedTypes.map((t) => t.toUpperCase()).join(', ');
}

function issue(path: string, value: unknown, code: string, message: Bilingual): FieldIssue {
  return { path, value, code, ...message };
}

/** The deliverables a unit owes, by its type. */
export function deliverablesOf(campaign: Campaign, unit: Pick<UnitRecord, 'type'>): Deliverable[] {
  return campaign.deliverables.filter((d) => d.requiredOf.includes(unit.type));
}

/** True once the campaign's hard close (if any) has passed: uploads are then refused. */
export function isHardClosed(campaign: Campaign, at: Date): boolean {
  const { hardCloseOn } = campaign.uploads;
  return hardCloseOn !== undefined && !isOnTime(at, hardCloseOn, campaign.timeZone);
}

export const HARD_CLOSED = (campaign: Campaign): Bilingual => ({
  zh: `报送已于 ${campaign.uploads.hardCloseOn} 截止，不再接收文件。如有特殊情况，请联系${campaign.organiser.name.zh}。`,
  en: `Filing closed on ${campaign.uploads.hardCloseOn}; no more files are accepted. Contact the ${campaign.organiser.name.en} if you must.`,
});

/** Photos of hazards are images, whatever documents the campaign accepts. */
export const PHOTO_TYPES: readonly FileType[] = ['jpg', 'png'];

/** What a hazard attachment may be: an image for a photo, a document the campaign accepts for a plan. */
export function attachmentTypes(campaign: Campaign, kind: AttachmentKind): readonly FileType[] {
  return kind === 'plan' ? campaign.uploads.acceptedTypes : PHOTO_TYPES;
}

/**
 * Checks a chosen file's name and size against `accepted` types and the campaign's limit. No
 * name (a form rendered before a file was chosen) is fine: the content decides later.
 */
function checkFile(
  campaign: Campaign,
  file: { fileName?: string | undefined; size?: number | undefined },
  accepted: readonly FileType[],
): { issues: FieldIssue[]; name: string | null; fileType: FileType | null } {
  const issues: FieldIssue[] = [];
  const types = accepted.map((t) => t.toUpperCase()).join(', ');
  let name: string | null = null;
  let fileType: FileType | null = null;
  if (file.fileName !== undefined) {
    const cleaned = cleanDisplayName(file.fileName);
    if (typeof cleaned === 'string') {
      const messages: Record<typeof cleaned, Bilingual> = {
        empty: { zh: '文件名为空', en: 'the file name is empty' },
        nul: { zh: '文件名含有非法字符', en: 'the file name holds a forbidden character' },
        'no-extension': {
          zh: `文件名没有扩展名；可接受：${types}`,
          en: `the file name has no extension; accepted: ${types}`,
        },
        'too-long': {
          zh: '文件名过长（超过 255 个字符）',
          en: 'the file name is too long (over 255 characters)',
        },
      };
      issues.push(issue('fileName', file.fileName, `file-name-${cleaned}`, messages[cleaned]));
    } else {
      fileType = fileTypeOfExtension(cleaned.extension, accepted);
      if (!fileType) {
        issues.push(
          issue('fileName', file.fileName, 'file-type', {
            zh: `不接受 .${cleaned.extension} 文件；可接受：${types}`,
            en: `.${cleaned.extension} files are not accepted; accepted: ${types}`,
          }),
        );
      }
      name = cleaned.name;
    }
  }
  if (file.size !== undefined) {
    if (file.size < 1) {
      issues.push(
        issue('size', file.size, 'file-empty', {
          zh: '文件是空的（0 字节）',
          en: 'the file is empty (0 bytes)',
        }),
      );
    } else if (file.size > campaign.uploads.maxBytes) {
      issues.push(
        issue('size', file.size, 'file-too-large', {
          zh: `文件过大：${megabytes(file.size)}，上限 ${megabytes(campaign.uploads.maxBytes)}`,
          en: `the file is too large: ${megabytes(file.size)}; the limit is ${megabytes(campaign.uploads.maxBytes)}`,
        }),
      );
    }
  }
  return { issues, name, fileType };
}

function pendingFor(
  unit: UnitRecord,
  now: Date,
  fields: Pick<PendingUpload, 'deliverableId' | 'displayName' | 'fileType'> &
    Pick<Partial<PendingUpload>, 'hazard' | 'hazardImport' | 'sanction'>,
): PendingUpload {
  return {
    key: `incoming/${unit.code}/${randomUUID()}`,
    unitCode: unit.code,
    ...fields,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + UPLOAD_FORM_LIFETIME_MS).toISOString(),
  };
}

/**
 * Checks an upload request and plans the object: a server-made key under `incoming/<unit>/`,
 * the display name, and when the form expires. Throws `ValidationError` naming each bad field.
 */
export function planUpload(input: {
  campaign: Campaign;
  unit: UnitRecord;
  request: UploadRequest;
  now: Date;
}): PendingUpload {
  const { campaign, unit, request, now } = input;
  if (isHardClosed(campaign, now)) throw new ForbiddenError(HARD_CLOSED(campaign));
  const deliverable = deliverablesOf(campaign, unit).find((d) => d.id === request.deliverableId);
  const file = checkFile(campaign, request, campaign.uploads.acceptedTypes);
  const issues = [...file.issues];
  if (!deliverable) {
    issues.unshift(
      issue('deliverableId', request.deliverableId, 'unknown-deliverable', {
        zh: `“${request.deliverableId}” 不是本单位需要报送的材料`,
        en: `"${request.deliverableId}" is not a deliverable this unit files`,
      }),
    );
  }
  if (issues.length > 0 || !deliverable) throw new ValidationError(issues);
  return pendingFor(unit, now, {
    deliverableId: deliverable.id,
    displayName: file.name ?? deliverable.name.zh,
    fileType: file.fileType,
  });
}

/** Plans the upload of a filled-in hazard workbook: an .xlsx, whatever documents the campaign accepts. */
export function planImportUpload(input: {
  campaign: Campaign;
  unit: UnitRecord;
  file: { fileName?: string | undefined; size?: number | undefined };
  now: Date;
}): PendingUpload {
  const file = checkFile(input.campaign, input.file, ['xlsx']);
  if (file.issues.length > 0) throw new ValidationError(file.issues);
  return pendingFor(input.unit, input.now, {
    deliverableId: '',
    displayName: file.name ?? '隐患清单.xlsx',
    fileType: file.fileType,
    hazardImport: true,
  });
}

/** Plans a photo of one of the unit's hazards: images only, otherwise as a document upload. */
export function planPhotoUpload(input: {
  campaign: Campaign;
  unit: UnitRecord;
  hazardId: string;
  photoKind: AttachmentKind;
  file: { fileName?: string | undefined; size?: number | undefined };
  now: Date;
}): PendingUpload {
  const file = checkFile(input.campaign, input.file, attachmentTypes(input.campaign, input.photoKind));
  if (file.issues.length > 0) throw new ValidationError(file.issues);
  return pendingFor(input.unit, input.now, {
    deliverableId: '',
    displayName: file.name ?? { before: '隐患照片', after: '整改后照片', plan: '应急预案' }[input.photoKind],
    fileType: file.fileType,
    hazard: { id: input.hazardId, photoKind: input.photoKind },
  });
}

/**
 * The document of a summons or circular (约谈/通报) recorded against `unit`: a file of the types
 * the campaign accepts for its deliverables, filed under the unit, attached to the decision.
 */
export function planSanctionDocument(input: {
  campaign: Campaign;
  unit: UnitRecord;
  sanction: { id: string; recordedAt: string; bodyCode: string };
  file: { fileName?: string | undefined; size?: number | undefined };
  now: Date;
}): PendingUpload {
  const file = checkFile(input.campaign, input.file, input.campaign.uploads.acceptedTypes);
  if (file.issues.length > 0) throw new ValidationError(file.issues);
  return pendingFor(input.unit, input.now, {
    deliverableId: '',
    displayName: file.name ?? '约谈通报文件',
    fileType: file.fileType,
    sanction: {
      id: input.sanction.id,
      recordedAt: input.sanction.recordedAt,
      bodyCode: input.sanction.bodyCode,
    },
  });
}

export type UploadVerdict =
  | { ok: true; fileType: FileType; contentType: string; displayName: string; onTime: boolean }
  | { ok: false; reason: RejectionReason };

/**
 * Judges an object that arrived under `incoming/`, after the fact: a POST policy (S3's, or the
 * local front's) cannot see through a renamed .exe, and an SDK write skips the policy entirely.
 * Size and the first bytes decide.
 */
export function judgeUpload(input: {
  campaign: Campaign;
  pending: PendingUpload | null;
  size: number;
  firstBytes: Uint8Array;
  receivedAt: Date;
}): UploadVerdict {
  const { campaign, pending, size, receivedAt } = input;
  const deliverable = campaign.deliverables.find((d) => d.id === pending?.deliverableId);
  if (!pending || (!deliverable && !pending.hazard && !pending.hazardImport && !pending.sanction)) {
    return { ok: false, reason: 'unknown-upload' };
  }
  // The hard close is about filing deliverables; rectification photos are welcome after it.
  if (deliverable && isHardClosed(campaign, receivedAt)) return { ok: false, reason: 'closed' };
  if (receivedAt.getTime() > new Date(pending.expiresAt).getTime()) return { ok: false, reason: 'expired' };
  if (size < 1) return { ok: false, reason: 'empty' };
  if (size > campaign.uploads.maxBytes) return { ok: false, reason: 'too-large' };
  const signature = detectSignature(input.firstBytes);
  const accepted: readonly FileType[] = pending.hazardImport
    ? ['xlsx']
    : pending.hazard
      ? attachmentTypes(campaign, pending.hazard.photoKind)
      : campaign.uploads.acceptedTypes;
  const promised = pending.fileType as FileType | null;
  if (promised && signature !== FILE_TYPE_INFO[promised].signature) {
    return {
      ok: false,
      reason: signature && fileTypeOfSignature(signature, accepted) ? 'type-mismatch' : 'type-not-accepted',
    };
  }
  const fileType = promised ?? (signature ? fileTypeOfSignature(signature, accepted) : null);
  if (!fileType) return { ok: false, reason: 'type-not-accepted' };
  const extension = FILE_TYPE_INFO[fileType].extensions[0] ?? fileType;
  return {
    ok: true,
    fileType,
    contentType: FILE_TYPE_INFO[fileType].contentType,
    displayName: promised ? pending.displayName : `${pending.displayName}.${extension}`,
    onTime: deliverable ? isOnTime(receivedAt, deliverable.dueDate, campaign.timeZone) : true,
  };
}

export function rejectionMessage(reason: RejectionReason, campaign: Campaign): Bilingual {
  const limit = megabytes(campaign.uploads.maxBytes);
  const types = typeList(campaign);
  switch (reason) {
    case 'unknown-upload':
      return { zh: '不是通过本页面发起的上传，已拒收', en: 'not an upload started from this page; refused' };
    case 'expired':
      return {
        zh: '上传表单已过期（10 分钟有效），请刷新页面后重新上传',
        en: 'the upload form had expired (it lasts 10 minutes); reload the page and upload again',
      };
    case 'empty':
      return { zh: '文件是空的（0 字节）', en: 'the file was empty (0 bytes)' };
    case 'too-large':
      return { zh: `文件超过上限 ${limit}`, en: `the file was over the ${limit} limit` };
    case 'type-not-accepted':
      return {
        zh: `文件内容不是可接受的类型（${types}）`,
        en: `the file's content is not an accepted type (${types})`,
      };
    case 'type-mismatch':
      return {
        zh: '文件内容与扩展名不符（例如改了扩展名的文件）',
        en: "the file's content does not match its extension (e.g. a renamed file)",
      };
    case 'closed':
      return HARD_CLOSED(campaign);
  }
}
