import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type MailBounce, MailBounceSchema } from '../../../../schemas/records.ts';
import type { BounceEvent, BounceLog } from '../../ports.ts';
import { keys } from './keys.ts';
import { type DynamoStore, indexQuery, isConditionFailure, READ_ALL_PAGE_SIZE } from './store.ts';

/** Attempts when concurrent notifications for one address keep racing (optimistic, on `count`). */
const MAX_ATTEMPTS = 8;

/** The record after `event`: counts add up, the first and last times widen, the newest event names the kind and reason. */
export function foldBounce(current: MailBounce | null, event: BounceEvent): MailBounce {
  const address = event.address.toLowerCase();
  if (!current)
    return {
      address,
      kind: event.kind,
      subtype: event.subtype,
      diagnostic: event.diagnostic,
      source: event.source,
      firstSeenAt: event.at,
      lastSeenAt: event.at,
      count: 1,
      messageId: event.messageId,
    };
  // Notifications may arrive out of order: the latest one describes the address.
  const newer = event.at >= current.lastSeenAt;
  return {
    ...current,
    ...(newer
      ? {
          kind: event.kind,
          subtype: event.subtype,
          diagnostic: event.diagnostic,
          source: event.source,
          lastSeenAt: event.at,
          messageId: event.messageId,
        }
      : {}),
    // ISO instants in UTC sort as text.
    firstSeenAt: [current.firstSeenAt, event.at].sort()[0] ?? current.firstSeenAt,
    count: current.count + 1,
  };
}

/**
 * Bounces in the campaign table (`BOUNCE#<address>`, see `table.ts`). Recording one writes the
 * feedback marker (refused if it exists: a redelivery) and the address's record (conditional on
 * the count read, so two concurrent notifications both count) in one transaction.
 */
export class DynamoBounceLog implements BounceLog {
  constructor(private readonly store: DynamoStore) {}

  get(address: string): Promise<MailBounce | null> {
    return this.store.getItem(MailBounceSchema, keys.bounce(address));
  }

  all(): AsyncIterable<MailBounce> {
    return this.store.queryAll(MailBounceSchema, indexQuery('BOUNCES'), READ_ALL_PAGE_SIZE);
  }

  async record(event: BounceEvent): Promise<'recorded' | 'duplicate'> {
    const { tableName } = this.store;
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.get(event.address);
      const next = foldBounce(current, event);
      try {
        await this.store.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...keys.bounceFeedback(event.address, event.feedbackId),
                    feedbackId: event.feedbackId,
                    kind: event.kind,
                    at: event.at,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...keys.bounce(event.address), ...keys.bounceIndex(event.address), ...next },
                  ...(current
                    ? {
                        ConditionExpression: '#count = :count',
                        ExpressionAttributeNames: { '#count': 'count' },
                        ExpressionAttributeValues: { ':count': current.count },
                      }
                    : { ConditionExpression: 'attribute_not_exists(pk)' }),
                },
              },
            ],
          }),
        );
        return 'recorded';
      } catch (error) {
        if (
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed'
        )
          return 'duplicate';
        if (!isConditionFailure(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  async delivered(address: string, at: Date): Promise<void> {
    try {
      await this.store.client.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: keys.bounce(address),
          UpdateExpression: 'SET deliveredAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(deliveredAt) OR deliveredAt < :at)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
