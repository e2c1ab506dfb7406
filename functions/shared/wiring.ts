import type { Campaign, MailConfig } from '../../schemas/campaign.ts';
import { type FunctionEnv, FunctionEnvSchema } from '../../schemas/env.ts';
import { DynamoAuditLog } from './adapters/dynamo/audit-log.ts';
import { DynamoBadTokenCounter } from './adapters/dynamo/bad-token-counter.ts';
import { DynamoCampaignRepository } from './adapters/dynamo/campaign-repository.ts';
import { DynamoHazardImports } from './adapters/dynamo/hazard-imports.ts';
import { DynamoHazardRepository } from './adapters/dynamo/hazards-repository.ts';
import { DynamoLinkRepository } from './adapters/dynamo/links-repository.ts';
import { DynamoMailLog } from './adapters/dynamo/mail-log.ts';
import { DynamoStore } from './adapters/dynamo/store.ts';
import { DynamoSubmissionRepository } from './adapters/dynamo/submissions-repository.ts';
import { DynamoUnitRepository } from './adapters/dynamo/units-repository.ts';
import { DynamoPendingUploads, DynamoUploadLedger } from './adapters/dynamo/upload-ledger.ts';
import { DynamoZeroReports } from './adapters/dynamo/zero-reports.ts';
import { NodemailerMailer } from './adapters/mail/nodemailer-mailer.ts';
import { S3DocumentStore } from './adapters/s3/document-store.ts';
import { readHazardRows } from './adapters/xlsx/hazard-workbook.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import type { Clock } from './domain/clock.ts';
import { systemClock } from './domain/clock.ts';
import { BAD_TOKEN_WINDOW_MS } from './domain/form-links.ts';
import { jsonLogger, type Logger } from './logger.ts';

/** Everything a handler may need, built once per container (or once per local runtime). */
export interface Adapters {
  campaign: Campaign;
  /** The secret form-link tokens derive from (see `form-links.ts`). */
  linkKey: string;
  clock: Clock;
  logger: Logger;
  units: DynamoUnitRepository;
  links: DynamoLinkRepository;
  submissions: DynamoSubmissionRepository;
  hazards: DynamoHazardRepository;
  audit: DynamoAuditLog;
  mailLog: DynamoMailLog;
  pending: DynamoPendingUploads;
  ledger: DynamoUploadLedger;
  badTokens: DynamoBadTokenCounter;
  zeroReports: DynamoZeroReports;
  imports: DynamoHazardImports;
  readHazardRows: typeof readHazardRows;
  documents: S3DocumentStore;
  mailer: NodemailerMailer;
}

/** The campaign's mail transport: SES v2, or SMTP where SES is missing (AWS China regions). */
export function mailerFor(
  mail: MailConfig,
  env: FunctionEnv,
  clients: Pick<AwsClients, 'ses'>,
): NodemailerMailer {
  if (mail.transport === 'ses') return NodemailerMailer.ses(clients.ses);
  const auth =
    env.SMTP_USER && env.SMTP_PASSWORD ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD } : undefined;
  return NodemailerMailer.smtp({
    host: mail.host,
    port: mail.port,
    secure: mail.secure,
    ...(auth ? { auth } : {}),
  });
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
    linkKey: env.LINK_KEY,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? jsonLogger(),
    units: new DynamoUnitRepository(store),
    links: new DynamoLinkRepository(store),
    submissions: new DynamoSubmissionRepository(store),
    hazards: new DynamoHazardRepository(store),
    audit: new DynamoAuditLog(store, campaign.timeZone),
    mailLog: new DynamoMailLog(store),
    pending: new DynamoPendingUploads(store),
    ledger: new DynamoUploadLedger(store, campaign.timeZone),
    badTokens: new DynamoBadTokenCounter(store, BAD_TOKEN_WINDOW_MS),
    zeroReports: new DynamoZeroReports(store),
    imports: new DynamoHazardImports(store),
    readHazardRows,
    documents: new S3DocumentStore(clients.s3, env.BUCKET_NAME),
    mailer: mailerFor(campaign.mail, env, clients),
  };
}
