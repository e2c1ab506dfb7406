import type { Campaign } from '../../../../schemas/campaign.ts';
import type { AuditEvent, SubmissionPointer, UnitRecord } from '../../../../schemas/records.ts';
import type { AuditLog, DocumentsArchiveWriter, SubmissionRepository, UnitRepository } from '../../ports.ts';
import type { Clock } from '../calendar/clock.ts';
import { ForbiddenError, ValidationError } from '../errors.ts';
import { supervises } from '../links/supervision-scope.ts';
import { allPages } from '../pages.ts';
import {
  archiveContents,
  type DocumentsArchive,
  type FiledVersions,
  planDocumentsArchive,
} from './documents-archive.ts';

/** Reads at a time while gathering the versions: enough to hide latency, few enough to stay polite. */
const READ_LANES = 16;

/** Runs `work` over `items` with at most `lanes` calls in flight; results keep the items' order. */
async function mapInLanes<T, R>(
  items: readonly T[],
  lanes: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return results;
}

export interface DocumentsArchiveDeps {
  campaign: Campaign;
  clock: Clock;
  units: Pick<UnitRepository, 'all' | 'list'>;
  submissions: Pick<SubmissionRepository, 'allFilers' | 'version' | 'versions'>;
}

export const NOT_A_SUPERVISOR = {
  zh: '只有市安稳处和区县教育局可以下载材料压缩包',
  en: 'Only the city safety office and the district bureaus may download the documents archive',
};

/**
 * Reads what `viewer` supervises and plans its archive. The units come from the viewer's own
 * district (a bureau) or the whole roster (the office); the filers of each deliverable from its
 * index, kept only when their unit is in scope; then the current version of each (one read each),
 * or every version. Only metadata is held: the bytes are read when the archive is written.
 */
export async function loadDocumentsArchive(
  deps: DocumentsArchiveDeps,
  viewer: UnitRecord,
  options: { allVersions: boolean },
): Promise<DocumentsArchive> {
  if (viewer.type !== 'city-office' && viewer.type !== 'district-bureau') {
    throw new ForbiddenError(NOT_A_SUPERVISOR);
  }
  const units: UnitRecord[] = [];
  if (viewer.type === 'district-bureau') {
    if (viewer.district !== null) {
      units.push(...(await allPages((page) => deps.units.list({ district: viewer.district }, page), 500)));
    }
  } else {
    for await (const unit of deps.units.all()) units.push(unit);
  }
  const inScope = new Set(units.filter((unit) => supervises(viewer, unit)).map((unit) => unit.code));

  const pointers: SubmissionPointer[] = [];
  for (const deliverable of deps.campaign.deliverables) {
    for await (const pointer of deps.submissions.allFilers(deliverable.id)) {
      if (inScope.has(pointer.unitCode)) pointers.push(pointer);
    }
  }
  const filings = await mapInLanes(pointers, READ_LANES, async (pointer): Promise<FiledVersions> => {
    const versions = options.allVersions
      ? await allPages(
          (page) => deps.submissions.versions(pointer.unitCode, pointer.deliverableId, page),
          100,
        )
      : [
          await deps.submissions.version(pointer.unitCode, pointer.deliverableId, pointer.currentVersion),
        ].filter((v) => v !== null);
    return {
      unitCode: pointer.unitCode,
      deliverableId: pointer.deliverableId,
      currentVersion: pointer.currentVersion,
      versions,
    };
  });
  return planDocumentsArchive({
    campaign: deps.campaign,
    viewer,
    units,
    filings,
    allVersions: options.allVersions,
    now: deps.clock.now(),
  });
}

export interface ExportDocumentsDeps extends DocumentsArchiveDeps {
  archives: DocumentsArchiveWriter;
  audit: Pick<AuditLog, 'append'>;
}

/** Who exports: the supervising body, and what the audit trail names (a reviewer, or the body's code). */
export interface Exporter {
  body: UnitRecord;
  actor: string;
}

export interface DocumentsExport {
  /** Where the archive was written (under `exports/`). */
  key: string;
  size: number;
  fileName: string;
  /** Files in the archive, the manifest not counted. */
  count: number;
}

/**
 * Exports every document in the exporter's scope as one ZIP written to storage, then records one
 * `supervisor-exported-documents` event. Each export is a new object under a fresh key, so two
 * exports (or a retry) never collide; an export that fails part-way is recorded nowhere.
 */
export async function exportDocuments(
  deps: ExportDocumentsDeps,
  exporter: Exporter,
  options: { allVersions: boolean },
): Promise<DocumentsExport> {
  const archive = await loadDocumentsArchive(deps, exporter.body, options);
  const stored = await deps.archives.write(archiveContents(archive, deps.clock.now()));
  await deps.audit.append(exportedEvent(exporter, archive, stored, deps.clock.now()));
  return { key: stored.key, size: stored.size, fileName: archive.fileName, count: archive.entries.length };
}

/**
 * The `supervisor-exported-documents` event of one archive written: who asked, for which body's
 * scope, how many files, which versions, where and how large. `job` names the export job that
 * wrote it, when one did (`export-jobs.ts`).
 */
export function exportedEvent(
  exporter: { body: Pick<UnitRecord, 'code'>; actor: string },
  archive: Pick<DocumentsArchive, 'scope' | 'entries' | 'allVersions'>,
  stored: { key: string; size: number },
  at: Date,
  job?: string,
): Omit<AuditEvent, 'id'> {
  return {
    at: at.toISOString(),
    actor: exporter.actor,
    action: 'supervisor-exported-documents',
    subject: exporter.body.code,
    detail: {
      scope: archive.scope === 'office' ? 'office' : `district:${archive.scope.district}`,
      count: archive.entries.length,
      allVersions: archive.allVersions,
      key: stored.key,
      size: stored.size,
      ...(job ? { job } : {}),
    },
  };
}

/**
 * The `versions` query parameter: absent or `current` for the current versions, `all` for every
 * version. Anything else is refused, naming the field and the value it got.
 */
export function versionsOption(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'current') return false;
  if (value === 'all') return true;
  throw new ValidationError([
    {
      path: 'versions',
      value,
      code: 'versions',
      zh: `versions 只能是 all 或 current，收到的是“${value.slice(0, 100)}”`,
      en: `versions must be all or current; got "${value.slice(0, 100)}"`,
    },
  ]);
}
