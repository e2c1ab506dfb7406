import { randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  NotFound,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { contentDisposition } from '../../domain/filing/file-names.ts';
import type { DocumentStore, ExactRead, ListedObject, StoredObject } from '../../ports.ts';

const unquote = (etag: string | undefined): string => (etag ?? '').replaceAll('"', '');

/** The store does not list object versions (it keeps none): 405 or 501, as s3rver answers. */
function listsNoVersions(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = (error as { name?: string }).name;
  return status === 405 || status === 501 || name === 'MethodNotAllowed' || name === 'NotImplemented';
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const nameOf = (error: unknown): string | undefined => (error as { name?: string }).name;

/** The key as CopySource wants it: bucket/key, each segment URL-encoded, then the version. */
const copySource = (bucket: string, key: string, versionId?: string) =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}${versionId ? `?versionId=${encodeURIComponent(versionId)}` : ''}`;

/**
 * S3 with immutable keys. Writes send `If-None-Match: *`, so S3 itself refuses to overwrite;
 * s3rver ignores the header, but the fresh UUID in every key keeps writes apart there too.
 */
export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async putNew(input: {
    prefix: string;
    body: Uint8Array | string;
    contentType: string;
    metadata?: Record<string, string>;
  }): Promise<StoredObject> {
    const key = `${input.prefix.replace(/\/+$/, '')}/${randomUUID()}`;
    const body = typeof input.body === 'string' ? Buffer.from(input.body) : input.body;
    const result = await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: input.contentType,
        Metadata: input.metadata,
        IfNoneMatch: '*',
      }),
    );
    return {
      key,
      size: body.byteLength,
      etag: unquote(result.ETag),
      contentType: input.contentType,
      metadata: input.metadata ?? {},
    };
  }

  async upload(input: {
    prefix: string;
    body: Readable;
    size?: number;
    contentType: string;
  }): Promise<StoredObject> {
    const key = `${input.prefix.replace(/\/+$/, '')}/${randomUUID()}`;
    let counted = 0;
    const body =
      input.size === undefined
        ? input.body.pipe(
            new Transform({
              transform(chunk: Buffer, _encoding, done) {
                counted += chunk.length;
                done(null, chunk);
              },
            }),
          )
        : input.body;
    // A failing source must fail the upload (which then aborts its multipart upload), not hang it.
    if (body !== input.body) input.body.once('error', (error) => body.destroy(error));
    // lib-storage cuts the stream into 5 MB parts, each sent as a buffer: a streamed PutObject
    // would go out aws-chunked, which S3 understands and s3rver stores verbatim.
    const result = await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: input.contentType },
    }).done();
    return {
      key,
      size: input.size ?? counted,
      etag: unquote(result.ETag),
      contentType: input.contentType,
      metadata: {},
    };
  }

  async head(key: string): Promise<StoredObject | null> {
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: result.ContentLength ?? 0,
        etag: unquote(result.ETag),
        ...(result.ContentType ? { contentType: result.ContentType } : {}),
        metadata: result.Metadata ?? {},
      };
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return null;
      throw error;
    }
  }

  async open(key: string): Promise<Readable> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!(result.Body instanceof Readable)) throw new Error(`no body for ${key}`);
    return result.Body;
  }

  async readFirstBytes(key: string, count: number): Promise<Uint8Array> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${Math.max(count, 1) - 1}` }),
      );
      const bytes = (await result.Body?.transformToByteArray()) ?? new Uint8Array();
      // A server that ignores Range sends everything; never hand back more than asked.
      return bytes.subarray(0, count);
    } catch (error) {
      // S3 answers 416 for any range of an empty object.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) {
        return new Uint8Array();
      }
      throw error;
    }
  }

  /**
   * S3 honours `VersionId` and `If-Match`; s3rver ignores `If-Match`, so the ETag that came back
   * is compared too. The body is read only once its length is known to be within `maxBytes`.
   */
  async readExact(
    key: string,
    expected: { etag: string; versionId?: string },
    maxBytes: number,
  ): Promise<ExactRead> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(expected.versionId ? { VersionId: expected.versionId } : { IfMatch: `"${expected.etag}"` }),
        }),
      );
      const etag = unquote(result.ETag);
      const version = result.VersionId ? { versionId: result.VersionId } : {};
      const size = result.ContentLength ?? 0;
      if (!expected.versionId && etag !== expected.etag) {
        (result.Body as Readable | undefined)?.destroy();
        return { status: 'changed' };
      }
      if (size > maxBytes) {
        (result.Body as Readable | undefined)?.destroy();
        return { status: 'too-large', size, etag, ...version };
      }
      const bytes = (await result.Body?.transformToByteArray()) ?? new Uint8Array();
      return { status: 'read', bytes, etag, ...version };
    } catch (error) {
      const name = nameOf(error);
      if (statusOf(error) === 412 || name === 'PreconditionFailed' || name === 'NoSuchVersion') {
        return { status: 'changed' };
      }
      if (name === 'NoSuchKey' || statusOf(error) === 404) return { status: 'gone' };
      throw error;
    }
  }

  async putAt(key: string, body: Uint8Array, contentType: string): Promise<'written' | 'exists'> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          IfNoneMatch: '*',
        }),
      );
      return 'written';
    } catch (error) {
      // 412: the key exists; 409: a concurrent conditional write to it is under way.
      if (statusOf(error) === 412 || statusOf(error) === 409) return 'exists';
      throw error;
    }
  }

  async quarantine(from: string, expected: { etag: string; versionId?: string }, to: string): Promise<void> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: copySource(this.bucket, from, expected.versionId),
          ...(expected.versionId ? {} : { CopySourceIfMatch: `"${expected.etag}"` }),
        }),
      );
    } catch (error) {
      const name = nameOf(error);
      // Already gone or replaced: a repeat after the delete, or a newer object to judge on its own.
      if (
        statusOf(error) === 404 ||
        statusOf(error) === 412 ||
        name === 'NoSuchKey' ||
        name === 'NoSuchVersion'
      )
        return;
      throw error;
    }
    if (expected.versionId) {
      // Deleting one version leaves any later object on the key as it is.
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: from, VersionId: expected.versionId }),
      );
      return;
    }
    // s3rver ignores If-Match on either request: the head check keeps a replaced object there.
    const now = await this.head(from);
    if (!now || now.etag !== expected.etag) return;
    try {
      await this.client.send(
        new DeleteObjectCommand({ Bucket: this.bucket, Key: from, IfMatch: `"${expected.etag}"` }),
      );
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) return;
      throw error;
    }
  }

  /**
   * Every object version under `prefix`, delete markers left out: with versioning (AWS), a form
   * reused within its ten minutes leaves two versions on one key, and each must be found. A store
   * that keeps no versions and does not list them (s3rver answers 405) is listed plainly; it has
   * only current objects anyway.
   */
  async *list(prefix: string): AsyncIterable<ListedObject> {
    try {
      let marker: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (;;) {
        const page = await this.client.send(
          new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, ...marker }),
        );
        for (const version of page.Versions ?? []) {
          if (!version.Key) continue;
          yield {
            key: version.Key,
            etag: unquote(version.ETag),
            size: version.Size ?? 0,
            lastModified: version.LastModified ?? new Date(0),
            // An unversioned bucket lists each object once, as version "null".
            ...(version.VersionId && version.VersionId !== 'null' ? { versionId: version.VersionId } : {}),
          };
        }
        if (!page.IsTruncated) return;
        marker = {
          ...(page.NextKeyMarker ? { KeyMarker: page.NextKeyMarker } : {}),
          ...(page.NextVersionIdMarker ? { VersionIdMarker: page.NextVersionIdMarker } : {}),
        };
      }
    } catch (error) {
      if (!listsNoVersions(error)) throw error;
    }
    for await (const page of paginateListObjectsV2(
      { client: this.client },
      { Bucket: this.bucket, Prefix: prefix },
    )) {
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield {
          key: object.Key,
          etag: unquote(object.ETag),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
    }
  }

  /**
   * The POST policy pins everything: the exact key, the Content-Type, the size range 1..max,
   * the redirect, and a 10-minute expiry. `${filename}` is never used in the key.
   */
  async presignPost(input: {
    key: string;
    contentType: string;
    maxBytes: number;
    expiresInSeconds: number;
    redirectTo?: string;
  }): Promise<{ url: string; fields: Record<string, string> }> {
    const fields: Record<string, string> = { 'Content-Type': input.contentType };
    if (input.redirectTo) fields.success_action_redirect = input.redirectTo;
    return createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: input.key,
      Conditions: [['content-length-range', 1, input.maxBytes]],
      Fields: fields,
      Expires: input.expiresInSeconds,
    });
  }

  presignGet(
    key: string,
    fileName: string,
    contentType: string,
    options: { expiresInSeconds?: number; disposition?: 'inline' | 'attachment' } = {},
  ): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: contentDisposition(fileName, options.disposition),
        ResponseContentType: contentType,
      }),
      { expiresIn: options.expiresInSeconds ?? 300 },
    );
  }
}
