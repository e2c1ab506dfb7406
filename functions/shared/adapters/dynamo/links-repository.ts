import { type LinkRecord, LinkRecordSchema } from '../../../../schemas/records.ts';
import type { LinkRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import type { DynamoStore, TransactItem } from './store.ts';

const RACED = {
  zh: '该单位的填报链接刚被更改，请刷新后重试',
  en: "The unit's form link has just changed; reload and try again",
};

/** Form links, stored by the SHA-256 of their token; the unit item points at its current one. */
export class DynamoLinkRepository implements LinkRepository {
  constructor(private readonly store: DynamoStore) {}

  private revokeLink(hash: string, at: string): TransactItem {
    return {
      Update: {
        TableName: this.store.tableName,
        Key: keys.link(hash),
        UpdateExpression: 'SET revokedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      },
    };
  }

  async issue(
    {
      unitCode,
      campaignId,
      hash,
      linkVersion,
      replacing,
    }: { unitCode: string; campaignId: string; hash: string; linkVersion: number; replacing?: string },
    now: Date,
  ): Promise<void> {
    const at = now.toISOString();
    await this.store.transact(
      [
        {
          Put: {
            TableName: this.store.tableName,
            Item: { ...keys.link(hash), hash, unitCode, campaignId, issuedAt: at },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.store.tableName,
            Key: keys.unit(unitCode),
            UpdateExpression: 'SET linkHash = :hash, linkVersion = :version, updatedAt = :at',
            ConditionExpression:
              replacing === undefined
                ? 'attribute_exists(pk) AND attribute_not_exists(linkHash)'
                : 'attribute_exists(pk) AND linkHash = :replacing',
            ExpressionAttributeValues: {
              ':hash': hash,
              ':version': linkVersion,
              ':at': at,
              ...(replacing === undefined ? {} : { ':replacing': replacing }),
            },
          },
        },
        ...(replacing === undefined ? [] : [this.revokeLink(replacing, at)]),
      ],
      RACED,
    );
  }

  async revoke(unitCode: string, hash: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await this.store.transact(
      [
        {
          Update: {
            TableName: this.store.tableName,
            Key: keys.unit(unitCode),
            UpdateExpression: 'REMOVE linkHash SET updatedAt = :at',
            ConditionExpression: 'linkHash = :hash',
            ExpressionAttributeValues: { ':hash': hash, ':at': at },
          },
        },
        this.revokeLink(hash, at),
      ],
      RACED,
    );
  }

  find(hash: string): Promise<LinkRecord | null> {
    return this.store.getItem(LinkRecordSchema, keys.link(hash));
  }
}
