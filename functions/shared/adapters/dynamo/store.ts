import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import type { Bilingual } from '../../../../schemas/validation.ts';
import { jitteredBackoff } from '../../domain/backoff.ts';
import { ConflictError, ValidationError } from '../../domain/errors.ts';
import type { Page, PageRequest } from '../../ports.ts';
import { GSI1 } from './table.ts';

/** Key attributes that the repositories add to every item and strip from every record. */
const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'ttl',
] as const;

export function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const record = { ...item };
  for (const key of KEY_ATTRIBUTES) delete record[key];
  return record;
}

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // A cursor is a LastEvaluatedKey: key attributes with string values, nothing else.
    if (
      key !== null &&
      typeof key === 'object' &&
      !Array.isArray(key) &&
      Object.keys(key).length > 0 &&
      Object.entries(key).every(
        ([name, value]) => (KEY_ATTRIBUTES as readonly string[]).includes(name) && typeof value === 'string',
      )
    ) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError([
    { path: 'cursor', value: cursor, code: 'cursor', zh: '分页游标无效', en: 'is not a valid page cursor' },
  ]);
}

/**
 * True when a write lost: refused by its condition, alone or inside a transaction, or a
 * transaction cancelled by a concurrent one touching the same item. Re-reading and retrying is safe.
 */
export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some(
      (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
    )
  );
}

/**
 * True when a transaction was cancelled only because another transaction held one of its items
 * (a hot item such as a unit's counters), with no condition refused: the same write may simply
 * be sent again.
 */
export function isTransactionConflictOnly(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

/**
 * True when DynamoDB refused a write only because a transaction in progress held its item
 * (`TransactionConflictException` on a plain write, or a conflict-only cancellation). The SDK
 * does not retry these; DynamoDB Local never raises them, real DynamoDB does under contention.
 */
export function isTransactionConflict(error: unknown): boolean {
  return (
    (error as { name?: string }).name === 'TransactionConflictException' || isTransactionConflictOnly(error)
  );
}

/** Sends `write` again, with backoff, while it fails only on a transaction conflict. */
export async function retryOnConflict<T>(write: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isTransactionConflict(error) || attempt >= attempts) throw error;
      await jitteredBackoff(attempt);
    }
  }
}

/**
 * Runs a conditional write, sent again while it meets a transaction in progress: true when it was
 * made, false when its condition refused it (a duplicate, or a lease no longer held).
 */
export async function writeIfStill(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await retryOnConflict(write);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Runs a conditional write; a refused condition becomes a `ConflictError` with `message`. */
export async function conditionally<T>(write: () => Promise<T>, message: Bilingual): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailure(error)) throw new ConflictError(message, { cause: error });
    throw error;
  }
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What every repository shares: the document client, the table name, reads, transactions and paged queries. */
/** Page size for reading a whole collection (the daily check); DynamoDB's 1 MB page limit still applies. */
export const READ_ALL_PAGE_SIZE = 1000;

/** Every item of one gsi1 collection, or those whose index sort key starts with `prefix`. */
export function indexQuery(collection: string, prefix?: string) {
  return {
    IndexName: GSI1,
    KeyConditionExpression:
      prefix === undefined ? 'gsi1pk = :pk' : 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
    ExpressionAttributeValues: { ':pk': collection, ...(prefix === undefined ? {} : { ':prefix': prefix }) },
  };
}

/** What the queries of one store cost so far: the bench reports it. */
export interface ReadStats {
  queries: number;
  items: number;
  capacityUnits: number;
}

export class DynamoStore {
  readonly reads: ReadStats = { queries: 0, items: 0, capacityUnits: 0 };

  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** A strongly consistent read of one item, stripped of keys and parsed by `schema`; null if absent. */
  async getItem<S extends z.ZodType>(
    schema: S,
    key: { pk: string; sk: string },
  ): Promise<z.output<S> | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item ? schema.parse(stripKeys(Item)) : null;
  }

  /** Writes all `items` or none; a refused condition on any becomes a `ConflictError` with `conflict`. */
  async transact(items: TransactItem[], conflict: Bilingual): Promise<void> {
    await conditionally(() => this.client.send(new TransactWriteCommand({ TransactItems: items })), conflict);
  }

  /** One page of the items of partition `pk` whose sort key starts with `prefix`. */
  queryPrefixPage<S extends z.ZodType>(
    schema: S,
    pk: string,
    prefix: string,
    page?: PageRequest,
    options: { order?: 'ascending' | 'descending'; consistent?: boolean } = {},
  ): Promise<Page<z.output<S>>> {
    return this.queryPage(
      schema,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ScanIndexForward: options.order !== 'descending',
        ...(options.consistent ? { ConsistentRead: true } : {}),
      },
      page,
    );
  }

  /** One page of a query (default 50 items, at most 1000), each stripped of keys and parsed by `schema`. */
  async queryPage<S extends z.ZodType>(
    schema: S,
    input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
    page: PageRequest = {},
    options: { keepKeys?: boolean } = {},
  ): Promise<Page<z.output<S>>> {
    const limit = Math.min(Math.max(page.limit ?? 50, 1), 1000);
    const result = await this.client.send(
      new QueryCommand({
        ...input,
        TableName: this.tableName,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(page.cursor),
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.reads.queries += 1;
    this.reads.items += result.Count ?? 0;
    this.reads.capacityUnits += result.ConsumedCapacity?.CapacityUnits ?? 0;
    const items = (result.Items ?? []).map((item) => schema.parse(options.keepKeys ? item : stripKeys(item)));
    const cursor = encodeCursor(result.LastEvaluatedKey);
    return cursor ? { items, cursor } : { items };
  }

  /** One page of the items of a gsi1 collection (`gsi1pk`), optionally those whose gsi1sk starts with `prefix`. */
  queryIndexPage<S extends z.ZodType>(
    schema: S,
    collection: string,
    prefix: string | undefined,
    page?: PageRequest,
  ): Promise<Page<z.output<S>>> {
    return this.queryPage(schema, indexQuery(collection, prefix), page);
  }

  /** Every item of a query, fetched page by page as the caller iterates. */
  async *queryAll<S extends z.ZodType>(
    schema: S,
    input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
    pageSize = 100,
    options: { keepKeys?: boolean } = {},
  ): AsyncGenerator<z.output<S>> {
    let cursor: string | undefined;
    do {
      const page = await this.queryPage(
        schema,
        input,
        { limit: pageSize, ...(cursor ? { cursor } : {}) },
        options,
      );
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }
}
