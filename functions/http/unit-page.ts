import type { Campaign, Deliverable } from '../../schemas/campaign.ts';
import type {
  PendingUpload,
  RejectedUpload,
  ReviewDecision,
  SubmissionVersion,
  UnitRecord,
} from '../../schemas/records.ts';
import { type DeliverableState, deliverableState } from '../shared/domain/calendar/deadlines.ts';
import { FILE_TYPE_INFO } from '../shared/domain/filing/file-types.ts';
import { decisionsOf } from '../shared/domain/filing/reviews.ts';
import {
  deliverablesOf,
  isHardClosed,
  planUpload,
  UPLOAD_FORM_LIFETIME_MS,
} from '../shared/domain/filing/uploads.ts';
import { allPages } from '../shared/domain/pages.ts';
import type {
  DocumentStore,
  PendingUploadRepository,
  SubmissionRepository,
  UploadLedger,
} from '../shared/ports.ts';

export interface UploadForm {
  url: string;
  fields: Record<string, string>;
}

export interface DeliverablePanel extends FiledDeliverable {
  rejections: RejectedUpload[];
  /** A ready-to-post form (works without script); null once filing is hard-closed. */
  form: UploadForm | null;
}

export interface UnitPageDeps {
  campaign: Campaign;
  submissions: SubmissionRepository;
  ledger: UploadLedger;
  pending: PendingUploadRepository;
  documents: DocumentStore;
}

/** The generic type a form posts when the file is not known yet; the content check decides what it is. */
const UNKNOWN_CONTENT_TYPE = 'application/octet-stream';

/** Registers a planned upload and signs its POST form: the key, type, size range and redirect are fixed. */
export async function prepareForm(
  deps: UnitPageDeps,
  pending: PendingUpload,
  redirectTo: string,
): Promise<UploadForm> {
  await deps.pending.put(pending);
  return deps.documents.presignPost({
    key: pending.key,
    contentType: pending.fileType
      ? FILE_TYPE_INFO[pending.fileType as keyof typeof FILE_TYPE_INFO].contentType
      : UNKNOWN_CONTENT_TYPE,
    maxBytes: deps.campaign.uploads.maxBytes,
    expiresInSeconds: UPLOAD_FORM_LIFETIME_MS / 1000,
    redirectTo,
  });
}

/** The unit page's data: a panel per deliverable, and refused uploads that belong to none (unknown keys). */
export async function loadUnitPage(
  deps: UnitPageDeps,
  unit: UnitRecord,
  now: Date,
  redirectFor: (deliverableId: string) => string,
): Promise<{ panels: DeliverablePanel[]; otherRejections: RejectedUpload[] }> {
  const { campaign } = deps;
  const closed = isHardClosed(campaign, now);
  const [rejections, filings, forms] = await Promise.all([
    deps.ledger.rejections(unit.code, { limit: 50 }).then((page) => page.items),
    // The unit's own page shows its 20 newest versions of each deliverable.
    loadFilings(deps, unit, now, (deliverableId) =>
      deps.submissions.versions(unit.code, deliverableId, { limit: 20 }).then((page) => page.items),
    ),
    Promise.all(
      deliverablesOf(campaign, unit).map((deliverable) =>
        closed
          ? null
          : prepareForm(
              deps,
              planUpload({ campaign, unit, request: { deliverableId: deliverable.id }, now }),
              redirectFor(deliverable.id),
            ),
      ),
    ),
  ]);
  const panels = filings.map((filed, i) => ({
    ...filed,
    rejections: rejections.filter((r) => r.deliverableId === filed.deliverable.id),
    form: forms[i] ?? null,
  }));
  const owed = new Set(panels.map((p) => p.deliverable.id));
  return { panels, otherRejections: rejections.filter((r) => !owed.has(r.deliverableId)) };
}

/** One deliverable as a unit or its supervisor reads it: its state and the versions filed, newest first. */
export interface FiledDeliverable {
  deliverable: Deliverable;
  state: DeliverableState;
  versions: SubmissionVersion[];
  /** Every review decision on the deliverable, oldest first, on whichever version (kept after refiling). */
  decisions: ReviewDecision[];
}

/**
 * What `unit` owes and filed: each deliverable's state and versions. By default every version is
 * listed, the repository's pages read to the end (a unit files a handful per deliverable), as a
 * supervisor's read-only page shows them.
 */
export async function loadFilings(
  deps: Pick<UnitPageDeps, 'campaign' | 'submissions'>,
  unit: UnitRecord,
  now: Date,
  readVersions: (deliverableId: string) => Promise<SubmissionVersion[]> = (deliverableId) =>
    allPages((page) => deps.submissions.versions(unit.code, deliverableId, page), 100),
): Promise<FiledDeliverable[]> {
  const { campaign } = deps;
  return Promise.all(
    deliverablesOf(campaign, unit).map(async (deliverable) => {
      const [pointer, versions, decisions] = await Promise.all([
        deps.submissions.pointer(unit.code, deliverable.id),
        readVersions(deliverable.id),
        decisionsOf(deps, unit.code, deliverable.id),
      ]);
      return {
        deliverable,
        state: deliverableState(deliverable, pointer, now, campaign.timeZone),
        versions,
        decisions,
      };
    }),
  );
}
