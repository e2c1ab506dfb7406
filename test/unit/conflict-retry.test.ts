import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { isTransactionConflict, retryOnConflict } from '../../functions/shared/adapters/dynamo/store.ts';

/** Real DynamoDB (never DynamoDB Local) refuses a write that meets a transaction in progress. */
const conflict = () =>
  Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionConflictException' });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('transaction conflicts', () => {
  it('tells a conflict from a refused condition', () => {
    expect(isTransactionConflict(conflict())).toBe(true);
    expect(isTransactionConflict(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isTransactionConflict(cancelled('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(isTransactionConflict(new Error('network'))).toBe(false);
  });

  it('sends a write again while it meets only conflicts, and gives up after the last attempt', async () => {
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls <= 2) throw calls === 1 ? conflict() : cancelled('TransactionConflict');
      return 'written';
    };
    await expect(retryOnConflict(flaky)).resolves.toBe('written');
    expect(calls).toBe(3);

    let always = 0;
    await expect(
      retryOnConflict(async () => {
        always += 1;
        throw conflict();
      }, 3),
    ).rejects.toThrow('Transaction is ongoing');
    expect(always).toBe(3);
  });

  it('never retries a refused condition or another error', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(async () => {
        calls += 1;
        throw cancelled('ConditionalCheckFailed');
      }),
    ).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(calls).toBe(1);
  });
});
