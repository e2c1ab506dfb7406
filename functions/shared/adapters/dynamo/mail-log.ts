import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type MailRecord, MailRecordSchema } from '../../../../schemas/records.ts';
import type { MailLog } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure } from './store.ts';

/**
 * How long a claim holds without being marked sent or failed. Past it, the sender is presumed
 * dead (a Lambda that timed out between claiming and sending) and the mail may be claimed again.
 */
export const CLAIM_LEASE_MS = 15 * 60 * 1000;

/**
 * Records of outbound mail, keyed by campaign day + purpose + recipient. A claim is written
 * conditionally before sending, so a retried run finds it and sends nothing twice.
 */
export class DynamoMailLog implements MailLog {
  constructor(private readonly store: DynamoStore) {}

  async claim(day: string, purpose: string, recipient: string, now: Date): Promise<boolean> {
    const record: MailRecord = { day, purpose, recipient, status: 'claimed', claimedAt: now.toISOString() };
    try {
      await this.store.client.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.mail(day, purpose, recipient), ...record },
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :claimed AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':claimed': 'claimed',
            ':stale': new Date(now.getTime() - CLAIM_LEASE_MS).toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markSent(
    day: string,
    purpose: string,
    recipient: string,
    messageId: string,
    now: Date,
  ): Promise<void> {
    await this.store.client.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: keys.mail(day, purpose, recipient),
        UpdateExpression: 'SET #status = :sent, messageId = :id, sentAt = :at REMOVE #error',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: { ':sent': 'sent', ':id': messageId, ':at': now.toISOString() },
      }),
    );
  }

  async markFailed(day: string, purpose: string, recipient: string, error: string): Promise<void> {
    await this.store.client.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: keys.mail(day, purpose, recipient),
        UpdateExpression: 'SET #status = :failed, #error = :error',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :sent',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: { ':failed': 'failed', ':sent': 'sent', ':error': error.slice(0, 1000) },
      }),
    );
  }

  get(day: string, purpose: string, recipient: string): Promise<MailRecord | null> {
    return this.store.getItem(MailRecordSchema, keys.mail(day, purpose, recipient));
  }

  async failedOn(day: string): Promise<MailRecord[]> {
    const failed: MailRecord[] = [];
    const { pk } = keys.mail(day, '', '');
    for await (const record of this.store.queryAll(MailRecordSchema, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }))
      if (record.status === 'failed') failed.push(record);
    return failed;
  }
}
