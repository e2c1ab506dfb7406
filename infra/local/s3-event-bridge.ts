import type { Context, S3Event } from 'aws-lambda';
import type S3rver from 's3rver';
import type { S3rverEvent } from 's3rver';
import type { Clock } from '../../functions/shared/domain/clock.ts';
import { encodeS3Key } from '../../functions/upload-received/s3-event.ts';
import { localContext } from './http-bridge.ts';

export type S3Handler = (event: S3Event, context: Context) => Promise<unknown>;

/** Rewrites s3rver's event into the shape of a real S3 notification, key encoded as S3 encodes it. */
export function toS3Notification(event: S3rverEvent, region: string, clock: Clock): S3Event {
  return {
    Records: event.Records.map((record) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      // s3rver stamps wall-clock time; the campaign's simulated clock is what S3 time means locally.
      eventTime: clock.now().toISOString(),
      eventName: record.eventName,
      userIdentity: { principalId: 'local' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'upload-received',
        bucket: { name: record.s3.bucket.name, ownerIdentity: { principalId: 'local' }, arn: '' },
        object: {
          key: encodeS3Key(record.s3.object.key),
          size: record.s3.object.size ?? 0,
          eTag: record.s3.object.eTag ?? '',
          sequencer: record.s3.object.sequencer,
        },
      },
    })),
  } as S3Event;
}

/**
 * Delivers s3rver's object-created events for `bucket` to the handler the real S3 notification
 * calls. Delivery is asynchronous, as in AWS; `idle()` waits until every event was handled.
 */
export function bridgeS3Events(
  s3rver: S3rver,
  bucket: string,
  handler: S3Handler,
  clock: Clock,
  onError: (error: unknown) => void,
): { idle(): Promise<void>; close(): void } {
  const pending = new Set<Promise<unknown>>();
  const listener = (event: S3rverEvent) => {
    const created = event.Records.filter(
      (r) => r.eventName.startsWith('ObjectCreated:') && r.s3.bucket.name === bucket,
    );
    if (created.length === 0) return;
    const delivery = handler(
      toS3Notification({ Records: created }, 'us-east-1', clock),
      localContext('upload-received'),
    )
      .catch(onError)
      .finally(() => pending.delete(delivery));
    pending.add(delivery);
  };
  s3rver.on('event', listener);
  return {
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    close: () => s3rver.off('event', listener),
  };
}
