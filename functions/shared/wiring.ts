import type { Campaign } from '../../schemas/campaign.ts';
import { FunctionEnvSchema } from '../../schemas/env.ts';
import { DynamoAuditLog } from './adapters/dynamo/audit-log.ts';
import { DynamoCampaignRepository } from './adapters/dynamo/campaign-repository.ts';
import { DynamoHazardRepository } from './adapters/dynamo/hazards-repository.ts';
import { DynamoLinkRepository } from './adapters/dynamo/links-repository.ts';
import { DynamoMailLog } from './adapters/dynamo/mail-log.ts';
import { DynamoStore } from './adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from './adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from './adapters/dynamo/units-repository.ts';
import { DynamoUploadReceipts } from './adapters/dynamo/upload-receipts.ts';
import { NodemailerMailer } from './adapters/mail/nodemailer-mailer.ts';
import { S3DocumentStore } from './adapters/s3/document-store.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import type { Clock } from './domain/clock.ts';
import { systemClock } from './domain/clock.ts';
import { jsonLogger, type Logger } from './logger.ts';

/** Everything a handler may need, built once per container (or once per local runtime). */
export interface Adapters {
  campaign: Campaign;
  clock: Clock;
  logger: Logger;
  units: DynamoUnitRepository;
  links: DynamoLinkRepository;
  submissions: DynamoSubmissionRepository;
  hazards: DynamoHazardRepository;
  audit: DynamoAuditLog;
  mailLog: DynamoMailLog;
  receipts: DynamoUploadReceipts;
  documents: S3DocumentStore;
  mailer: NodemailerMailer;
}

export class CampaignMissingError extends Error {
  constructor(tableName: string) {
    super(`table ${tableName} holds no campaign config; load one first (npm start does, locally)`);
    this.name = 'CampaignMissingError';
  }
}

/**
 * Builds the adapters from the environment (`TABLE_NAME`, `BUCKET_NAME`; the SDK reads the rest)
 * and reads the campaign config from its table. The local runtime passes its simulated clock.
 */
export async function createAdapters(
  options: { env?: NodeJS.ProcessEnv; clock?: Clock; logger?: Logger; clients?: AwsClients } = {},
): Promise<Adapters> {
  const env = FunctionEnvSchema.parse(options.env ?? process.env);
  const clients = options.clients ?? createAwsClients();
  const store = new DynamoStore(clients.doc, env.TABLE_NAME);
  const campaign = await new DynamoCampaignRepository(store).get();
  if (!campaign) throw new CampaignMissingError(env.TABLE_NAME);
  return {
    campaign,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? jsonLogger(),
    units: new DynamoUnitRepository(store),
    links: new DynamoLinkRepository(store),
    submissions: new DynamoSubmissionRepository(store),
    hazards: new DynamoHazardRepository(store),
    audit: new DynamoAuditLog(store, campaign.timeZone),
    mailLog: new DynamoMailLog(store),
    receipts: new DynamoUploadReceipts(store, campaign.timeZone),
    documents: new S3DocumentStore(clients.s3, env.BUCKET_NAME),
    mailer: NodemailerMailer.ses(clients.ses),
  };
}
