import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ZeroReport, ZeroReportSchema } from '../../../../schemas/records.ts';
import type { ZeroReportRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, indexQuery, isConditionFailure, READ_ALL_PAGE_SIZE } from './store.ts';

export class DynamoZeroReports implements ZeroReportRepository {
  constructor(private readonly store: DynamoStore) {}

  get(unitCode: string): Promise<ZeroReport | null> {
    return this.store.getItem(ZeroReportSchema, keys.zeroReport(unitCode));
  }

  async confirm(report: ZeroReport, district: string | null): Promise<void> {
    await this.store.client.send(
      new PutCommand({
        TableName: this.store.tableName,
        Item: {
          ...keys.zeroReport(report.unitCode),
          ...keys.zeroReportIndex(district, report.unitCode),
          ...report,
        },
      }),
    );
  }

  all(): AsyncIterable<ZeroReport> {
    return this.store.queryAll(ZeroReportSchema, indexQuery('ZERO'), READ_ALL_PAGE_SIZE);
  }

  async withdraw(unitCode: string, at: Date, forHazard?: string): Promise<void> {
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.zeroReport(unitCode),
          UpdateExpression: forHazard
            ? 'SET withdrawnAt = :at, withdrawnFor = :for'
            : 'SET withdrawnAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(withdrawnAt)',
          ExpressionAttributeValues: { ':at': at.toISOString(), ...(forHazard ? { ':for': forHazard } : {}) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
