import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { UnitType } from '../../../../schemas/primitives.ts';
import { type UnitRecord, UnitRecordSchema } from '../../../../schemas/records.ts';
import { type RosterRow, sameRosterRow } from '../../../../schemas/roster.ts';
import { jitteredBackoff } from '../../domain/backoff.ts';
import { ConflictError } from '../../domain/errors.ts';
import { type HazardTally, isTallyCounter } from '../../domain/hazards/hazard-tally.ts';
import { rollupKeyOf } from '../../domain/report/rollup.ts';
import type { Page, PageRequest, RollupRules, UnitRepository } from '../../ports.ts';
import { districtKey, keys } from './keys.ts';
import { lagKeyParts, MARK_PREFIX, rollupAdd, rollupMove, unchanged } from './profile-writes.ts';
import {
  type DynamoStore,
  indexQuery,
  isConditionFailure,
  READ_ALL_PAGE_SIZE,
  retryOnConflict,
  stripKeys,
  type TransactItem,
} from './store.ts';
import { GSI2, GSI3 } from './table.ts';

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_LIMIT = 100;

/**
 * A unit's item as its record: the tally's counters, one attribute each (so that a hazard's
 * transaction can ADD to any of them), gathered into `tally`; the filing marks (`fm#<deliverable>`)
 * into `marks`.
 */
const UnitItemSchema = z.preprocess((item) => {
  if (item === null || typeof item !== 'object') return item;
  const record: Record<string, unknown> = {};
  const tally: Record<string, unknown> = {};
  const marks: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (isTallyCounter(name)) {
      if (value !== 0) tally[name] = value;
    } else if (name.startsWith(MARK_PREFIX)) marks[name.slice(MARK_PREFIX.length)] = value;
    else record[name] = value;
  }
  return { ...record, tally, marks };
}, UnitRecordSchema);

/** Roster changes sent again after a concurrent change of the unit: each reads it afresh. */
const ROSTER_ATTEMPTS = 8;

export class DynamoUnitRepository implements UnitRepository {
  constructor(private readonly store: DynamoStore) {}

  /**
   * Creates the unit or refreshes its roster fields, reading it first (the same fields again write
   * nothing). A unit new to the table has
   * no hazards or filings, so its (empty) tally and marks are complete from the start: it is created
   * `tallied`, with its rollup key, and its part (the unit itself) is added to its district's
   * rollup in the same transaction. A unit already there keeps its counters; one the roster moves
   * to another district is marked `moved` (its filings and hazards stay indexed under the district
   * it had), so the dashboard reads everything for it. A change of district, type or withdrawal
   * moves the unit's whole part between rollups, conditioned on the unit's tally and marks being
   * as read (`tallyRev`, `markRev`); a concurrent change makes it read again.
   */
  async upsertFromRoster(row: RosterRow, now: Date, rules: RollupRules): Promise<void> {
    await this.rosterChange(row.code, rules, (current) => {
      // The same row again changes nothing, and writes nothing (no filing in flight is disturbed).
      if (current && sameRosterRow(current, row)) return null;
      const moved = current !== null && (current.moved === true || current.district !== row.district);
      const at = now.toISOString();
      const created = { hazardSeq: 0, openGeneral: 0, openMajor: 0, tallied: true, markRev: 0 };
      return {
        next: {
          ...(current ?? { ...created, linkVersion: 0 }),
          ...row,
          updatedAt: at,
          withdrawnAt: undefined,
          moved,
        },
        sets: {
          code: row.code,
          name: row.name,
          type: row.type,
          district: row.district,
          contact: row.contact,
          email: row.email,
          phone: row.phone,
          ...keys.unitIndex(row.district, row.type, row.code),
          updatedAt: at,
          ...(current === null ? created : {}),
          ...(moved ? { moved: true } : {}),
        },
        removes: ['withdrawnAt'],
      };
    });
  }

  async withdraw(code: string, now: Date, rules: RollupRules): Promise<void> {
    // Already withdrawn (or never there): nothing to change, so a rerun is a no-op.
    const at = now.toISOString();
    await this.rosterChange(code, rules, (current) =>
      current === null || current.withdrawnAt
        ? null
        : { next: { ...current, withdrawnAt: at }, sets: { withdrawnAt: at, updatedAt: at }, removes: [] },
    );
  }

