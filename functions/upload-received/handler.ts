import middy from '@middy/core';
import type { Context, S3Event } from 'aws-lambda';
import type { Clock } from '../shared/domain/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { UploadReceipts } from '../shared/ports.ts';
import { createdObjects } from './s3-event.ts';

export interface UploadReceivedDeps {
  clock: Clock;
  logger: Logger;
  receipts: UploadReceipts;
}

/** Uploads land under `incoming/<unit>/<uuid>`; the unit is the actor of the audit event. */
const INCOMING = /^incoming\/([A-Z0-9-]+)\/[^/]+$/;

/**
 * The S3 object-created function. Idempotent on bucket + key + ETag: S3 delivers at least once,
 * and a redelivered event writes nothing new.
 */
export function makeHandler(deps: UploadReceivedDeps) {
  return middy<S3Event, { processed: number; duplicates: number }, Error, Context>().handler(
    async (event) => {
      let processed = 0;
      let duplicates = 0;
      for (const object of createdObjects(event)) {
        const at = deps.clock.now().toISOString();
        const first = await deps.receipts.record(
          { bucket: object.bucket, key: object.key, etag: object.etag, size: object.size, receivedAt: at },
          {
            at,
            actor: INCOMING.exec(object.key)?.[1] ?? 'system',
            action: 'upload-received',
            subject: object.key,
            detail: { size: object.size, etag: object.etag },
          },
        );
        if (first) processed += 1;
        else duplicates += 1;
        deps.logger.info('upload received', { key: object.key, size: object.size, duplicate: !first });
      }
      return { processed, duplicates };
    },
  );
}
