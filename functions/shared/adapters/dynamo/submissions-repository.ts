import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type SubmissionPointer,
  SubmissionPointerSchema,
  type SubmissionVersion,
  SubmissionVersionSchema,
} from '../../../../schemas/records.ts';
import type { Page, PageRequest, SubmissionRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { conditionally, type DynamoStore, stripKeys } from './store.ts';

export class DynamoSubmissionRepository implements SubmissionRepository {
  constructor(private readonly store: DynamoStore) {}

  async addVersion(version: SubmissionVersion, district: string | null): Promise<void> {
    const { unitCode, deliverableId } = version;
    const first = version.version === 1;
    await conditionally(
      () =>
        this.store.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.store.tableName,
                  Item: { ...keys.submissionVersion(unitCode, deliverableId, version.version), ...version },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: this.store.tableName,
                  Key: keys.submissionPointer(unitCode, deliverableId),
                  UpdateExpression:
                    'SET unitCode = :unit, district = :district, deliverableId = :deliverable, ' +
                    'currentVersion = :version, currentReceivedAt = :at, ' +
                    'firstReceivedAt = if_not_exists(firstReceivedAt, :at), ' +
                    'firstOnTime = if_not_exists(firstOnTime, :onTime), gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
                  ConditionExpression: first ? 'attribute_not_exists(pk)' : 'currentVersion = :previous',
                  ExpressionAttributeValues: {
                    ':unit': unitCode,
                    ':district': district,
                    ':deliverable': deliverableId,
                    ':version': version.version,
                    ':at': version.receivedAt,
                    ':onTime': version.onTime,
                    ...Object.fromEntries(
                      Object.entries(keys.submissionIndex(deliverableId, district, unitCode)).map(
                        ([k, v]) => [`:${k}`, v],
                      ),
                    ),
                    ...(first ? {} : { ':previous': version.version - 1 }),
                  },
                },
              },
            ],
          }),
        ),
      {
        zh: `版本 ${version.version} 已存在或不是下一个版本`,
        en: `version ${version.version} already exists or is not the next one`,
      },
    );
  }

  async pointer(unitCode: string, deliverableId: string): Promise<SubmissionPointer | null> {
    const { Item } = await this.store.client.send(
      new GetCommand({
        TableName: this.store.tableName,
        Key: keys.submissionPointer(unitCode, deliverableId),
        ConsistentRead: true,
      }),
    );
    return Item ? SubmissionPointerSchema.parse(stripKeys(Item)) : null;
  }

  versions(unitCode: string, deliverableId: string, page?: PageRequest): Promise<Page<SubmissionVersion>> {
    return this.store.queryPage(
      SubmissionVersionSchema,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.unit(unitCode).pk,
          ':prefix': keys.submissionVersionPrefix(deliverableId),
        },
        ScanIndexForward: false,
      },
      page,
    );
  }

  filers(deliverableId: string, page?: PageRequest): Promise<Page<SubmissionPointer>> {
    const collection = keys.submissionIndex(deliverableId, null, '').gsi1pk;
    return this.store.queryIndexPage(SubmissionPointerSchema, collection, undefined, page);
  }
}
