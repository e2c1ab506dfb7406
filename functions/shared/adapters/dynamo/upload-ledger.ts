import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AuditEvent,
  type PendingUpload,
  PendingUploadSchema,
  type RejectedUpload,
  RejectedUploadSchema,
  type SubmissionVersion,
  type UploadReceipt,
  UploadReceiptSchema,
} from '../../../../schemas/records.ts';
import { ConflictError } from '../../domain/errors.ts';
import type { Page, PageRequest, PendingUploadRepository, ProfileChange, UploadLedger } from '../../ports.ts';
import { auditPut } from './audit-log.ts';
import { keys } from './keys.ts';
import { profileChangeItems } from './profile-writes.ts';
import type { DynamoStore, TransactItem } from './store.ts';
import { submissionVersionWrites } from './submissions-repository.ts';
import { ttlDaysAfter } from './table.ts';

/** How long a form record outlives its form. */
const PENDING_KEPT_DAYS = 400;

export class DynamoPendingUploads implements PendingUploadRepository {
  constructor(private readonly store: DynamoStore) {}

  async put(pending: PendingUpload): Promise<void> {
    await this.store.client.send(
      new PutCommand({
        TableName: this.store.tableName,
        // Kept past any campaign year: the sweep (`campaign reconcile`) may meet the object
        // weeks later, and without its form record a school's real filing would be refused.
        Item: {
          ...keys.pendingUpload(pending.key),
          ...pending,
          ttl: ttlDaysAfter(pending.expiresAt, PENDING_KEPT_DAYS),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  get(key: string): Promise<PendingUpload | null> {
    return this.store.getItem(PendingUploadSchema, keys.pendingUpload(key));
  }
}

export class DynamoUploadLedger implements UploadLedger {
  constructor(
    private readonly store: DynamoStore,
    private readonly timeZone: string,
  ) {}

  /** Runs the receipt Put first in the transaction, so its refusal tells a duplicate from a race. */
  private async write(receipt: UploadReceipt, items: TransactItem[], audit: Omit<AuditEvent, 'id'>) {
    const receiptPut: TransactItem = {
      Put: {
        TableName: this.store.tableName,
        Item: { ...keys.uploadReceipt(receipt.bucket, receipt.key, receipt.etag), ...receipt },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const auditItem: TransactItem = { Put: auditPut(this.store.tableName, audit, this.timeZone).put };
    try {
      await this.store.client.send(
        new TransactWriteCommand({ TransactItems: [receiptPut, ...items, auditItem] }),
      );
      return 'recorded' as const;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'duplicate' as const;
      // A condition refused (another version took the number) or, on real DynamoDB, a concurrent
      // transaction on the same pointer: either way the caller reads again and retries.
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
        throw new ConflictError(
          {
            zh: '同一材料的另一版本刚刚入库，请重试',
            en: 'another version of this deliverable was just recorded; retry',
          },
          { cause: error },
        );
      }
      throw error;
    }
  }

  accept(input: {
    receipt: UploadReceipt;
    version: SubmissionVersion;
    district: string | null;
    audit: Omit<AuditEvent, 'id'>;
    profile: ProfileChange;
  }): Promise<'recorded' | 'duplicate'> {
    return this.write(
      input.receipt,
      [
        ...submissionVersionWrites(this.store.tableName, input.version, input.district),
        ...profileChangeItems(this.store.tableName, input.profile),
      ],
      input.audit,
    );
  }

  reject(input: {
    receipt: UploadReceipt;
    rejection: RejectedUpload;
    audit: Omit<AuditEvent, 'id'>;
  }): Promise<'recorded' | 'duplicate'> {
    const { rejection } = input;
    const put: TransactItem = {
      Put: {
        TableName: this.store.tableName,
        Item: {
          // The ETag too: two refused objects on one key (a reused form) may share the instant.
          ...keys.rejection(
            rejection.unitCode,
            rejection.receivedAt,
            `${input.receipt.key}#${input.receipt.etag}`,
          ),
          ...rejection,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    return this.write(input.receipt, [put], input.audit);
  }

  async note(receipt: UploadReceipt): Promise<'recorded' | 'duplicate'> {
    try {
      await this.store.client.send(
        new PutCommand({
          TableName: this.store.tableName,
          Item: { ...keys.uploadReceipt(receipt.bucket, receipt.key, receipt.etag), ...receipt },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw error;
    }
  }

  receipt(bucket: string, key: string, etag: string): Promise<UploadReceipt | null> {
    return this.store.getItem(UploadReceiptSchema, keys.uploadReceipt(bucket, key, etag));
  }

  rejections(unitCode: string, page?: PageRequest): Promise<Page<RejectedUpload>> {
    return this.store.queryPrefixPage(
      RejectedUploadSchema,
      keys.unit(unitCode).pk,
      keys.rejectionPrefix,
      page,
      { order: 'descending' },
    );
  }
}
