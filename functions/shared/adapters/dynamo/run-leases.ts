import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type RunLeaseRecord, RunLeaseRecordSchema } from '../../../../schemas/records.ts';
import { type Clock, systemClock } from '../../domain/calendar/clock.ts';
import type { RunLeaseResult, RunLeases } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure, writeIfStill } from './store.ts';

/**
 * A run lease's length. Short, so that a run that died (a crash, `kill -9`, a Lambda timeout)
 * blocks its day for at most a minute; the live holder renews it every third of it, so a
 * heartbeat may miss once without losing the day.
 */
export const RUN_LEASE_MS = 60_000;

/**
 * The lease on one scheduled day's daily check, `RUN#<day>`, on real time (never the campaign
 * clock, which may be simulated). Acquired by a conditional Put, renewed and finished by
 * conditional Updates on the holder; every mail claim checks it in the same transaction.
 */
export class DynamoRunLeases implements RunLeases {
  constructor(
    private readonly store: DynamoStore,
    private readonly leaseClock: Clock = systemClock,
    readonly leaseMs: number = RUN_LEASE_MS,
  ) {}

  private now(): number {
    return this.leaseClock.now().getTime();
  }

  async acquire(day: string, holder: string): Promise<RunLeaseResult> {
    const now = this.now();
    const record: RunLeaseRecord = { day, status: 'running', holder, leaseUntil: now + this.leaseMs };
    try {
      await this.store.client.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.runLease(day), ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :running AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':now': now },
        }),
      );
      return { outcome: 'acquired' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const held = await this.get(day);
      if (held?.status === 'done') return { outcome: 'done' };
      // Gone or run out since the write: the caller may simply try again.
      return { outcome: 'held', until: held?.leaseUntil ?? now };
    }
  }

  async renew(day: string, holder: string): Promise<boolean> {
    return this.update(day, holder, 'SET leaseUntil = :until', { ':until': this.now() + this.leaseMs });
  }

  async finish(day: string, holder: string, done: boolean): Promise<void> {
    if (done)
      await this.update(day, holder, 'SET #status = :done, doneAt = :at, leaseUntil = :zero', {
        ':done': 'done',
        ':at': new Date(this.now()).toISOString(),
        ':zero': 0,
      });
    // Released, not deleted: the next run's conditional Put finds it run out at once.
    else await this.update(day, holder, 'SET leaseUntil = :zero', { ':zero': 0 });
  }

  get(day: string): Promise<RunLeaseRecord | null> {
    return this.store.getItem(RunLeaseRecordSchema, keys.runLease(day));
  }

  /** An update made only while `holder` still holds a running lease; false when it does not. */
  private async update(
    day: string,
    holder: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    // Every mail claim checks this item in its transaction, so a renewal can meet a
    // transaction in progress: sent again, with backoff, well within a third of the lease.
    return writeIfStill(() =>
      this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.runLease(day),
          UpdateExpression: expression,
          ConditionExpression: 'holder = :holder AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':holder': holder, ':running': 'running' },
        }),
      ),
    );
  }
}
