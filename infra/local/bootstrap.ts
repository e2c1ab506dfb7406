import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import {
  CAMPAIGN_TABLE,
  createTableInput,
  indexDefinition,
} from '../../functions/shared/adapters/dynamo/table.ts';
import type { AwsClients } from '../../functions/shared/aws-clients.ts';
import type { LinkBook } from '../seed-campaign.ts';

/**
 * Creates the campaign table, or brings an existing one up to the definition: an index added to
 * `CAMPAIGN_TABLE` since the table was made is created on it (data kept in `.data/` survives).
 */
export async function ensureTable(clients: AwsClients, tableName: string): Promise<boolean> {
  try {
    const { Table } = await clients.dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const index of CAMPAIGN_TABLE.globalSecondaryIndexes) {
      if (present.has(index.indexName)) continue;
      await clients.dynamo.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [index.partitionKey, index.sortKey].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
          GlobalSecondaryIndexUpdates: [{ Create: indexDefinition(index) }],
        }),
      );
    }
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await clients.dynamo.send(new CreateTableCommand(createTableInput(tableName)));
    await clients.dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: CAMPAIGN_TABLE.timeToLiveAttribute, Enabled: true },
      }),
    );
    return true;
  }
}

export async function ensureBucket(clients: AwsClients, bucket: string): Promise<boolean> {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return true;
  }
}

/**
 * The local link key, made once and kept in `.data/link-key` (mode 600): the links in the book
 * stay valid across restarts. In AWS the key is a Secrets Manager secret.
 */
export async function ensureLinkKey(path: string): Promise<string> {
  try {
    const key = (await readFile(path, 'utf8')).trim();
    if (key.length >= 43) return key;
    throw new Error(
      `${path} holds no link key of at least 43 characters; delete it to make a new one (every link changes)`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64url');
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

/**
 * Writes the local link book (`.data/links.json`, mode 600) for people to open; unchanged links
 * leave the file as it is. Local mode only: in a real campaign tokens are shown once, at issue.
 */
export async function writeLinkBook(path: string, links: LinkBook): Promise<void> {
  const text = `${JSON.stringify(links, null, 2)}\n`;
  const written = await readFile(path, 'utf8').catch(() => null);
  if (written === text) return;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, { mode: 0o600 });
  await chmod(path, 0o600);
}
