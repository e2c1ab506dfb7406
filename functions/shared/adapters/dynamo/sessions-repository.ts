import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type SessionRecord, SessionRecordSchema } from '../../../../schemas/records.ts';
import type { SessionRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure } from './store.ts';
import { ttlDaysAfter } from './table.ts';

/** Workspace sessions; DynamoDB drops each a day after its hard end (readers check the times themselves). */
export class DynamoSessionRepository implements SessionRepository {
  constructor(private readonly store: DynamoStore) {}

  async create(session: SessionRecord): Promise<void> {
    await this.store.client.send(
      new PutCommand({
        TableName: this.store.tableName,
        Item: { ...keys.session(session.hash), ...session, ttl: ttlDaysAfter(session.expiresAt, 1) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  get(hash: string): Promise<SessionRecord | null> {
    return this.store.getItem(SessionRecordSchema, keys.session(hash));
  }

  async touch(hash: string, at: string, staleBefore: string): Promise<void> {
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.session(hash),
          UpdateExpression: 'SET lastSeenAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND lastSeenAt < :stale',
          ExpressionAttributeValues: { ':at': at, ':stale': staleBefore },
        }),
      );
    } catch (error) {
      // Seen recently already (another request touched it), or ended meanwhile: nothing to do.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async end(hash: string): Promise<void> {
    await this.store.client.send(
      new DeleteCommand({ TableName: this.store.tableName, Key: keys.session(hash) }),
    );
  }
}
