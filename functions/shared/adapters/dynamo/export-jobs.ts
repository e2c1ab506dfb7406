import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, type ExportJob, ExportJobSchema } from '../../../../schemas/records.ts';
import type { Bilingual } from '../../../../schemas/validation.ts';
import { type Clock, systemClock } from '../../domain/calendar/clock.ts';
import type { ExportJobRepository, Page, PageRequest } from '../../ports.ts';
import { auditPut } from './audit-log.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure, retryOnConflict, stripKeys, writeIfStill } from './store.ts';
import { ttlDaysAfter } from './table.ts';

/**
 * A claim's length. Long enough that a heartbeat every third of it may miss once; short enough
 * that a run that died (a crash, Lambda's timeout) leaves its job for at most two minutes before
 * the next minute's run takes it over.
 */
export const EXPORT_LEASE_MS = 120_000;

/** How long a job's item is kept after it was asked for (its archive expires after a day). */
const KEPT_DAYS = 7;

/**
 * Supervisors' documents export jobs, `EXPORT#<id>`: created with their audit event in one
 * transaction, listed in gsi1 `EXPORTS` while waiting, claimed and finished by conditional
 * updates on a lease in real time (`leaseClock`, never the campaign clock).
 */
export class DynamoExportJobs implements ExportJobRepository {
  constructor(
    private readonly store: DynamoStore,
    private readonly timeZone: string,
    private readonly leaseClock: Clock = systemClock,
    readonly leaseMs: number = EXPORT_LEASE_MS,
  ) {}

  private now(): number {
    return this.leaseClock.now().getTime();
  }

  async create(job: ExportJob, audit: Omit<AuditEvent, 'id'>): Promise<'created' | 'duplicate'> {
    const item = ExportJobSchema.parse(job);
    const { tableName } = this.store;
    return (await writeIfStill(() =>
      this.store.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: {
                  ...keys.exportJob(item.id),
                  ...keys.exportJobIndex(item.requestedAt, item.id),
                  ...item,
                  ttl: ttlDaysAfter(item.requestedAt, KEPT_DAYS),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: auditPut(tableName, audit, this.timeZone).put },
          ],
        }),
      ),
    ))
      ? 'created'
      : 'duplicate';
  }

  get(id: string): Promise<ExportJob | null> {
    return this.store.getItem(ExportJobSchema, keys.exportJob(id));
  }

  waiting(page?: PageRequest): Promise<Page<ExportJob>> {
    return this.store.queryIndexPage(ExportJobSchema, 'EXPORTS', undefined, page);
  }

  async claim(id: string, holder: string, now: Date): Promise<ExportJob | null> {
    const at = this.now();
    try {
      const { Attributes } = await retryOnConflict(() =>
        this.store.client.send(
          new UpdateCommand({
            TableName: this.store.tableName,
            Key: keys.exportJob(id),
            UpdateExpression:
              'SET #status = :running, holder = :holder, leaseUntil = :until, attempts = attempts + :one, startedAt = if_not_exists(startedAt, :started)',
            ConditionExpression:
              'attribute_exists(pk) AND (#status = :pending OR (#status = :running AND leaseUntil < :now))',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':running': 'running',
              ':pending': 'pending',
              ':holder': holder,
              ':until': at + this.leaseMs,
              ':now': at,
              ':one': 1,
              ':started': now.toISOString(),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return Attributes ? ExportJobSchema.parse(stripKeys(Attributes)) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  renew(id: string, holder: string): Promise<boolean> {
    return this.update(id, holder, 'SET leaseUntil = :until', { ':until': this.now() + this.leaseMs });
  }

  async finish(
    id: string,
    holder: string,
    result: NonNullable<ExportJob['result']>,
    at: Date,
    audit: Omit<AuditEvent, 'id'>,
  ): Promise<boolean> {
    const { tableName } = this.store;
    return writeIfStill(() =>
      this.store.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: keys.exportJob(id),
                UpdateExpression:
                  'SET #status = :done, #result = :result, finishedAt = :at, leaseUntil = :zero REMOVE gsi1pk, gsi1sk, #error',
                ConditionExpression: 'holder = :holder AND #status = :running',
                ExpressionAttributeNames: { '#status': 'status', '#result': 'result', '#error': 'error' },
                ExpressionAttributeValues: {
                  ':done': 'done',
                  ':result': result,
                  ':at': at.toISOString(),
                  ':zero': 0,
                  ':holder': holder,
                  ':running': 'running',
                },
              },
            },
            { Put: auditPut(tableName, audit, this.timeZone).put },
          ],
        }),
      ),
    );
  }

  release(id: string, holder: string, error: Bilingual): Promise<boolean> {
    return this.update(id, holder, 'SET #status = :pending, leaseUntil = :zero, #error = :error', {
      ':pending': 'pending',
      ':zero': 0,
      ':error': { zh: error.zh, en: error.en },
    });
  }

  fail(id: string, holder: string, error: Bilingual, at: Date): Promise<boolean> {
    return this.update(
      id,
      holder,
      'SET #status = :failed, leaseUntil = :zero, #error = :error, finishedAt = :at REMOVE gsi1pk, gsi1sk',
      { ':failed': 'failed', ':zero': 0, ':error': { zh: error.zh, en: error.en }, ':at': at.toISOString() },
    );
  }

  /** An update made only while `holder` still holds the running job; false when it does not. */
  private async update(
    id: string,
    holder: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return writeIfStill(() =>
      this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.exportJob(id),
          UpdateExpression: expression,
          ConditionExpression: 'holder = :holder AND #status = :running',
          ExpressionAttributeNames: {
            '#status': 'status',
            ...(expression.includes('#error') ? { '#error': 'error' } : {}),
          },
          ExpressionAttributeValues: { ...values, ':holder': holder, ':running': 'running' },
        }),
      ),
    );
  }
}
