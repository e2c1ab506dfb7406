import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type HazardHistoryEntry,
  HazardHistoryEntrySchema,
  type HazardRecord,
  HazardRecordSchema,
} from '../../../../schemas/records.ts';
import type { CounterDelta, HazardRepository, Page, PageRequest } from '../../ports.ts';
import { districtKey, keys } from './keys.ts';
import { conditionally, type DynamoStore, stripKeys } from './store.ts';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/**
 * Hazards: the current state, an append-only history and the unit's counters change in one
 * transaction, so a crash or a lost race never leaves them disagreeing.
 */
export class DynamoHazardRepository implements HazardRepository {
  constructor(private readonly store: DynamoStore) {}

  private historyPut(entry: HazardHistoryEntry, unitCode: string): TransactItem {
    return {
      Put: {
        TableName: this.store.tableName,
        Item: { ...keys.hazardLog(unitCode, entry.hazardId, entry.seq), ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private unitUpdate(unitCode: string, delta: CounterDelta, extra?: { seq: number }): TransactItem | null {
    const adds = Object.entries(delta).filter(([, value]) => value !== undefined && value !== 0);
    if (adds.length === 0 && !extra) return null;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const parts: string[] = [];
    adds.forEach(([field, value], i) => {
      names[`#c${i}`] = field;
      values[`:c${i}`] = value;
      parts.push(`#c${i} = #c${i} + :c${i}`);
    });
    if (extra) {
      parts.push('hazardSeq = :seq');
      values[':seq'] = extra.seq;
      values[':previousSeq'] = extra.seq - 1;
    }
    return {
      Update: {
        TableName: this.store.tableName,
        Key: keys.unit(unitCode),
        UpdateExpression: `SET ${parts.join(', ')}`,
        ConditionExpression: extra ? 'hazardSeq = :previousSeq' : 'attribute_exists(pk)',
        ...(adds.length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      },
    };
  }

  private item(hazard: HazardRecord) {
    return {
      ...keys.hazard(hazard.unitCode, hazard.id),
      ...keys.hazardIndex(hazard.district, hazard.unitCode, hazard.id),
      ...hazard,
    };
  }

  async create(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    delta: CounterDelta,
    unitSeq: number,
  ): Promise<void> {
    const unitUpdate = this.unitUpdate(hazard.unitCode, delta, { seq: unitSeq });
    await conditionally(
      () =>
        this.store.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.store.tableName,
                  Item: this.item(hazard),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              this.historyPut(entry, hazard.unitCode),
              ...(unitUpdate ? [unitUpdate] : []),
            ],
          }),
        ),
      { zh: `隐患编号 ${hazard.id} 已被占用，请重试`, en: `hazard number ${hazard.id} is taken; try again` },
    );
  }

  async update(hazard: HazardRecord, entry: HazardHistoryEntry, delta: CounterDelta): Promise<void> {
    const unitUpdate = this.unitUpdate(hazard.unitCode, delta);
    await conditionally(
      () =>
        this.store.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.store.tableName,
                  Item: this.item(hazard),
                  ConditionExpression: 'version = :previous',
                  ExpressionAttributeValues: { ':previous': hazard.version - 1 },
                },
              },
              this.historyPut(entry, hazard.unitCode),
              ...(unitUpdate ? [unitUpdate] : []),
            ],
          }),
        ),
      {
        zh: `隐患 ${hazard.id} 已被他人修改，请刷新后重试`,
        en: `hazard ${hazard.id} was changed meanwhile; reload and try again`,
      },
    );
  }

  async get(unitCode: string, id: string): Promise<HazardRecord | null> {
    const { Item } = await this.store.client.send(
      new GetCommand({
        TableName: this.store.tableName,
        Key: keys.hazard(unitCode, id),
        ConsistentRead: true,
      }),
    );
    return Item ? HazardRecordSchema.parse(stripKeys(Item)) : null;
  }

  history(unitCode: string, id: string, page?: PageRequest): Promise<Page<HazardHistoryEntry>> {
    return this.store.queryPage(
      HazardHistoryEntrySchema,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.unit(unitCode).pk, ':prefix': keys.hazardLogPrefix(id) },
      },
      page,
    );
  }

  listForUnit(unitCode: string, page?: PageRequest): Promise<Page<HazardRecord>> {
    return this.store.queryPage(
      HazardRecordSchema,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.unit(unitCode).pk, ':prefix': 'HAZARD#' },
      },
      page,
    );
  }

  list(filter: { district?: string | null }, page?: PageRequest): Promise<Page<HazardRecord>> {
    const prefix = filter.district === undefined ? undefined : `${districtKey(filter.district)}#`;
    return this.store.queryIndexPage(HazardRecordSchema, 'HAZARDS', prefix, page);
  }
}
