import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { UnitType } from '../../../../schemas/primitives.ts';
import { type UnitRecord, UnitRecordSchema } from '../../../../schemas/records.ts';
import type { RosterRow } from '../../../../schemas/roster.ts';
import { ConflictError } from '../../domain/errors.ts';
import { type HazardTally, isTallyCounter } from '../../domain/hazards/hazard-tally.ts';
import type { Page, PageRequest, UnitRepository } from '../../ports.ts';
import { districtKey, keys } from './keys.ts';
import {
  type DynamoStore,
  indexQuery,
  isConditionFailure,
  READ_ALL_PAGE_SIZE,
  retryOnConflict,
} from './store.ts';

/**
 * A unit's item as its record: the tally's counters, one attribute each (so that a hazard's
 * transaction can ADD to any of them), gathered into `tally`.
 */
const UnitItemSchema = z.preprocess((item) => {
  if (item === null || typeof item !== 'object') return item;
  const record: Record<string, unknown> = {};
  const tally: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (isTallyCounter(name)) {
      if (value !== 0) tally[name] = value;
    } else record[name] = value;
  }
  return { ...record, tally };
}, UnitRecordSchema);

export class DynamoUnitRepository implements UnitRepository {
  constructor(private readonly store: DynamoStore) {}

  /**
   * A unit new to the table has no hazards, so its (empty) tally is complete from the start: it is
   * created `tallied`, under `attribute_not_exists`. A unit already there keeps its counters; one
   * the roster moves to another district is marked `moved` (its filings and hazards stay indexed
   * under the district it had), so the dashboard reads everything for it (`talliedDashboard`).
   */
  async upsertFromRoster(row: RosterRow, now: Date): Promise<void> {
    for (const mode of ['created', 'same-district'] as const) {
      try {
        await this.store.client.send(this.upsert(row, now, mode));
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    await this.store.client.send(this.upsert(row, now, 'moved'));
  }

  private upsert(row: RosterRow, now: Date, mode: 'created' | 'same-district' | 'moved'): UpdateCommand {
    const created = mode === 'created';
    const index = keys.unitIndex(row.district, row.type, row.code);
    return new UpdateCommand({
      TableName: this.store.tableName,
      Key: keys.unit(row.code),
      UpdateExpression:
        'SET code = :code, #name = :name, #type = :type, district = :district, contact = :contact, ' +
        'email = :email, phone = :phone, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, updatedAt = :now, ' +
        'hazardSeq = if_not_exists(hazardSeq, :zero), openGeneral = if_not_exists(openGeneral, :zero), ' +
        `openMajor = if_not_exists(openMajor, :zero)${created ? ', tallied = :yes' : ''}` +
        `${mode === 'moved' ? ', moved = :yes' : ''} REMOVE withdrawnAt`,
      ...(created ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
      // The index key begins with the district the unit had: unchanged, or it moved.
      ...(mode === 'same-district' ? { ConditionExpression: 'begins_with(gsi1sk, :districtPrefix)' } : {}),
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
        ...(created || mode === 'moved' ? { ':yes': true } : {}),
        ...(mode === 'same-district' ? { ':districtPrefix': `${districtKey(row.district)}#` } : {}),
      },
    });
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

  async replaceTally(unit: UnitRecord, tally: HazardTally): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':yes': true };
    const sets = ['tallied = :yes'];
    Object.entries(tally).forEach(([counter, n], i) => {
      names[`#t${i}`] = counter;
      values[`:t${i}`] = n;
      sets.push(`#t${i} = :t${i}`);
    });
    const stale = Object.keys(unit.tally ?? {}).filter((counter) => !(counter in tally));
    stale.forEach((counter, i) => {
      names[`#s${i}`] = counter;
    });
    if (unit.tallyRev !== undefined) values[':rev'] = unit.tallyRev;
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.unit(unit.code),
          UpdateExpression: `SET ${sets.join(', ')}${stale.length > 0 ? ` REMOVE ${stale.map((_, i) => `#s${i}`).join(', ')}` : ''}`,
          ConditionExpression: `attribute_exists(pk) AND ${unit.tallyRev === undefined ? 'attribute_not_exists(tallyRev)' : 'tallyRev = :rev'}`,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      throw new ConflictError(
        {
          zh: `单位 ${unit.code} 的隐患在统计期间有变动`,
          en: `a hazard of ${unit.code} changed while it was counted`,
        },
        { cause: error },
      );
    }
  }

  get(code: string): Promise<UnitRecord | null> {
    return this.store.getItem(UnitItemSchema, keys.unit(code));
  }

  list(filter: { district?: string | null }, page?: PageRequest): Promise<Page<UnitRecord>> {
    const prefix = filter.district === undefined ? undefined : `${districtKey(filter.district)}#`;
    return this.store.queryIndexPage(UnitItemSchema, 'UNITS', prefix, page);
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

  all(filter?: { district: string | null; type?: UnitType }): AsyncIterable<UnitRecord> {
    const prefix =
      filter === undefined
        ? undefined
        : `${districtKey(filter.district)}#${filter.type ? `${filter.type}#` : ''}`;
    return this.store.queryAll(UnitItemSchema, indexQuery('UNITS', prefix), READ_ALL_PAGE_SIZE);
  }
}
