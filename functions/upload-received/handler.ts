import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { METRIC } from '../shared/metrics.ts';
import type { InvocationDeps, MetricCounter } from '../shared/telemetry.ts';
import { type ReceiveOutcome, type ReceiveUploadDeps, receiveUpload } from './receive-upload.ts';
import { createdObjects } from './s3-event.ts';

export type UploadReceivedDeps = ReceiveUploadDeps & InvocationDeps & { metrics: MetricCounter };

/** An upload filed (a document version, a hazard photo or an import taken in) or refused and quarantined. */
function countOutcome(outcome: ReceiveOutcome, metrics: MetricCounter): void {
  if (outcome.outcome === 'accepted' || outcome.outcome === 'imported') metrics.count(METRIC.filings);
  else if (outcome.outcome === 'rejected') metrics.count(METRIC.refusals);
}

/**
 * The S3 object-created function. S3 delivers at least once; `receiveUpload` is idempotent on
 * bucket + key + ETag, so a redelivered event changes nothing and sends no second mail. A thrown
 * error fails the invocation: Lambda retries it (see the stack's retry settings), the local
 * bridge retries it with backoff, and `campaign reconcile` sweeps up whatever still has no receipt.
 */
export function makeHandler(deps: UploadReceivedDeps) {
  return middy<S3Event, ReceiveOutcome[], Error, Context>()
    .use([...(deps.middleware ?? [])])
    .handler(async (event) => {
      const outcomes: ReceiveOutcome[] = [];
      for (const object of createdObjects(event)) {
        const outcome = await receiveUpload(
          {
            bucket: object.bucket,
            key: object.key,
            etag: object.etag,
            ...(object.versionId ? { versionId: object.versionId } : {}),
            createdAt: new Date(object.eventTime),
          },
          deps,
        );
        countOutcome(outcome, deps.metrics);
        outcomes.push(outcome);
      }
      return outcomes;
    });
}
