import {
  type HazardFormKey,
  HazardFormKeySchema,
  type HazardHistoryEntry,
  HazardHistoryEntrySchema,
  type HazardRecord,
  HazardRecordSchema,
  type OutboxItem,
} from '../../../../schemas/records.ts';
import type { Bilingual } from '../../../../schemas/validation.ts';
import { jitteredBackoff } from '../../domain/backoff.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { CounterDelta, HazardRepository, Page, PageRequest } from '../../ports.ts';
import { districtKey, keys } from './keys.ts';
import { outboxPut } from './outbox.ts';
import {
  type DynamoStore,
  indexQuery,
  isTransactionConflictOnly,
  READ_ALL_PAGE_SIZE,
  type TransactItem,
} from './store.ts';
import { GSI2 } from './table.ts';
import { unitCounterItems } from './unit-counters.ts';

/**
 * Hazards: the current state, an append-only history and the unit's counters change in one
 * transaction, so a crash or a lost race never leaves them disagreeing.
 */
/** How often a transaction cancelled only by concurrent ones is sent again. */
const TRANSACTION_ATTEMPTS = 8;

/** Said when a unit's other reports kept the transaction busy through every attempt: nothing was stored. */
const BUSY: Bilingual = {
  zh: '本单位同时提交的隐患较多，本次未保存，请稍后再提交一次',
  en: "your unit's other reports kept the system busy; this one was not saved: submit it again in a moment",
};

export class DynamoHazardRepository implements HazardRepository {
  constructor(private readonly store: DynamoStore) {}

  /** The three writes of a change: the hazard (under `condition`), its history entry, the unit's counters. */
  private change(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    condition: { expression: string; values?: Record<string, unknown> },
    unitItems: readonly TransactItem[],
  ): TransactItem[] {
    return [
      {
        Put: {
          TableName: this.store.tableName,
          Item: {
            ...keys.hazard(hazard.unitCode, hazard.id),
            ...keys.hazardIndex(hazard.district, hazard.unitCode, hazard.id),
            // A withdrawn report leaves its supervisor's list: the Put drops the sparse index keys.
            ...(hazard.supervision && hazard.status !== 'withdrawn'
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
      ...unitItems,
    ];
  }

  /**
   * Runs a transaction, sending it again while it is cancelled only by another transaction on the
   * same items: every report and action of a unit also moves the unit's counters, so concurrent
   * ones meet there. Each item carries its own condition, so sending it again is safe.
   */
  private async transact(items: TransactItem[], conflict: Bilingual): Promise<void> {
    // Still busy after every attempt: nothing was stored, which `conflict` would not say.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.store.transact(items, conflict);
        return;
      } catch (error) {
        const busy = error instanceof ConflictError && isTransactionConflictOnly(error.cause);
        if (busy && attempt >= TRANSACTION_ATTEMPTS) throw new ConflictError(BUSY, { cause: error.cause });
        if (!busy) throw error;
        await jitteredBackoff(attempt);
      }
    }
  }

  /**
   * The hazard's number comes from `UnitRepository.reserveHazardSeq` (one atomic ADD), so no
   * concurrent report can take it: the hazard's `attribute_not_exists` only guards against a bug.
   * The form key's `attribute_not_exists` is what refuses a replayed or double-clicked form. One
   * transaction writes both, so there is no moment where one exists without the other: nothing
   * to expire, unlike an "in progress" marker written before the work and completed after it.
   */
  async create(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    delta: CounterDelta,
    formKey: Pick<HazardFormKey, 'formKey' | 'fingerprint'>,
    outbox: readonly OutboxItem[] = [],
  ): Promise<void> {
    const key: HazardFormKey = {
      unitCode: hazard.unitCode,
      formKey: formKey.formKey,
      hazardId: hazard.id,
      fingerprint: formKey.fingerprint,
      at: hazard.createdAt,
    };
    await this.transact(
      [
        ...this.change(
          hazard,
          entry,
          { expression: 'attribute_not_exists(pk)' },
          await unitCounterItems(this.store, hazard.unitCode, delta),
        ),
        {
          Put: {
            TableName: this.store.tableName,
            Item: { ...keys.hazardFormKey(hazard.unitCode, key.formKey), ...key },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...outbox.map((item) => outboxPut(this.store.tableName, item)),
      ],
      {
        zh: '这份隐患上报表已经提交过',
        en: 'this hazard report form was submitted already',
      },
    );
  }

  formKey(unitCode: string, formKey: string): Promise<HazardFormKey | null> {
    return this.store.getItem(HazardFormKeySchema, keys.hazardFormKey(unitCode, formKey));
  }

  async update(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    delta: CounterDelta,
    outbox: readonly OutboxItem[] = [],
  ): Promise<void> {
    await this.transact(
      [
        ...this.change(
          hazard,
          entry,
          { expression: 'version = :previous', values: { ':previous': hazard.version - 1 } },
          await unitCounterItems(this.store, hazard.unitCode, delta),
        ),
        ...outbox.map((item) => outboxPut(this.store.tableName, item)),
      ],
      {
        zh: `隐患 ${hazard.id} 已被他人修改，请刷新后重试`,
        en: `hazard ${hazard.id} was changed meanwhile; reload and try again`,
      },
    );
  }

  async createReserved(
    hazard: HazardRecord,
    entry: HazardHistoryEntry,
    outbox: readonly OutboxItem[] = [],
  ): Promise<void> {
    const items = [
      ...this.change(hazard, entry, { expression: 'attribute_not_exists(pk)' }, []),
      ...outbox.map((item) => outboxPut(this.store.tableName, item)),
    ];
    await this.store.transact(items, {
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

  /** Read consistently: a unit sees its own report at once, and a recount of its tally misses none. */
  listForUnit(unitCode: string, page?: PageRequest): Promise<Page<HazardRecord>> {
    return this.store.queryPrefixPage(HazardRecordSchema, keys.unit(unitCode).pk, 'HAZARD#', page, {
      consistent: true,
    });
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
