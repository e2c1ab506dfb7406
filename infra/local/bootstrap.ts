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
import { DynamoCampaignRepository } from '../../functions/shared/adapters/dynamo/campaign-repository.ts';
import { DynamoLinkRepository } from '../../functions/shared/adapters/dynamo/links-repository.ts';
import { DynamoStore } from '../../functions/shared/adapters/dynamo/store.ts';
import {
  CAMPAIGN_TABLE,
  createTableInput,
  indexDefinition,
} from '../../functions/shared/adapters/dynamo/table.ts';
import { DynamoUnitRepository } from '../../functions/shared/adapters/dynamo/units-repository.ts';
import type { AwsClients } from '../../functions/shared/aws-clients.ts';
import { currentToken, issueLink } from '../../functions/shared/domain/links/form-links.ts';
import type { Campaign } from '../../schemas/campaign.ts';
import type { Roster } from '../../schemas/roster.ts';

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

/** Unit code → raw token. Local mode only: in a real campaign tokens are shown once, at issue. */
export type LinkBook = Record<string, string>;

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

export interface SeedResult {
  links: LinkBook;
  /**
   * Units in the table, not withdrawn, that this roster no longer lists. They are withdrawn only
   * when asked (`withdrawMissing`): a roster cut short by mistake must not take units out unseen.
   */
  missing: string[];
  withdrawn: boolean;
}

/**
 * Loads the campaign and roster into the table and makes sure every unit has a form link derived
 * from `linkKey` (a unit whose link came from another key, or none, gets a new one). The tokens
 * are written to the local link book (`.data/links.json`) for people to open.
 */
export async function seedCampaign(input: {
  clients: AwsClients;
  tableName: string;
  campaign: Campaign;
  roster: Roster;
  linkBookPath: string;
  linkKey: string;
  now: Date;
  withdrawMissing?: boolean;
}): Promise<SeedResult> {
  const store = new DynamoStore(input.clients.doc, input.tableName);
  const units = new DynamoUnitRepository(store);
  const links = new DynamoLinkRepository(store);
  await new DynamoCampaignRepository(store).save(input.campaign);
  const book: LinkBook = {};
  for (const row of input.roster.units) {
    await units.upsertFromRoster(row, input.now);
    const unit = await units.get(row.code);
    book[row.code] =
      (unit && currentToken(input.linkKey, input.campaign.id, unit)) ??
      (await issueLink(row.code, input.campaign.id, { links, units }, input.now, input.linkKey));
  }
  const listed = new Set(input.roster.units.map((row) => row.code));
  const missing: string[] = [];
  for await (const unit of units.all()) {
    if (!listed.has(unit.code) && !unit.withdrawnAt) missing.push(unit.code);
  }
  const withdrawn = Boolean(input.withdrawMissing) && missing.length > 0;
  if (withdrawn) for (const code of missing) await units.withdraw(code, input.now);
  const text = `${JSON.stringify(book, null, 2)}\n`;
  const written = await readFile(input.linkBookPath, 'utf8').catch(() => null);
  if (written !== text) {
    await mkdir(dirname(input.linkBookPath), { recursive: true });
    await writeFile(input.linkBookPath, text, { mode: 0o600 });
    await chmod(input.linkBookPath, 0o600);
  }
  return { links: book, missing, withdrawn };
}
