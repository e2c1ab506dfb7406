import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import { type ReceiveOutcome, type ReceiveUploadDeps, receiveUpload } from './receive-upload.ts';
import { createdObjects } from './s3-event.ts';

export type UploadReceivedDeps = ReceiveUploadDeps;

/**
 * The S3 object-created function. S3 delivers at least once; `receiveUpload` is idempotent on
 * bucket + key + ETag, so a redelivered event changes nothing and sends no second mail. A thrown
 * error fails the invocation: Lambda retries it (see the stack's retry settings), the local
 * bridge retries it with backoff, and `campaign reconcile` sweeps up whatever still has no receipt.
 */
export function makeHandler(deps: UploadReceivedDeps) {
  return middy<S3Event, ReceiveOutcome[], Error, Context>().handler(async (event) => {
    const outcomes: ReceiveOutcome[] = [];
    for (const object of createdObjects(event)) {
      outcomes.push(
        await receiveUpload(
          {
            bucket: object.bucket,
            key: object.key,
            etag: object.etag,
            ...(object.versionId ? { versionId: object.versionId } : {}),
            createdAt: new Date(object.eventTime),
          },
          deps,
        ),
      );
    }
    return outcomes;
  });
}
