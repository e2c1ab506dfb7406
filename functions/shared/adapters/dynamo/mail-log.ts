import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type MailRecord, MailRecordSchema } from '../../../../schemas/records.ts';
import { type Clock, systemClock } from '../../domain/clock.ts';
import type { ClaimResult, MailLog } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure } from './store.ts';

/**
 * How long a claim holds without being marked sent or failed: longer than the longest function
 * timeout (600 s). Past it, the sender is presumed dead (a Lambda that timed out between claiming
 * and sending) and the mail may be claimed again. Measured on real time, never the campaign
 * clock: a simulated clock (sped up, or restarted) must not make a live claim look stale.
 */
export const CLAIM_LEASE_MS = 15 * 60 * 1000;

/**
 * Records of outbound mail, keyed by campaign day + purpose + recipient. A claim is written
 * conditionally before sending, so a retried run finds it and sends nothing twice.
 */
export class DynamoMailLog implements MailLog {
  constructor(
    private readonly store: DynamoStore,
    /** The lease's clock: real time (tests pass their own). */
    private readonly leaseClock: Clock = systemClock,
  ) {}

  async claim(day: string, purpose: string, recipient: string, now: Date): Promise<ClaimResult> {
    const realNow = this.leaseClock.now().getTime();
    const record: MailRecord = {
      day,
      purpose,
      recipient,
      status: 'claimed',
      claimedAt: now.toISOString(),
      leaseUntil: realNow + CLAIM_LEASE_MS,
    };
    try {
      await this.store.client.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.mail(day, purpose, recipient), ...record },
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status = :claimed AND (leaseUntil < :now OR attribute_not_exists(leaseUntil)))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed', ':claimed': 'claimed', ':now': realNow },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const held = await this.get(day, purpose, recipient);
      return held?.status === 'sent' ? 'sent' : 'in-flight';
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

  private isStale(record: MailRecord): boolean {
    return record.leaseUntil === undefined || record.leaseUntil < this.leaseClock.now().getTime();
  }

  async failedOn(day: string): Promise<MailRecord[]> {
    const failed: MailRecord[] = [];
    const { pk } = keys.mail(day, '', '');
    for await (const record of this.store.queryAll(MailRecordSchema, {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    }))
      if (record.status === 'failed' || (record.status === 'claimed' && this.isStale(record)))
        failed.push(record);
    return failed;
  }
}
