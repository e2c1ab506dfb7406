import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type DownloadLink, DownloadLinkSchema } from '../../../../schemas/records.ts';
import type { DownloadLinkRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import type { DynamoStore } from './store.ts';
import { ttlDaysAfter } from './table.ts';

/** Kept a week past expiry, so a late click is told the link expired rather than never existed. */
const KEPT_DAYS_AFTER_EXPIRY = 7;

export class DynamoDownloadLinks implements DownloadLinkRepository {
  constructor(private readonly store: DynamoStore) {}

  async create(link: DownloadLink): Promise<void> {
    await this.store.client.send(
      new PutCommand({
        TableName: this.store.tableName,
        Item: {
          ...keys.downloadLink(link.hash),
          ...link,
          ttl: ttlDaysAfter(link.expiresAt, KEPT_DAYS_AFTER_EXPIRY),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  find(hash: string): Promise<DownloadLink | null> {
    return this.store.getItem(DownloadLinkSchema, keys.downloadLink(hash));
  }
}
