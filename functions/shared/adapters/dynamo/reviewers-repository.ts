import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ReviewerRecord, ReviewerRecordSchema } from '../../../../schemas/records.ts';
import type { ReviewerRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, indexQuery, isConditionFailure } from './store.ts';

const RACED = {
  zh: '该审核人员的链接刚被更改，请刷新后重试',
  en: "The reviewer's link has just changed; reload and try again",
};

/** Named reviewers (`REVIEWER#<id>`), listed on gsi1 `REVIEWERS`; their links are `LINK#` items naming them. */
export class DynamoReviewerRepository implements ReviewerRepository {
  constructor(private readonly store: DynamoStore) {}

  async upsert(
    reviewer: Pick<ReviewerRecord, 'id' | 'name' | 'email' | 'scope' | 'bodyCode'>,
    now: Date,
  ): Promise<void> {
    const index = keys.reviewerIndex(reviewer.id);
    await this.store.client.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: keys.reviewer(reviewer.id),
        UpdateExpression:
          'SET id = :id, #name = :name, email = :email, #scope = :scope, bodyCode = :body, ' +
          'linkVersion = if_not_exists(linkVersion, :zero), gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
          'updatedAt = :now REMOVE withdrawnAt',
        ExpressionAttributeNames: { '#name': 'name', '#scope': 'scope' },
        ExpressionAttributeValues: {
          ':id': reviewer.id,
          ':name': reviewer.name,
          ':email': reviewer.email,
          ':scope': reviewer.scope,
          ':body': reviewer.bodyCode,
          ':zero': 0,
          ':gsi1pk': index.gsi1pk,
          ':gsi1sk': index.gsi1sk,
          ':now': now.toISOString(),
        },
      }),
    );
  }

  async withdraw(id: string, now: Date): Promise<void> {
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.reviewer(id),
          UpdateExpression: 'SET withdrawnAt = :now, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(withdrawnAt)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      // Already withdrawn (keeps its first date), or never stored: nothing to do.
      if (!isConditionFailure(error)) throw error;
    }
  }

  get(id: string): Promise<ReviewerRecord | null> {
    return this.store.getItem(ReviewerRecordSchema, keys.reviewer(id));
  }

  all(): AsyncIterable<ReviewerRecord> {
    return this.store.queryAll(ReviewerRecordSchema, indexQuery('REVIEWERS'));
  }

  async issueLink(
    link: {
      reviewerId: string;
      bodyCode: string;
      campaignId: string;
      hash: string;
      linkVersion: number;
      replacing?: string;
    },
    now: Date,
  ): Promise<void> {
    const at = now.toISOString();
    const { replacing } = link;
    await this.store.transact(
      [
        {
          Put: {
            TableName: this.store.tableName,
            Item: {
              ...keys.link(link.hash),
              hash: link.hash,
              unitCode: link.bodyCode,
              reviewerId: link.reviewerId,
              campaignId: link.campaignId,
              issuedAt: at,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: this.store.tableName,
            Key: keys.reviewer(link.reviewerId),
            UpdateExpression: 'SET linkHash = :hash, linkVersion = :version, updatedAt = :at',
            ConditionExpression:
              replacing === undefined
                ? 'attribute_exists(pk) AND attribute_not_exists(linkHash)'
                : 'attribute_exists(pk) AND linkHash = :replacing',
            ExpressionAttributeValues: {
              ':hash': link.hash,
              ':version': link.linkVersion,
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
                  TableName: this.store.tableName,
                  Key: keys.link(replacing),
                  UpdateExpression: 'SET revokedAt = :at',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':at': at },
                },
              },
            ]),
      ],
      RACED,
    );
  }
}
