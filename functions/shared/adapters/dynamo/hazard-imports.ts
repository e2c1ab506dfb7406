import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type HazardImport, HazardImportSchema } from '../../../../schemas/records.ts';
import type { CounterDelta, HazardImportRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { conditionally, type DynamoStore } from './store.ts';
import { unitCounterItems } from './unit-counters.ts';

const ALREADY = {
  zh: '该文件已经导入或正在导入',
  en: 'this file was imported already, or is being imported',
};

export class DynamoHazardImports implements HazardImportRepository {
  constructor(private readonly store: DynamoStore) {}

  get(unitCode: string, etag: string): Promise<HazardImport | null> {
    return this.store.getItem(HazardImportSchema, keys.hazardImport(unitCode, etag));
  }

  async save(record: HazardImport): Promise<void> {
    await conditionally(
      () =>
        this.store.client.send(
          new PutCommand({
            TableName: this.store.tableName,
            Item: { ...keys.hazardImport(record.unitCode, record.etag), ...record },
            // A rejected file may be tried again; an import in progress or done is never replaced.
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :rejected',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':rejected': 'rejected' },
          }),
        ),
      ALREADY,
    );
  }

  async complete(record: HazardImport, delta: CounterDelta, at: Date): Promise<void> {
    const counters = await unitCounterItems(this.store, record.unitCode, delta);
    await conditionally(
      () =>
        this.store.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.store.tableName,
                  Key: keys.hazardImport(record.unitCode, record.etag),
                  UpdateExpression: 'SET #status = :imported, finishedAt = :at',
                  ConditionExpression: '#status = :importing',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':imported': 'imported',
                    ':importing': 'importing',
                    ':at': at.toISOString(),
                  },
                },
              },
              ...counters,
            ],
          }),
        ),
      ALREADY,
    );
  }

  async list(unitCode: string): Promise<HazardImport[]> {
    const page = await this.store.queryPrefixPage(HazardImportSchema, keys.unit(unitCode).pk, 'IMPORT#', {
      limit: 100,
    });
    return page.items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}
