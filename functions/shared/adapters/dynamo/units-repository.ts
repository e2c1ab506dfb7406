import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type UnitRecord, UnitRecordSchema } from '../../../../schemas/records.ts';
import type { RosterRow } from '../../../../schemas/roster.ts';
import type { Page, PageRequest, UnitRepository } from '../../ports.ts';
import { districtKey, keys } from './keys.ts';
import {
  type DynamoStore,
  indexQuery,
  isConditionFailure,
  READ_ALL_PAGE_SIZE,
  retryOnConflict,
} from './store.ts';

export class DynamoUnitRepository implements UnitRepository {
  constructor(private readonly store: DynamoStore) {}

  async upsertFromRoster(row: RosterRow, now: Date): Promise<void> {
    const index = keys.unitIndex(row.district, row.type, row.code);
    await this.store.client.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: keys.unit(row.code),
        UpdateExpression:
          'SET code = :code, #name = :name, #type = :type, district = :district, contact = :contact, ' +
          'email = :email, phone = :phone, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, updatedAt = :now, ' +
          'hazardSeq = if_not_exists(hazardSeq, :zero), openGeneral = if_not_exists(openGeneral, :zero), ' +
          'openMajor = if_not_exists(openMajor, :zero) REMOVE withdrawnAt',
        ExpressionAttributeNames: { '#name': 'name', '#type': 'type' },
        ExpressionAttributeValues: {
          ':code': row.code,
          ':name': row.name,
          ':type': row.type,
          ':district': row.district,
          ':contact': row.contact,
          ':email': row.email,
          ':phone': row.phone,
          ':gsi1pk': index.gsi1pk,
          ':gsi1sk': index.gsi1sk,
          ':now': now.toISOString(),
          ':zero': 0,
        },
      }),
    );
  }

  async withdraw(code: string, now: Date): Promise<void> {
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.unit(code),
          UpdateExpression: 'SET withdrawnAt = :now, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(withdrawnAt)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      );
    } catch (error) {
      // Already withdrawn (or never there): nothing to change, so a rerun is a no-op.
      if (!isConditionFailure(error)) throw error;
    }
  }

  get(code: string): Promise<UnitRecord | null> {
    return this.store.getItem(UnitRecordSchema, keys.unit(code));
  }

  list(filter: { district?: string | null }, page?: PageRequest): Promise<Page<UnitRecord>> {
    const prefix = filter.district === undefined ? undefined : `${districtKey(filter.district)}#`;
    return this.store.queryIndexPage(UnitRecordSchema, 'UNITS', prefix, page);
  }

  async reserveHazardSeq(code: string, count: number): Promise<number> {
    // The profile item is also in every hazard transaction of the unit: a conflict is sent again.
    const { Attributes } = await retryOnConflict(() =>
      this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.unit(code),
          UpdateExpression: 'ADD hazardSeq :n',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':n': count },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(Attributes?.hazardSeq) - count + 1;
  }

  all(): AsyncIterable<UnitRecord> {
    return this.store.queryAll(UnitRecordSchema, indexQuery('UNITS'), READ_ALL_PAGE_SIZE);
  }
}
