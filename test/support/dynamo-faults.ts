import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { createStorageClients } from '../../functions/shared/storage-clients.ts';

/** Which call to fail: the SDK command's name (e.g. `UpdateCommand`), its input, and its 1-based number among calls of that name. */
export type FaultRule = (call: { command: string; input: Record<string, unknown>; count: number }) => boolean;

/**
 * A DynamoDB client on the embedded server whose chosen calls fail before they reach it, as a
 * throttled or unreachable DynamoDB would: SDK middleware (the `initialize` step of the
 * document client), so the adapters under test run unchanged. `rule` picks the calls;
 * `faults.failed` counts the failures injected. Reusable by any test: build its adapters on
 * `faults.store(tableName)`.
 */
export function faultyDynamo(rule: FaultRule) {
  const { dynamo } = createStorageClients();
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const counts = new Map<string, number>();
  const faults = {
    failed: 0,
    rule,
    doc,
    store: (tableName: string) => new DynamoStore(doc, tableName),
  };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? '');
      const count = (counts.get(command) ?? 0) + 1;
      counts.set(command, count);
      if (faults.rule({ command, input: args.input as Record<string, unknown>, count })) {
        faults.failed += 1;
        throw new DynamoDBServiceException({
          name: 'InternalServerError',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
          message: `injected fault: ${command} #${count}`,
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFaults' },
  );
  return faults;
}
