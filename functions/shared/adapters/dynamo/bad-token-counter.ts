import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BadTokenCounter } from '../../ports.ts';
import { keys } from './keys.ts';
import type { DynamoStore } from './store.ts';

/**
 * Fixed-window counters of bad form-link tokens per source, in DynamoDB with a TTL: API Gateway
 * HTTP APIs throttle per route, not per client. Sources are stored hashed, not as addresses.
 */
export class DynamoBadTokenCounter implements BadTokenCounter {
  constructor(
    private readonly store: DynamoStore,
    private readonly windowMs: number,
  ) {}

  private key(source: string, now: Date) {
    const window = Math.floor(now.getTime() / this.windowMs) * this.windowMs;
    const hashed = createHash('sha256').update(source).digest('hex').slice(0, 32);
    return {
      key: keys.badTokens(hashed, String(window)),
      expires: Math.ceil((window + 2 * this.windowMs) / 1000),
    };
  }

  /** `ADD` with `UPDATED_NEW`: the increment and the count it yields are one atomic write. */
  async add(source: string, now: Date): Promise<number> {
    const { key, expires } = this.key(source, now);
    const { Attributes } = await this.store.client.send(
      new UpdateCommand({
        TableName: this.store.tableName,
        Key: key,
        UpdateExpression: 'ADD #count :one SET #ttl = :ttl',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':ttl': expires },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.count ?? 1);
  }
}
