import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type LinkRecord, LinkRecordSchema } from '../../../../schemas/records.ts';
import type { LinkRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { conditionally, type DynamoStore, stripKeys } from './store.ts';

const RACED = {
  zh: '该单位的填报链接刚被更改，请刷新后重试',
  en: "The unit's form link has just changed; reload and try again",
};

/** Form links, stored by the SHA-256 of their token; the unit item points at its current one. */
export class DynamoLinkRepository implements LinkRepository {
  constructor(private readonly store: DynamoStore) {}

  async issue(
    {
      unitCode,
      campaignId,
      hash,
      replacing,
    }: { unitCode: string; campaignId: string; hash: string; replacing?: string },
    now: Date,
  ): Promise<void> {
    const table = this.store.tableName;
    const at = now.toISOString();
    await conditionally(
      () =>
        this.store.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table,
                  Item: { ...keys.link(hash), hash, unitCode, campaignId, issuedAt: at },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: table,
                  Key: keys.unit(unitCode),
                  UpdateExpression: 'SET linkHash = :hash, updatedAt = :at',
                  ConditionExpression:
                    replacing === undefined
                      ? 'attribute_exists(pk) AND attribute_not_exists(linkHash)'
                      : 'attribute_exists(pk) AND linkHash = :replacing',
                  ExpressionAttributeValues: {
                    ':hash': hash,
                    ':at': at,
                    ...(replacing === undefined ? {} : { ':replacing': replacing }),
                  },
                },
              },
              ...(replacing === undefined
                ? []
                : [
                    {
                      Update: {
                        TableName: table,
                        Key: keys.link(replacing),
                        UpdateExpression: 'SET revokedAt = :at',
                        ConditionExpression: 'attribute_exists(pk)',
                        ExpressionAttributeValues: { ':at': at },
                      },
                    },
                  ]),
            ],
          }),
        ),
      RACED,
    );
  }

  async revoke(unitCode: string, hash: string, now: Date): Promise<void> {
    const at = now.toISOString();
    await conditionally(
      () =>
        this.store.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.store.tableName,
                  Key: keys.unit(unitCode),
                  UpdateExpression: 'REMOVE linkHash SET updatedAt = :at',
                  ConditionExpression: 'linkHash = :hash',
                  ExpressionAttributeValues: { ':hash': hash, ':at': at },
                },
              },
              {
                Update: {
                  TableName: this.store.tableName,
                  Key: keys.link(hash),
                  UpdateExpression: 'SET revokedAt = :at',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':at': at },
                },
              },
            ],
          }),
        ),
      RACED,
    );
  }

  async find(hash: string): Promise<LinkRecord | null> {
    const { Item } = await this.store.client.send(
      new GetCommand({ TableName: this.store.tableName, Key: keys.link(hash) }),
    );
    return Item ? LinkRecordSchema.parse(stripKeys(Item)) : null;
  }
}
