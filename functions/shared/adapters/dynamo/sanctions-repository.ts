import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AuditEvent,
  type SanctionDocument,
  type SanctionRecord,
  SanctionRecordSchema,
} from '../../../../schemas/records.ts';
import type { SanctionRepository } from '../../ports.ts';
import { auditPut } from './audit-log.ts';
import { districtKey, keys } from './keys.ts';
import {
  type DynamoStore,
  indexQuery,
  isConditionFailure,
  READ_ALL_PAGE_SIZE,
  writeIfStill,
} from './store.ts';
import { GSI1 } from './table.ts';

/**
 * Summons and circulars (约谈/通报): the decision on its unit's partition (listed in gsi1
 * `SANCTIONS`), a copy under its form's one-time key, and its audit event, written together.
 */
export class DynamoSanctionRepository implements SanctionRepository {
  constructor(
    private readonly store: DynamoStore,
    private readonly timeZone: string,
  ) {}

  async record(sanction: SanctionRecord, audit: Omit<AuditEvent, 'id'>): Promise<'recorded' | 'duplicate'> {
    const item = SanctionRecordSchema.parse(sanction);
    const { tableName } = this.store;
    return (await writeIfStill(() =>
      this.store.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.sanction(item.unitCode, item.recordedAt, item.id),
                  ...keys.sanctionIndex(item.district, item.unitCode, item.recordedAt),
                  ...item,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: tableName,
                Item: { ...keys.sanctionFormKey(item.unitCode, item.id), ...item },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: auditPut(tableName, audit, this.timeZone).put },
          ],
        }),
      ),
    ))
      ? 'recorded'
      : 'duplicate';
  }

  byFormKey(unitCode: string, formKey: string): Promise<SanctionRecord | null> {
    return this.store.getItem(SanctionRecordSchema, keys.sanctionFormKey(unitCode, formKey));
  }

  async listForUnit(unitCode: string): Promise<SanctionRecord[]> {
    const out: SanctionRecord[] = [];
    for await (const s of this.store.queryAll(SanctionRecordSchema, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `UNIT#${unitCode}`, ':prefix': keys.sanctionPrefix },
    }))
      out.push(s);
    return out;
  }

  async attachDocument(
    sanction: Pick<SanctionRecord, 'unitCode' | 'recordedAt' | 'id'>,
    document: SanctionDocument,
  ): Promise<'attached' | 'kept'> {
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.sanction(sanction.unitCode, sanction.recordedAt, sanction.id),
          UpdateExpression: 'SET #document = :document',
          // ISO instants in UTC compare as strings; an upload as old as the stored one is a repeat.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(#document) OR #document.addedAt < :at)',
          ExpressionAttributeNames: { '#document': 'document' },
          ExpressionAttributeValues: { ':document': document, ':at': document.addedAt },
        }),
      );
      return 'attached';
    } catch (error) {
      if (isConditionFailure(error)) return 'kept';
      throw error;
    }
  }

  list(filter: { district?: string | null }): AsyncIterable<SanctionRecord> {
    if (filter.district === undefined) return this.all();
    return this.store.queryAll(
      SanctionRecordSchema,
      {
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':pk': 'SANCTIONS', ':prefix': `${districtKey(filter.district)}#` },
      },
      READ_ALL_PAGE_SIZE,
    );
  }

  all(): AsyncIterable<SanctionRecord> {
    return this.store.queryAll(SanctionRecordSchema, indexQuery('SANCTIONS'), READ_ALL_PAGE_SIZE);
  }
}
