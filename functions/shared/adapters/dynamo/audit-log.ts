import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, AuditEventSchema } from '../../../../schemas/records.ts';
import { localDateOf } from '../../domain/calendar/calendar.ts';
import type { AuditLog, Page, PageRequest } from '../../ports.ts';
import { keys } from './keys.ts';
import type { DynamoStore } from './store.ts';

/** The stored item of a new audit event, under its campaign day; other adapters add it to their transactions. */
export function auditPut(tableName: string, input: Omit<AuditEvent, 'id'>, timeZone: string) {
  const event = AuditEventSchema.parse({ ...input, id: randomUUID() });
  const day = localDateOf(new Date(event.at), timeZone);
  return {
    event,
    put: {
      TableName: tableName,
      Item: { ...keys.audit(day, event.at, event.id), ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The append-only audit trail, partitioned by campaign day. Items are only ever put, never updated. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly store: DynamoStore,
    private readonly timeZone: string,
  ) {}

  async append(input: Omit<AuditEvent, 'id'>): Promise<AuditEvent> {
    const { event, put } = auditPut(this.store.tableName, input, this.timeZone);
    await this.store.client.send(new PutCommand(put));
    return event;
  }

  listDay(day: string, page?: PageRequest): Promise<Page<AuditEvent>> {
    return this.store.queryPage(
      AuditEventSchema,
      { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `AUDIT#${day}` } },
      page,
    );
  }
}
