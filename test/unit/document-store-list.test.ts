import { ListObjectsV2Command, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3DocumentStore } from '../../functions/shared/adapters/s3/document-store.ts';
import { createdObjects } from '../../functions/upload-received/s3-event.ts';
import { sweptNotification } from '../../infra/local/s3-event-bridge.ts';

/** A stand-in S3 client answering the listing commands from canned pages (no server keeps versions here). */
function fakeS3(answer: (command: object) => unknown): S3Client {
  const client = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  return Object.assign(client, { send: async (command: object) => answer(command) }) as S3Client;
}
const at = new Date('2018-01-12T01:00:00Z');

describe('listing incoming/ for the sweep', () => {
  it('lists every version of a versioned bucket, page by page, delete markers left out', async () => {
    const asked: object[] = [];
    const store = new S3DocumentStore(
      fakeS3((command) => {
        if (!(command instanceof ListObjectVersionsCommand)) throw new Error('unexpected command');
        asked.push(command.input);
        return command.input.KeyMarker === undefined
          ? {
              IsTruncated: true,
              NextKeyMarker: 'incoming/LY-101/a',
              NextVersionIdMarker: 'v1',
              Versions: [
                { Key: 'incoming/LY-101/a', VersionId: 'v2', ETag: '"e2"', Size: 20, LastModified: at },
                { Key: 'incoming/LY-101/a', VersionId: 'v1', ETag: '"e1"', Size: 10, LastModified: at },
              ],
              DeleteMarkers: [{ Key: 'incoming/LY-101/b', VersionId: 'd1' }],
            }
          : {
              IsTruncated: false,
              Versions: [
                { Key: 'incoming/LY-102/c', VersionId: 'null', ETag: '"e3"', Size: 5, LastModified: at },
              ],
            };
      }),
      'documents',
    );
    const listed = [];
    for await (const object of store.list('incoming/')) listed.push(object);
    expect(listed).toEqual([
      { key: 'incoming/LY-101/a', etag: 'e2', size: 20, lastModified: at, versionId: 'v2' },
      { key: 'incoming/LY-101/a', etag: 'e1', size: 10, lastModified: at, versionId: 'v1' },
      { key: 'incoming/LY-102/c', etag: 'e3', size: 5, lastModified: at },
    ]);
    expect(asked[1]).toMatchObject({ KeyMarker: 'incoming/LY-101/a', VersionIdMarker: 'v1' });
    // Each version is fed as its own event, which names it.
    const [first] = listed;
    if (!first) throw new Error('nothing listed');
    expect(createdObjects(sweptNotification('documents', first, at))).toEqual([
      expect.objectContaining({ key: 'incoming/LY-101/a', etag: 'e2', versionId: 'v2' }),
    ]);
  });

  it('lists current objects where the store keeps no versions (s3rver answers 405)', async () => {
    const store = new S3DocumentStore(
      fakeS3((command) => {
        if (command instanceof ListObjectVersionsCommand)
          throw Object.assign(new Error('Method Not Allowed'), { $metadata: { httpStatusCode: 405 } });
        if (command instanceof ListObjectsV2Command)
          return { Contents: [{ Key: 'incoming/LY-101/a', ETag: '"e1"', Size: 10, LastModified: at }] };
        throw new Error('unexpected command');
      }),
      'documents',
    );
    const listed = [];
    for await (const object of store.list('incoming/')) listed.push(object);
    expect(listed).toEqual([{ key: 'incoming/LY-101/a', etag: 'e1', size: 10, lastModified: at }]);
  });

  it('does not hide any other failure behind the fallback', async () => {
    const store = new S3DocumentStore(
      fakeS3(() => {
        throw Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        });
      }),
      'documents',
    );
    await expect(async () => {
      for await (const _ of store.list('incoming/')) break;
    }).rejects.toThrow('Access Denied');
  });
});
