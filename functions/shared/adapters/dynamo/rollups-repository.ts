import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Counters } from '../../domain/report/rollup.ts';
import type { RollupRepository } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, READ_ALL_PAGE_SIZE } from './store.ts';

/** A rollup item as stored: its key, and a number attribute per counter. */
const RollupItemSchema = z.looseObject({ pk: z.literal('ROLLUP'), sk: z.string() });

/** The district rollups (`rollup.ts`): items `ROLLUP`/`<district>#<shard>`, and `ROLLUP`/`READY`. */
export class DynamoRollups implements RollupRepository {
  constructor(private readonly store: DynamoStore) {}

  async read(): Promise<{
    ready: boolean;
    items: { key: string; district: string | null; counters: Counters }[];
  }> {
    const ready = keys.rollupReady();
    let isReady = false;
    const items: { key: string; district: string | null; counters: Counters }[] = [];
    // Read with the keys kept: the sort key says which district an item counts.
    for await (const item of this.store.queryAll(
      RollupItemSchema,
      {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ready.pk },
        ConsistentRead: true,
      },
      READ_ALL_PAGE_SIZE,
      { keepKeys: true },
    )) {
      if (item.sk === ready.sk) {
        isReady = true;
        continue;
      }
      const district = item.sk.slice(0, item.sk.lastIndexOf('#'));
      const counters: Counters = {};
      for (const [name, value] of Object.entries(item))
        if (name !== 'pk' && name !== 'sk' && typeof value === 'number' && value !== 0)
          counters[name] = value;
      items.push({ key: item.sk, district: district === 'CITY' ? null : district, counters });
    }
    return { ready: isReady, items };
  }

  async setReady(ready: boolean): Promise<void> {
    const { tableName } = this.store;
    if (ready)
      await this.store.client.send(new PutCommand({ TableName: tableName, Item: keys.rollupReady() }));
    else await this.store.client.send(new DeleteCommand({ TableName: tableName, Key: keys.rollupReady() }));
  }
}
