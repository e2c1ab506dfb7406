import type { Context, S3Event } from 'aws-lambda';
import type S3rver from 's3rver';
import type { S3rverEvent } from 's3rver';
import type { Clock } from '../../functions/shared/domain/calendar/clock.ts';
import type { ListedObject } from '../../functions/shared/ports.ts';
import { encodeS3Key } from '../../functions/upload-received/s3-event.ts';
import { localContext } from './http-bridge.ts';

export type S3Handler = (event: S3Event, context: Context) => Promise<unknown>;

/** One record of an S3 object-created notification, key encoded as S3 encodes it. */
function s3Record(input: {
  bucket: string;
  object: {
    key: string;
    size: number;
    etag: string;
    sequencer?: string | undefined;
    versionId?: string | undefined;
  };
  eventName: string;
  eventTime: Date;
  /** Who stands in for S3: `local` (the bridge) or `reconcile` (a sweep). */
  by: string;
  region?: string;
}): S3Event['Records'][number] {
  const { object, by } = input;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region ?? 'us-east-1',
    eventTime: input.eventTime.toISOString(),
    eventName: input.eventName,
    userIdentity: { principalId: by },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': by, 'x-amz-id-2': by },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: by === 'local' ? 'upload-received' : by,
      bucket: { name: input.bucket, ownerIdentity: { principalId: by }, arn: '' },
      object: {
        key: encodeS3Key(object.key),
        size: object.size,
        eTag: object.etag,
        sequencer: object.sequencer ?? '',
        ...(object.versionId ? { versionId: object.versionId } : {}),
      },
    },
  } as S3Event['Records'][number];
}

/** Rewrites s3rver's event into the shape of a real S3 notification. */
export function toS3Notification(event: S3rverEvent, region: string, clock: Clock): S3Event {
  return {
    Records: event.Records.map((record) =>
      s3Record({
        bucket: record.s3.bucket.name,
        object: {
          key: record.s3.object.key,
          size: record.s3.object.size ?? 0,
          etag: record.s3.object.eTag ?? '',
          sequencer: record.s3.object.sequencer,
        },
        eventName: record.eventName,
        // s3rver stamps wall-clock time; the campaign's simulated clock is what S3 time means locally.
        eventTime: clock.now(),
        by: 'local',
        region,
      }),
    ),
  };
}

export interface RetryPolicy {
  /** Deliveries in all, the first included. */
  attempts: number;
  /** The wait before the second; it doubles for each next one. */
  firstDelayMs: number;
}

/** As Lambda retries an asynchronous invocation, but quicker: 6 deliveries over about 6 s. */
export const BRIDGE_RETRY: RetryPolicy = { attempts: 6, firstDelayMs: 200 };

/**
 * Delivers one event, retrying a failure with doubling waits; after the last attempt the error
 * goes to `onError` (the object stays in incoming/ with no receipt, and the sweep at the next
 * start, or `campaign reconcile`, feeds it again). Resolves either way.
 */
export async function deliverWithRetry(
  deliver: () => Promise<unknown>,
  policy: RetryPolicy,
  onError: (error: unknown, attempts: number) => void,
  onRetry: (error: unknown, attempt: number) => void = () => undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await deliver();
      return;
    } catch (error) {
      if (attempt >= policy.attempts) {
        onError(error, attempt);
        return;
      }
      onRetry(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, policy.firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/**
 * Deliveries handled at once, as the function's reserved concurrency bounds them in AWS: a burst
 * of uploads queues here instead of running a thousand handlers that fight over the same
 * DynamoDB items and SDK sockets.
 */
export const BRIDGE_CONCURRENCY = 8;

/** Runs at most `limit` of the tasks given at once, the rest in arrival order. */
function semaphore(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/**
 * Delivers s3rver's object-created events for `bucket` to the handler the real S3 notification
 * calls, retrying failures (`deliverWithRetry`). Delivery is asynchronous, as in AWS; `idle()`
 * waits until every event was handled or given up.
 */
export function bridgeS3Events(
  s3rver: S3rver,
  bucket: string,
  handler: S3Handler,
  clock: Clock,
  onError: (error: unknown, attempts: number) => void,
  policy: RetryPolicy = BRIDGE_RETRY,
  concurrency = BRIDGE_CONCURRENCY,
): { idle(): Promise<void>; close(): void } {
  const pending = new Set<Promise<unknown>>();
  const slots = semaphore(concurrency);
  const listener = (event: S3rverEvent) => {
    const created = event.Records.filter(
      (r) => r.eventName.startsWith('ObjectCreated:') && r.s3.bucket.name === bucket,
    );
    if (created.length === 0) return;
    // Built once: every retry carries the same event time, as a redelivered S3 event does.
    const notification = toS3Notification({ Records: created }, 'us-east-1', clock);
    const delivery = slots(() =>
      deliverWithRetry(() => handler(notification, localContext('upload-received')), policy, onError),
    ).finally(() => pending.delete(delivery));
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

/** The S3 notification for an object found by a sweep, as S3 would have sent it. */
export function sweptNotification(bucket: string, object: ListedObject, eventTime: Date): S3Event {
  return {
    Records: [s3Record({ bucket, object, eventName: 'ObjectCreated:Post', eventTime, by: 'reconcile' })],
  };
}
