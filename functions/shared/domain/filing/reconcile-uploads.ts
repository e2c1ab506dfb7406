import type { DocumentStore, ListedObject, UploadLedger } from '../../ports.ts';

export interface ReconcileDeps {
  documents: Pick<DocumentStore, 'list'>;
  ledger: Pick<UploadLedger, 'receipt'>;
  bucket: string;
}

export interface ReconcileReport {
  /** Objects found under incoming/. */
  listed: number;
  /** Those without a receipt, each fed once, with what the feed answered (or the error it threw). */
  fed: { key: string; etag: string; result?: unknown; error?: string }[];
}

/**
 * The sweep that makes sure no upload is lost when its event was: every object under incoming/
 * with no receipt (bucket + key + ETag) is fed, one at a time, to `feed`, which hands it to the
 * upload-received handler as a synthetic S3 event. That handler is idempotent, so a sweep racing
 * a live event, or two sweeps, record each object once; objects it records get a receipt, so a
 * second sweep feeds nothing. A feed that throws is reported and the sweep goes on.
 *
 * Used at local start (`startLocalSystem`) and by `campaign reconcile` against a deployed stack.
 */
export async function reconcileUploads(
  deps: ReconcileDeps,
  feed: (object: ListedObject) => Promise<unknown>,
): Promise<ReconcileReport> {
  const report: ReconcileReport = { listed: 0, fed: [] };
  for await (const object of deps.documents.list('incoming/')) {
    report.listed += 1;
    if (await deps.ledger.receipt(deps.bucket, object.key, object.etag)) continue;
    try {
      report.fed.push({ key: object.key, etag: object.etag, result: await feed(object) });
    } catch (error) {
      report.fed.push({ key: object.key, etag: object.etag, error: String(error) });
    }
  }
  return report;
}

/**
 * The event time a swept object is given: when S3 stored it, as its event would have said. A
 * simulated campaign clock (local mode) restarts in the campaign's past, behind the real time
 * s3rver stamps; then the clock's now stands in, as if the event were delivered at the sweep.
 */
export function sweptEventTime(object: ListedObject, now: Date): Date {
  return object.lastModified.getTime() > now.getTime() ? now : object.lastModified;
}
