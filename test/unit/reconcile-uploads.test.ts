import { describe, expect, it } from 'vitest';
import { reconcileUploads, sweptEventTime } from '../../functions/shared/domain/filing/reconcile-uploads.ts';
import type { ListedObject } from '../../functions/shared/ports.ts';

const object = (key: string, lastModified: string): ListedObject => ({
  key,
  etag: `etag-${key}`,
  size: 10,
  lastModified: new Date(lastModified),
});

describe('the upload sweep', () => {
  it('feeds only objects without a receipt, and goes on past one whose feed throws', async () => {
    const listed = [
      object('incoming/A/1', '2018-01-12T01:00:00Z'),
      object('incoming/A/2', '2018-01-12T01:00:00Z'),
      object('incoming/B/3', '2018-01-12T01:00:00Z'),
    ];
    const seen = new Set(['incoming/A/2']);
    const report = await reconcileUploads(
      {
        bucket: 'docs',
        documents: {
          async *list(prefix) {
            expect(prefix).toBe('incoming/');
            yield* listed;
          },
        },
        ledger: { receipt: async (_bucket, key) => (seen.has(key) ? ({} as never) : null) },
      },
      async (o) => {
        if (o.key === 'incoming/A/1') throw new Error('DynamoDB down');
        return 'fed';
      },
    );
    expect(report).toEqual({
      listed: 3,
      fed: [
        { key: 'incoming/A/1', etag: 'etag-incoming/A/1', error: 'Error: DynamoDB down' },
        { key: 'incoming/B/3', etag: 'etag-incoming/B/3', result: 'fed' },
      ],
    });
  });

  it('dates an object when S3 stored it, unless a simulated clock is behind that', () => {
    const stored = object('incoming/A/1', '2026-12-02T01:00:00Z');
    expect(sweptEventTime(stored, new Date('2026-12-02T02:00:00Z'))).toEqual(
      new Date('2026-12-02T01:00:00Z'),
    );
    expect(sweptEventTime(stored, new Date('2018-01-10T08:00:00+08:00'))).toEqual(
      new Date('2018-01-10T08:00:00+08:00'),
    );
  });
});
