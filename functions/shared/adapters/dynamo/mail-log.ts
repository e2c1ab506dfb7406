import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type MailRecord, MailRecordSchema } from '../../../../schemas/records.ts';
import { jitteredBackoff } from '../../domain/backoff.ts';
import { type Clock, systemClock } from '../../domain/calendar/clock.ts';
import { FUNCTION_TIMEOUT_SECONDS } from '../../function-limits.ts';
import type { ClaimResult, MailLog, RunFence } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure } from './store.ts';

/**
 * How long an unfenced claim (a receipt, sent by upload-received) holds without being marked
 * sent or failed: the function's timeout and a margin, since no invocation outlives it. Past
 * it, the sender is presumed dead and the mail may be claimed again, so the event's retry
 * (Lambda's come after 1 and 3 minutes; the local bridge's within seconds) can send it. Measured
 * on real time, never the campaign clock: a simulated clock (sped up, or restarted) must not
 * make a live claim look stale. A fenced claim (the daily check) needs no such wait: the run
 * lease decides.
 */
export const CLAIM_LEASE_MS = (FUNCTION_TIMEOUT_SECONDS['upload-received'] + 30) * 1000;

/** Claims race on the day's run lease item (every fenced claim checks it): retried with backoff. */
const CLAIM_ATTEMPTS = 12;

/** The cancellation code of the `index`th item of a cancelled transaction, if it says. */
function cancellation(error: unknown, index: number): string | undefined {
  return error instanceof TransactionCanceledException ? error.CancellationReasons?.[index]?.Code : undefined;
}

/**
 * Records of outbound mail, keyed by campaign day + purpose + recipient. A claim (`sending`) is
 * written conditionally just before sending and `sent` right after, so a retried run finds it
 * and sends nothing twice; the mails a dead run left `sending` are the only ones in doubt.
 */
export class DynamoMailLog implements MailLog {
  constructor(
    private readonly store: DynamoStore,
    /** The lease's clock: real time (tests pass their own). */
    private readonly leaseClock: Clock = systemClock,
  ) {}

  async claim(
    day: string,
    purpose: string,
    recipient: string,
    now: Date,
    fence?: RunFence,
  ): Promise<ClaimResult> {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = fence
        ? await this.claimFenced(day, purpose, recipient, now, fence)
        : await this.claimUnfenced(day, purpose, recipient, now);
      if (outcome !== 'retry') return outcome;
      if (attempt >= CLAIM_ATTEMPTS) return { result: 'in-flight' };
      await jitteredBackoff(attempt);
    }
  }

  private record(day: string, purpose: string, recipient: string, now: Date, holder?: string): MailRecord {
    return {
      day,
      purpose,
      recipient,
      status: 'sending',
      claimedAt: now.toISOString(),
      leaseUntil: this.leaseClock.now().getTime() + CLAIM_LEASE_MS,
      ...(holder ? { holder } : {}),
    };
  }

  private async claimUnfenced(
    day: string,
    purpose: string,
    recipient: string,
    now: Date,
  ): Promise<ClaimResult | 'retry'> {
    const realNow = this.leaseClock.now().getTime();
    try {
      const { Attributes: old } = await this.store.client.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.mail(day, purpose, recipient), ...this.record(day, purpose, recipient, now) },
          ConditionExpression:
            'attribute_not_exists(pk) OR #status = :failed OR (#status IN (:claimed, :sending) AND (leaseUntil < :now OR attribute_not_exists(leaseUntil)))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':claimed': 'claimed',
            ':sending': 'sending',
            ':now': realNow,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const inDoubt = old?.status === 'sending' || old?.status === 'claimed';
      if (inDoubt) await this.markInDoubt(day, purpose, recipient);
      return { result: 'claimed', inDoubt };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const held = await this.get(day, purpose, recipient);
      if (!held) return 'retry';
      return held.status === 'sent' || held.status === 'refused'
        ? { result: 'sent' }
        : { result: 'in-flight' };
    }
  }

  /**
   * Under a run lease: the claim and a check that `fence.holder` still holds `RUN#<fence.day>`
   * are one transaction, so a run that lost its lease (paused past it, then resumed) claims
   * nothing more. A `sending` mail of another holder is taken over: that holder lost the lease.
   */
  private async claimFenced(
    day: string,
    purpose: string,
    recipient: string,
    now: Date,
    fence: RunFence,
  ): Promise<ClaimResult | 'retry'> {
    const held = await this.get(day, purpose, recipient);
    if (held?.status === 'sent' || held?.status === 'refused') return { result: 'sent' };
    const realNow = this.leaseClock.now().getTime();
    const legacy = held !== null && held.holder === undefined && held.status !== 'failed';
    if (legacy && (held.leaseUntil ?? 0) >= realNow) return { result: 'in-flight' };
    const inDoubt = held !== null && held.status !== 'failed';
    // Exactly the state read above: a concurrent change makes the claim retry from the read.
    const condition =
      held === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : held.holder === undefined
          ? {
              ConditionExpression: '#status = :seen AND attribute_not_exists(holder)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':seen': held.status },
            }
          : {
              ConditionExpression: '#status = :seen AND holder = :seenHolder',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':seen': held.status, ':seenHolder': held.holder },
            };
    const item: MailRecord = {
      ...this.record(day, purpose, recipient, now, fence.holder),
      ...(inDoubt ? { inDoubt: true } : {}),
    };
    try {
      await this.store.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.store.tableName,
                Key: keys.runLease(fence.day),
                ConditionExpression: 'holder = :holder AND leaseUntil > :now AND #status = :running',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':holder': fence.holder,
                  ':now': realNow,
                  ':running': 'running',
                },
              },
            },
            {
              Put: {
                TableName: this.store.tableName,
                Item: { ...keys.mail(day, purpose, recipient), ...item },
                ...condition,
              },
            },
          ],
        }),
      );
      return { result: 'claimed', inDoubt };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (cancellation(error, 0) === 'ConditionalCheckFailed') return { result: 'fenced' };
      return 'retry';
    }
  }

  private async markInDoubt(day: string, purpose: string, recipient: string): Promise<void> {
    await this.store.client.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: keys.mail(day, purpose, recipient),
        UpdateExpression: 'SET inDoubt = :yes',
        ExpressionAttributeValues: { ':yes': true },
      }),
    );
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

  markRefused(day: string, purpose: string, recipient: string, error: string): Promise<void> {
    return this.markUnsent('refused', day, purpose, recipient, error);
  }

  markFailed(day: string, purpose: string, recipient: string, error: string): Promise<void> {
    return this.markUnsent('failed', day, purpose, recipient, error);
  }

  /** Records why a claimed mail did not go out; a mail already sent is never marked so. */
  private async markUnsent(
    status: 'failed' | 'refused',
    day: string,
    purpose: string,
    recipient: string,
    error: string,
  ): Promise<void> {
    await this.store.client.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: keys.mail(day, purpose, recipient),
        UpdateExpression: 'SET #status = :status, #error = :error',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :sent',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: { ':status': status, ':sent': 'sent', ':error': error.slice(0, 1000) },
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
      if (
        record.status === 'failed' ||
        ((record.status === 'claimed' || record.status === 'sending') && this.isStale(record))
      )
        failed.push(record);
    return failed;
  }
}
