import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import { createTableInput } from '../../functions/shared/adapters/dynamo/table.ts';
import { type AwsClients, createAwsClients } from '../../functions/shared/aws-clients.ts';

let clients: AwsClients | undefined;

/** One set of SDK clients per test worker, pointed at the embedded servers by the environment. */
export function testClients(): AwsClients {
  clients ??= createAwsClients();
  return clients;
}

/** A fresh campaign table on DynamoDB Local, so test files never see each other's items. */
export async function freshTable(): Promise<DynamoStore> {
  const { dynamo, doc } = testClients();
  const tableName = `test-${randomUUID()}`;
  await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
  return new DynamoStore(doc, tableName);
}

export async function freshBucket(): Promise<string> {
  const bucket = `test-${randomUUID()}`;
  await testClients().s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}
