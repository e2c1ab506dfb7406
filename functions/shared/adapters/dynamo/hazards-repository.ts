import {
  type HazardHistoryEntry,
  HazardHistoryEntrySchema,
  type HazardRecord,
  HazardRecordSchema,
} from '../../../../schemas/records.ts';
import type { CounterDelta, HazardRepository, Page, PageRequest } from '../../ports.ts';
import { districtKey, keys } from './keys.ts';
import { type DynamoStore, indexQuery, READ_ALL_PAGE_SIZE, type TransactItem } from './store.ts';
import { GSI2 } from './table.ts';

/**
 * Hazards: the current state, an append-only history and the unit's counters change in one
 * transaction, so a crash or a lost race never leaves them disagreeing.
 */
export class DynamoHazardRepository implements HazardRepository {
  constructor(private readonly store: DynamoStore) {}

  /** The three writes of a change: the hazard (under `condition`), its history entry, the unit's counters. */
  private change(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    condition: { expression: string; values?: Record<string, unknown> },
    unitUpdate: TransactItem | null,
  ): TransactItem[] {
    return [
      {
        Put: {
          TableName: this.store.tableName,
          Item: {
            ...keys.hazard(hazard.unitCode, hazard.id),
            ...keys.hazardIndex(hazard.district, hazard.unitCode, hazard.id),
            ...(hazard.supervision
              ? keys.supervisedIndex(hazard.supervision.supervisorUnit, hazard.unitCode, hazard.id)
              : {}),
            ...hazard,
          },
          ConditionExpression: condition.expression,
          ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
        },
      },
      {
        Put: {
          TableName: this.store.tableName,
          Item: { ...keys.hazardLog(hazard.unitCode, entry.hazardId, entry.seq), ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...(unitUpdate ? [unitUpdate] : []),
    ];
  }

  /** Adds `delta` to the unit's counters; with `seq`, also moves `hazardSeq` from `seq - 1` to `seq`. */
  private unitUpdate(unitCode: string, delta: CounterDelta, seq?: number): TransactItem | null {
    const adds = Object.entries(delta).filter(([, value]) => value !== undefined && value !== 0);
    if (adds.length === 0 && seq === undefined) return null;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const parts: string[] = [];
    // A counter never goes below zero: a decrement requires that much to be there.
    const floors: string[] = [];
    adds.forEach(([field, value], i) => {
      names[`#c${i}`] = field;
      values[`:c${i}`] = value;
      parts.push(`#c${i} = #c${i} + :c${i}`);
      if ((value ?? 0) < 0) {
        values[`:min${i}`] = -(value ?? 0);
        floors.push(`#c${i} >= :min${i}`);
      }
    });
    if (seq !== undefined) {
      parts.push('hazardSeq = :seq');
      values[':seq'] = seq;
      values[':previousSeq'] = seq - 1;
    }
    return {
      Update: {
        TableName: this.store.tableName,
        Key: keys.unit(unitCode),
        UpdateExpression: `SET ${parts.join(', ')}`,
        ConditionExpression: [
          seq === undefined ? 'attribute_exists(pk)' : 'hazardSeq = :previousSeq',
          ...floors,
        ].join(' AND '),
        ...(adds.length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
      },
    };
  }

  async create(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    delta: CounterDelta,
    unitSeq: number,
  ): Promise<void> {
    await this.store.transact(
      this.change(
        hazard,
        entry,
        { expression: 'attribute_not_exists(pk)' },
        this.unitUpdate(hazard.unitCode, delta, unitSeq),
      ),
      { zh: `隐患编号 ${hazard.id} 已被占用，请重试`, en: `hazard number ${hazard.id} is taken; try again` },
    );
  }

  async update(hazard: HazardRecord, entry: HazardHistoryEntry, delta: CounterDelta): Promise<void> {
    await this.store.transact(
      this.change(
        hazard,
        entry,
        { expression: 'version = :previous', values: { ':previous': hazard.version - 1 } },
        this.unitUpdate(hazard.unitCode, delta),
      ),
      {
        zh: `隐患 ${hazard.id} 已被他人修改，请刷新后重试`,
        en: `hazard ${hazard.id} was changed meanwhile; reload and try again`,
      },
    );
  }

  async createReserved(hazard: HazardRecord, entry: HazardHistoryEntry): Promise<void> {
    await this.store.transact(this.change(hazard, entry, { expression: 'attribute_not_exists(pk)' }, null), {
      zh: `隐患编号 ${hazard.id} 已存在`,
      en: `hazard number ${hazard.id} exists already`,
    });
  }

  get(unitCode: string, id: string): Promise<HazardRecord | null> {
    return this.store.getItem(HazardRecordSchema, keys.hazard(unitCode, id));
  }

  history(unitCode: string, id: string, page?: PageRequest): Promise<Page<HazardHistoryEntry>> {
    return this.store.queryPrefixPage(
      HazardHistoryEntrySchema,
      keys.unit(unitCode).pk,
      keys.hazardLogPrefix(id),
      page,
    );
  }

  listForUnit(unitCode: string, page?: PageRequest): Promise<Page<HazardRecord>> {
    return this.store.queryPrefixPage(HazardRecordSchema, keys.unit(unitCode).pk, 'HAZARD#', page);
  }

  supervisedBy(supervisor: string, page?: PageRequest): Promise<Page<HazardRecord>> {
    return this.store.queryPage(
      HazardRecordSchema,
      {
        IndexName: GSI2,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.supervisedIndex(supervisor, '', '').gsi2pk },
      },
      page,
    );
  }

  list(filter: { district?: string | null }, page?: PageRequest): Promise<Page<HazardRecord>> {
    const prefix = filter.district === undefined ? undefined : `${districtKey(filter.district)}#`;
    return this.store.queryIndexPage(HazardRecordSchema, 'HAZARDS', prefix, page);
  }

  all(): AsyncIterable<HazardRecord> {
    return this.store.queryAll(HazardRecordSchema, indexQuery('HAZARDS'), READ_ALL_PAGE_SIZE);
  }
}