  /**
   * Reads the unit, asks `change` what it becomes, and writes that with the unit's rollup part
   * moved (`rules`), conditioned on the unit being as read; sent again, read afresh, while a
   * concurrent change wins. A unit from before the rollups (no `rollupKey`) stays out of them.
   */
  private async rosterChange(
    code: string,
    rules: RollupRules,
    change: (
      current: UnitRecord | null,
    ) => { next: UnitRecord; sets: Record<string, unknown>; removes: string[] } | null,
  ): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.get(code);
      const plan = change(current);
      if (!plan) return;
      const { next } = plan;
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      const sets = Object.entries(plan.sets).map(([name, value], i) => {
        names[`#s${i}`] = name;
        values[`:s${i}`] = value;
        return `#s${i} = :s${i}`;
      });
      const removes = [...plan.removes];
      let rollups: TransactItem[] = [];
      if (current === null || current.rollupKey !== undefined) {
        const key = rollupKeyOf(next);
        sets.push('rollupKey = :rollupKey');
        values[':rollupKey'] = key;
        const lag = lagKeyParts(code, next.district, rules.lag(next));
        sets.push(...lag.sets);
        removes.push(...lag.removes);
        Object.assign(values, lag.values);
        rollups = rollupMove(
          this.store.tableName,
          current?.rollupKey === undefined
            ? null
            : { key: current.rollupKey, counters: rules.contribution(current) },
          { key, counters: rules.contribution(next) },
        );
      }
      const condition =
        current === null
          ? 'attribute_not_exists(pk)'
          : [
              'attribute_exists(pk)',
              unchanged('tallyRev', current.tallyRev, values),
              unchanged('markRev', current.markRev, values),
              unchanged('rollupKey', current.rollupKey, values),
            ].join(' AND ');
      if (current !== null) values[':one'] = 1;
      const update = {
        TableName: this.store.tableName,
        Key: keys.unit(code),
        UpdateExpression: [
          `SET ${sets.join(', ')}`,
          ...(current !== null ? ['ADD markRev :one'] : []),
          ...(removes.length > 0 ? [`REMOVE ${removes.join(', ')}`] : []),
        ].join(' '),
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      };
      try {
        if (rollups.length === 0) await this.store.client.send(new UpdateCommand(update));
        else
          await this.store.client.send(
            new TransactWriteCommand({ TransactItems: [{ Update: update }, ...rollups] }),
          );
        return;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= ROSTER_ATTEMPTS) throw error;
        await jitteredBackoff(attempt);
      }
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

  async admitToRollup(unit: UnitRecord, rules: RollupRules): Promise<void> {
    const key = rollupKeyOf(unit);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':rollupKey': key, ':one': 1 };
    const sets = ['rollupKey = :rollupKey'];
    Object.entries(unit.marks ?? {}).forEach(([deliverableId, mark], i) => {
      names[`#m${i}`] = `${MARK_PREFIX}${deliverableId}`;
      values[`:m${i}`] = mark;
      sets.push(`#m${i} = :m${i}`);
    });
    const lag = lagKeyParts(unit.code, unit.district, rules.lag(unit));
    sets.push(...lag.sets);
    Object.assign(values, lag.values);
    const condition = [
      'attribute_exists(pk)',
      'attribute_not_exists(rollupKey)',
      unchanged('tallyRev', unit.tallyRev, values),
      unchanged('markRev', unit.markRev, values),
    ].join(' AND ');
    const rollup = rollupAdd(this.store.tableName, key, rules.contribution(unit));
    await this.store.transact(
      [
        {
          Update: {
            TableName: this.store.tableName,
            Key: keys.unit(unit.code),
            UpdateExpression: `SET ${sets.join(', ')} ADD markRev :one${lag.removes.length > 0 ? ` REMOVE ${lag.removes.join(', ')}` : ''}`,
            ConditionExpression: condition,
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: values,
          },
        },
        ...(rollup ? [rollup] : []),
      ],
      {
        zh: `单位 ${unit.code} 在计入区县汇总期间有变动`,
        en: `${unit.code} changed while it was added to its district's rollup`,
      },
    );
  }

  get(code: string): Promise<UnitRecord | null> {
    return this.store.getItem(UnitItemSchema, keys.unit(code));
  }

  async getMany(codes: readonly string[]): Promise<UnitRecord[]> {
    const found: UnitRecord[] = [];
    const unique = [...new Set(codes)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.store.tableName]: { Keys: unique.slice(i, i + BATCH_GET_LIMIT).map((code) => keys.unit(code)) },
      };
      for (let attempt = 1; request && Object.keys(request).length > 0; attempt += 1) {
        if (attempt > 1) await jitteredBackoff(Math.min(attempt, 6));
        const result: BatchGetCommandOutput = await this.store.client.send(
          new BatchGetCommand({ RequestItems: request, ReturnConsumedCapacity: 'TOTAL' }),
        );
        this.store.reads.queries += 1;
        this.store.reads.items += result.Responses?.[this.store.tableName]?.length ?? 0;
        this.store.reads.capacityUnits += (result.ConsumedCapacity ?? []).reduce(
          (sum, c) => sum + (c.CapacityUnits ?? 0),
          0,
        );
        for (const item of result.Responses?.[this.store.tableName] ?? [])
          found.push(UnitItemSchema.parse(stripKeys(item)));
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  lagging(district: string | null, index: 'owed' | 'lag', page?: PageRequest): Promise<Page<UnitRecord>> {
    const [indexName, pk] =
      index === 'owed'
        ? [GSI2, { name: 'gsi2pk', value: keys.owedIndex(district, '', '').gsi2pk }]
        : [GSI3, { name: 'gsi3pk', value: keys.lagIndex(district, 0, '').gsi3pk }];
    return this.store.queryPage(
      UnitItemSchema,
      {
        IndexName: indexName,
        KeyConditionExpression: `${pk.name} = :pk`,
        ExpressionAttributeValues: { ':pk': pk.value },
      },
      page,
    );
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
