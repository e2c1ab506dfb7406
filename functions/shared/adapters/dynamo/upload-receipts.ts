import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, UploadReceipt } from '../../../../schemas/records.ts';
import type { UploadReceipts } from '../../ports.ts';
import { auditPut } from './audit-log.ts';
import { keys } from './keys.ts';
import { type DynamoStore, isConditionFailure } from './store.ts';

export class DynamoUploadReceipts implements UploadReceipts {
  constructor(
    private readonly store: DynamoStore,
    private readonly timeZone: string,
  ) {}

  async record(receipt: UploadReceipt, audit: Omit<AuditEvent, 'id'>): Promise<boolean> {
    try {
      await this.store.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.store.tableName,
                Item: { ...keys.uploadReceipt(receipt.bucket, receipt.key, receipt.etag), ...receipt },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: auditPut(this.store.tableName, audit, this.timeZone).put },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
