import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type OutboxItem, OutboxItemSchema } from '../../../../schemas/records.ts';
import type { Outbox, Page, PageRequest } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure, type TransactItem } from './store.ts';

/** The Put that owes a mail, for the hazard change's own transaction: listed in the sparse `OUTBOX` index until done. */
export function outboxPut(tableName: string, item: OutboxItem): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.outbox(item.unitCode, item.id),
        ...keys.outboxIndex(item.createdAt, item.unitCode, item.id),
        ...item,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * The hazard mails owed (the transactional outbox). Items are written by the hazards repository
 * in the transaction of the change that owes them; here they are read by the sweep and marked done.
 */
export class DynamoOutbox implements Outbox {
  constructor(private readonly store: DynamoStore) {}

  get(unitCode: string, id: string): Promise<OutboxItem | null> {
    return this.store.getItem(OutboxItemSchema, keys.outbox(unitCode, id));
  }

  /** The items still owed, oldest first (gsi1 `OUTBOX` holds only those). */
  pending(page?: PageRequest): Promise<Page<OutboxItem>> {
    return this.store.queryIndexPage(OutboxItemSchema, 'OUTBOX', undefined, page);
  }

  /** Done: leaves the index. Marking it again (a concurrent sweep) changes nothing. */
  async markDone(item: OutboxItem, outcome: 'sent' | 'refused', at: Date): Promise<void> {
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.outbox(item.unitCode, item.id),
          UpdateExpression: 'SET doneAt = :at, outcome = :outcome REMOVE gsi1pk, gsi1sk',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(doneAt)',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':outcome': outcome },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
