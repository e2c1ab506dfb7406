import type { S3Event } from 'aws-lambda';

export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  /** Present when the bucket is versioned: names exactly the object the event is about. */
  versionId?: string;
  eventTime: string;
}

/**
 * S3 notifications carry object keys URL-encoded as in a form (`+` for a space): decode
 * before use, or `incoming/LY-101/实施 方案` would never be found.
 */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/**
 * The inverse, as S3 encodes keys in notifications: form encoding (space as `+`), with only
 * RFC 3986 unreserved characters and `/` left as they are. The local runtime sends events so.
 */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

export function createdObjects(event: S3Event): CreatedObject[] {
  return event.Records.filter((record) => record.eventName.startsWith('ObjectCreated:')).map((record) => ({
    bucket: record.s3.bucket.name,
    key: decodeS3Key(record.s3.object.key),
    size: record.s3.object.size,
    etag: (record.s3.object.eTag ?? '').replaceAll('"', ''),
    ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
    eventTime: record.eventTime,
  }));
}
